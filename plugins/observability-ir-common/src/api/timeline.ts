import { TimeRange } from './request';
import { SourceStatus } from './sources';

/**
 * Something that happened to the entity's containers.
 *
 * @public
 */
export interface TimelineEvent {
  /**
   * `termination`: a container ended (with reason and exit code).
   * `error-burst`: error log lines close together.
   */
  kind: 'termination' | 'error-burst';
  /** RFC 3339. */
  time: string;
  cluster: string;
  pod: string;
  container?: string;
  /** For terminations. */
  reason?: string;
  exitCode?: number;
  /** Working set one minute before, and the limit it ran against. */
  workingSetBytesBefore?: number;
  memoryLimitBytes?: number;
  /** Error lines of the same pod in the 30 s before a termination. */
  errorLinesBefore?: number;
  /** For bursts: how many lines, and the most common signature. */
  lineCount?: number;
  signature?: string;
  /** One sentence, e.g. "OOMKilled at 14:02:10 — working set 99% of 512Mi one minute before; 3 OutOfMemoryError lines in the 30 s before". */
  summary: string;
}

/**
 * `GET /v1/timeline`.
 *
 * @public
 */
export interface TimelineResponse {
  entityRef: string;
  range: TimeRange;
  /** In time order. */
  events: TimelineEvent[];
  correlation: {
    terminations: number;
    /** Terminations with error lines of the same pod in the 30 s before. */
    withErrorsBefore: number;
    /** Terminations with the working set at 90% of the limit or more before. */
    withMemoryNearLimit: number;
    /** How consistently logs and memory line up with terminations. */
    strength: 'strong' | 'moderate' | 'weak' | 'none';
    summary: string;
  };
  sources: SourceStatus[];
}
