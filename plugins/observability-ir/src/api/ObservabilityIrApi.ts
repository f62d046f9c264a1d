import { createApiRef } from '@backstage/core-plugin-api';
import {
  AlertsResponse,
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  ForensicsRequest,
  ForensicsRun,
  ForensicsReadQuery,
  ForensicsRunsResponse,
  FleetTelemetryResponse,
  LogsResponse,
  MetricsResponse,
  PreviousLogsQuery,
  PreviousLogsResponse,
  RawLogsQuery,
  RawLogsResponse,
  ReplicasResponse,
  RunbookActionRequest,
  RunbookResponse,
  SilentOutagesQuery,
  SilentOutagesResponse,
  TelemetryResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * A started node-forensics run, or the run already in flight (or finished
 * within the backend's dedupe window) for the same pod and container, which
 * the backend answers instead of starting another.
 *
 * @public
 */
export interface ForensicsStart {
  run: ForensicsRun;
  /** The backend reused an existing run rather than starting one. */
  existing: boolean;
}

/**
 * A postmortem of an entity's incident, as the backend wrote it.
 *
 * @public
 */
export interface PostmortemExport {
  /** The document, in Markdown. */
  markdown: string;
  /** The file name to save it under, the backend's when it named one. */
  filename: string;
}

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
  /**
   * Alerts about the entity's pods and workload: firing or pending now,
   * and the firing intervals of the range.
   */
  getAlerts(query: EvidenceQuery): Promise<AlertsResponse>;
  /**
   * Starts node forensics on one of the entity's pods, or answers the run
   * already under way for it. Fails with a `ForensicsRequestError`.
   */
  startForensics(request: ForensicsRequest): Promise<ForensicsStart>;
  /**
   * One forensics run; `entityRef` picks the Kubernetes credentials sent
   * along, as for the evidence. With `waitForChangeAfter`, the backend
   * answers once the run's status is another one, or after its longest
   * wait (about 20 s) with the run unchanged; `signal` ends the request.
   */
  getForensicsRun(
    id: string,
    options?: {
      entityRef?: string;
      signal?: AbortSignal;
    } & ForensicsReadQuery,
  ): Promise<ForensicsRun>;
  /** The entity's forensics runs, newest first. */
  listForensicsRuns(entityRef: string): Promise<ForensicsRunsResponse>;
  /**
   * The entity's current incident (or its most recent one, or none) and
   * the runbook for the most likely cause.
   */
  getRunbook(entityRef: string): Promise<RunbookResponse>;
  /** The postmortem of the entity's current or most recent incident. */
  exportPostmortem(entityRef: string): Promise<PostmortemExport>;
  /**
   * Records a step done by hand or skipped, a note or a fix on the
   * entity's incident; answers the runbook as it stands after it.
   */
  recordRunbookAction(request: RunbookActionRequest): Promise<RunbookResponse>;
  /**
   * The last sweep of the fleet for containers that terminated abnormally
   * (`range`: 1h by default), with the next to OOM and the top
   * restarters. Needs the `observability-ir.fleet.read` permission.
   */
  getSilentOutages(query?: SilentOutagesQuery): Promise<SilentOutagesResponse>;
  /**
   * The telemetry audit of every entity with Kubernetes annotations. Needs
   * the `observability-ir.fleet.read` permission.
   */
  getFleetTelemetry(): Promise<FleetTelemetryResponse>;
  /** The telemetry pipeline of one entity, per cluster: metrics and logs. */
  getTelemetry(entityRef: string): Promise<TelemetryResponse>;
  /**
   * Log lines of one of the entity's pods in Loki, in a window around a
   * moment (`at`, default now); `search` keeps lines containing the text.
   */
  getRawLogs(query: RawLogsQuery): Promise<RawLogsResponse>;
  /** The end of the previous instance's log of a container of one of its pods. */
  getPreviousLogs(query: PreviousLogsQuery): Promise<PreviousLogsResponse>;
}

/**
 * Reference to the {@link ObservabilityIrApi}.
 *
 * @public
 */
export const observabilityIrApiRef = createApiRef<ObservabilityIrApi>({
  id: 'plugin.observability-ir.client',
});
