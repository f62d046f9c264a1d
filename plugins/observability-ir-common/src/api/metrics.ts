import { TimeRange } from './request';
import { SourceStatus } from './sources';

/**
 * A series of one container (or pod) over the range: `[unix milliseconds,
 * value]` points in time order.
 *
 * @public
 */
export interface MetricSeries {
  cluster: string;
  pod: string;
  container?: string;
  points: Array<[number, number]>;
}

/**
 * A query the backend ran, for users to run again in their own tools.
 *
 * @public
 */
export interface ExecutedQuery {
  /** What the query is for, e.g. `memory working set`. */
  name: string;
  /** The cluster it ran against. */
  cluster: string;
  query: string;
}

/**
 * `GET /v1/metrics`: everything the lab's dashboard showed.
 *
 * @public
 */
export interface MetricsResponse {
  entityRef: string;
  range: TimeRange;
  memory: {
    /** Bytes. */
    workingSet: MetricSeries[];
    /** Bytes. */
    limit: MetricSeries[];
    /** Bytes. */
    request: MetricSeries[];
  };
  cpu: {
    /** Cores. */
    usage: MetricSeries[];
    /** Cores. */
    limit: MetricSeries[];
    /** Share (0–1) of CFS periods in which the container was throttled. */
    throttledShare: MetricSeries[];
  };
  /** Cumulative restart count per container. */
  restarts: MetricSeries[];
  /** 1 when the container was ready, 0 when not. */
  ready: MetricSeries[];
  queries: ExecutedQuery[];
  sources: SourceStatus[];
}
