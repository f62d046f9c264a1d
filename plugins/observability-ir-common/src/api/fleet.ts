import { z } from 'zod';
import { RANGE_PRESETS, RangePreset } from './request';
import { SourceStatus } from './sources';

/**
 * The paths of the platform team's fleet endpoints, relative to the
 * plugin's base URL. Both need the `observability-ir.fleet.read`
 * permission.
 *
 * @public
 */
export const FLEET_PATHS = {
  /** `GET`: a {@link SilentOutagesResponse}. */
  silentOutages: '/v1/fleet/silent-outages',
  /** `GET`: a {@link FleetTelemetryResponse}. */
  telemetry: '/v1/fleet/telemetry',
} as const;

const presetNames = Object.keys(RANGE_PRESETS) as [
  RangePreset,
  ...RangePreset[],
];

/**
 * The query of `GET /v1/fleet/silent-outages`: a range preset that ends at
 * the sweep's time (default `1h`).
 *
 * @public
 */
export const silentOutagesQuerySchema = z
  .object({ range: z.enum(presetNames).optional() })
  .strict();

/**
 * A parsed {@link silentOutagesQuerySchema}.
 *
 * @public
 */
export type SilentOutagesQuery = z.infer<typeof silentOutagesQuerySchema>;

/**
 * The catalog entity that claims a pod (by its `backstage.io/kubernetes-id`
 * or `backstage.io/kubernetes-label-selector` annotation, within its
 * `backstage.io/kubernetes-namespace` when it names one), and its owner.
 *
 * @public
 */
export interface FleetOwner {
  /** `component:default/checkout-api` */
  entityRef: string;
  /** The entity's title, else its name. */
  title: string;
  /** `group:default/finance-team`; absent when the entity names none. */
  ownerRef?: string;
}

/**
 * Where a finding was read: the pod's status from the Kubernetes API, or
 * kube-state-metrics in Prometheus (kills between two polls of the API).
 *
 * @public
 */
export type FindingSource = 'kubernetes' | 'prometheus';

/**
 * A container that terminated abnormally within the range: OOMKilled, or
 * ended with a failure code or a signal.
 *
 * @public
 */
export interface SilentOutageFinding {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  /** `OOMKilled`, `Error`, ... as Kubernetes gives it. */
  reason: string;
  /** Absent when only kube-state-metrics saw the kill. */
  exitCode?: number;
  /** Restarts of the container within the range. */
  restartsInRange: number;
  /** Its restart count now. */
  restartCount: number;
  /** RFC 3339: when it last terminated abnormally. */
  lastKilledAt?: string;
  /** Bytes; the container's memory limit, when it has one. */
  memoryLimitBytes?: number;
  source: FindingSource;
  /** The claiming entity; absent for pods no entity claims (unowned). */
  owner?: FleetOwner;
}

/**
 * A container whose working set is at or above a share of its memory
 * limit (90% by default): the next to be OOMKilled.
 *
 * @public
 */
export interface NearOomFinding {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  workingSetBytes: number;
  memoryLimitBytes: number;
  /** workingSet / limit. */
  share: number;
  owner?: FleetOwner;
}

/**
 * A container among those that restarted most in the range.
 *
 * @public
 */
export interface TopRestarter {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  restartsInRange: number;
  restartCount: number;
  owner?: FleetOwner;
}

/**
 * What the last sweep of the fleet found.
 *
 * @public
 */
export interface SilentOutagesResponse {
  /** RFC 3339: when the sweep ran; absent before its first run. */
  sweptAt?: string;
  range: RangePreset;
  /** Pods read, across every cluster. */
  podsScanned: number;
  findings: SilentOutageFinding[];
  nearOom: NearOomFinding[];
  /** The share of the limit from which a working set is next to OOM. */
  nearOomShare: number;
  topRestarters: TopRestarter[];
  /** Per cluster and source: whether it answered. */
  sources: SourceStatus[];
  /** True while the first sweep is still running. */
  pending?: boolean;
}

/**
 * The state of one check of the telemetry pipeline.
 *
 * @public
 */
export type TelemetryCheckStatus = 'ok' | 'warning' | 'missing' | 'unknown';

/**
 * One check of an entity's telemetry pipeline, with what to do when it
 * fails.
 *
 * @public
 */
export interface TelemetryCheck {
  /**
   * `service`, `service-monitor`, `endpoint-port`, `namespace-selected`,
   * `target-up`, `series-present`, `log-streams`, `log-recent`,
   * `log-kubernetes-labels`.
   */
  id: string;
  title: string;
  status: TelemetryCheckStatus;
  /** One sentence with the facts: names, labels, errors, times. */
  detail: string;
}

/**
 * The metrics side of an entity's telemetry: Service, ServiceMonitor,
 * Prometheus target, series.
 *
 * @public
 */
export interface MetricsPipelineAudit {
  cluster: string;
  /** The entity's Services, by name. */
  services: string[];
  /** `monitoring/backend-telemetry`: the ServiceMonitors that select them. */
  serviceMonitors: string[];
  checks: TelemetryCheck[];
  /** The likely cause when a check fails, one sentence. */
  likelyCause?: string;
  /** A ServiceMonitor ready to apply, when none selects the Service. */
  suggestedServiceMonitor?: string;
}

/**
 * The logs side: the entity's Loki streams and their Kubernetes labels.
 *
 * @public
 */
export interface LogsPipelineAudit {
  cluster: string;
  /** The label names the entity's streams carry. */
  labels: string[];
  /** RFC 3339: the newest entry seen. */
  newestEntryAt?: string;
  checks: TelemetryCheck[];
  likelyCause?: string;
  /** Fluent Bit's kubernetes filter to add, when the labels are missing. */
  suggestedFluentBitFilter?: string;
}

/**
 * The query of `GET /v1/telemetry`.
 *
 * @public
 */
export const telemetryQuerySchema = z
  .object({ entityRef: z.string().min(1).max(512) })
  .strict();

/**
 * The path of `GET /v1/telemetry`, relative to the plugin's base URL; it
 * follows the entity's incident read permission.
 *
 * @public
 */
export const TELEMETRY_PATH = '/v1/telemetry';

/**
 * An entity's telemetry pipeline audit, per cluster.
 *
 * @public
 */
export interface TelemetryResponse {
  entityRef: string;
  metrics: MetricsPipelineAudit[];
  logs: LogsPipelineAudit[];
  sources: SourceStatus[];
}

/**
 * One row of the fleet's telemetry table: an entity and the worst state of
 * its checks.
 *
 * @public
 */
export interface FleetTelemetryRow {
  owner: FleetOwner;
  metrics: TelemetryCheckStatus;
  logs: TelemetryCheckStatus;
  /** The first failing check's detail, when one fails. */
  problem?: string;
}

/**
 * The telemetry audit of every entity with Kubernetes annotations.
 *
 * @public
 */
export interface FleetTelemetryResponse {
  auditedAt?: string;
  rows: FleetTelemetryRow[];
  sources: SourceStatus[];
  pending?: boolean;
}
