import { createApiRef } from '@backstage/core-plugin-api';
import {
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * Client of the observability-ir backend. Each evidence method takes an
 * entity and a range, a preset that ends now (`range: '1h'`) or explicit
 * `start` and `end`; the backend resolves it and answers with the range it
 * used.
 *
 * @public
 */
export interface ObservabilityIrApi {
  /** Which pods belong to an entity, and where the backend looks for them. */
  getWorkload(entityRef: string): Promise<EntityWorkload>;
  /** Health of every container of the entity, with events and nodes. */
  getReplicas(query: EvidenceQuery): Promise<ReplicasResponse>;
  /** Memory, CPU, restart and readiness series over the range. */
  getMetrics(query: EvidenceQuery): Promise<MetricsResponse>;
  /** Error log lines over the range, grouped by signature. */
  getLogs(query: EvidenceQuery): Promise<LogsResponse>;
  /** Terminations and error bursts over the range, and how they line up. */
  getTimeline(query: EvidenceQuery): Promise<TimelineResponse>;
  /** Ranked hypotheses of what is wrong, with a recommendation. */
  getDiagnosis(query: EvidenceQuery): Promise<DiagnosisResponse>;
}

/**
 * Reference to the {@link ObservabilityIrApi}.
 *
 * @public
 */
export const observabilityIrApiRef = createApiRef<ObservabilityIrApi>({
  id: 'plugin.observability-ir.client',
});
