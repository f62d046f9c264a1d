import { createApiRef } from '@backstage/core-plugin-api';
import {
  DiagnosisResponse,
  EntityWorkload,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * What the evidence endpoints are asked for: an entity and, optionally, a
 * time range (RFC 3339; the backend defaults to the last hour).
 *
 * @public
 */
export interface EvidenceRequest {
  entityRef: string;
  start?: string;
  end?: string;
}

/**
 * Client of the observability-ir backend.
 *
 * @public
 */
export interface ObservabilityIrApi {
  /** Which pods belong to an entity, and where the backend looks for them. */
  getWorkload(entityRef: string): Promise<EntityWorkload>;
  /** Health of every container of the entity, with events and nodes. */
  getReplicas(request: EvidenceRequest): Promise<ReplicasResponse>;
  /** Memory, CPU, restart and readiness series over the range. */
  getMetrics(request: EvidenceRequest): Promise<MetricsResponse>;
  /** Error log lines over the range, grouped by signature. */
  getLogs(request: EvidenceRequest): Promise<LogsResponse>;
  /** Terminations and error bursts over the range, and how they line up. */
  getTimeline(request: EvidenceRequest): Promise<TimelineResponse>;
  /** Ranked hypotheses of what is wrong, with a recommendation. */
  getDiagnosis(request: EvidenceRequest): Promise<DiagnosisResponse>;
}

/**
 * Reference to the {@link ObservabilityIrApi}.
 *
 * @public
 */
export const observabilityIrApiRef = createApiRef<ObservabilityIrApi>({
  id: 'plugin.observability-ir.client',
});
