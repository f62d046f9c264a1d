import {
  ForensicsVerdict,
  IncidentAlert,
  LogErrorGroup,
  NodeSummary,
  PodEvent,
  Replica,
  SourceStatus,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { DiagnosedMetrics } from '../metrics/seriesFacts';

/**
 * Everything the diagnosis weighs, gathered for one entity over one time
 * range. Any part may be empty when its source did not answer; `sources`
 * says which answered.
 */
export interface DiagnosisInput {
  /** Kubernetes: pods, containers, their states and resources. */
  replicas: Replica[];
  events: PodEvent[];
  nodes: NodeSummary[];
  /** Prometheus series over the range. */
  metrics: DiagnosedMetrics;
  /** Loki error groups over the range. */
  logGroups: LogErrorGroup[];
  /** Terminations and error bursts on one axis, with their correlation. */
  timeline: Pick<TimelineResponse, 'events' | 'correlation'>;
  sources: SourceStatus[];
  /**
   * Alerts about the entity's pods and workload in the range (Prometheus,
   * its `ALERTS` history, Alertmanager): noted, never weighed.
   */
  alerts?: IncidentAlert[];
  /**
   * The newest node-forensics run of the entity that succeeded within the
   * range: what the kernel showed of one of its containers.
   */
  forensics?: ForensicsEvidence;
  /**
   * The working set, limits and restarts over a look-back longer than the
   * range (24 hours by default), at a coarser step: how runs climb is read
   * from it, whatever range is on screen, so a leak slower than the range
   * is seen as one.
   */
  lookback?: MemoryLookback;
}

/** The memory series over the look-back, and the span they cover. */
export interface MemoryLookback {
  /** Unix milliseconds; the start asked for. */
  startMs: number;
  endMs: number;
  stepSeconds: number;
  metrics: Pick<DiagnosedMetrics, 'memory' | 'restarts'>;
}

/** A node-forensics verdict, as the diagnosis weighs it. */
export interface ForensicsEvidence {
  /** The pod the run looked at. */
  pod: string;
  /** When the run finished, RFC 3339. */
  finishedAt: string;
  verdict: ForensicsVerdict;
}
