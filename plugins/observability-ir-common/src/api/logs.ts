import { ExecutedQuery } from './metrics';
import { TimeRange } from './request';
import { SourceStatus } from './sources';

/**
 * One error log line, with the stack trace that followed it.
 *
 * @public
 */
export interface LogSample {
  /** RFC 3339 with milliseconds. */
  timestamp: string;
  cluster: string;
  pod: string;
  container?: string;
  line: string;
  /** The `at …` / `Caused by: …` lines after it, when there were any. */
  stackTrace?: string[];
}

/**
 * Error lines that share a signature: exception class and message, with
 * numbers, ids and addresses masked.
 *
 * @public
 */
export interface LogErrorGroup {
  signature: string;
  /** e.g. `java.lang.OutOfMemoryError`, when the lines name one. */
  exceptionClass?: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  pods: string[];
  /** Counts per equal slice of the range, for a sparkline. */
  histogram: number[];
  sample: LogSample;
}

/**
 * `GET /v1/logs`.
 *
 * @public
 */
export interface LogsResponse {
  entityRef: string;
  range: TimeRange;
  /** Most frequent first. */
  groups: LogErrorGroup[];
  /** Error lines read; at most the backend's line limit. */
  linesRead: number;
  /** True when Loki had more lines than the limit. */
  truncated: boolean;
  /** The LogQL run, per cluster, to paste into Grafana Explore. */
  queries: ExecutedQuery[];
  sources: SourceStatus[];
}
