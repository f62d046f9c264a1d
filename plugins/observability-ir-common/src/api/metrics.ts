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
  /**
   * Set in a shaped answer (see {@link MetricsShape}) on a series that
   * stands for several containers: the `others` line of the containers not
   * drawn on their own (`of`: their highest value at each instant, their
   * sum, or their mean), or a limit or request shared by `containers` of
   * them (`of: 'same'`; `cluster`, `pod` and `container` name the first).
   */
  aggregate?: { of: 'max' | 'sum' | 'mean' | 'same'; containers: number };
}

/**
 * How a shaped answer (one asked with `width`) was reduced from the
 * series Prometheus returned: the containers most relevant to the incident
 * by their own series, the rest as one `others` series per metric, limits
 * and requests once per distinct value, and every series downsampled to
 * the chart's width keeping each slice's lowest and highest point.
 *
 * @public
 */
export interface MetricsShape {
  /** The width asked for, in pixels; no series has more points. */
  width: number;
  /** Whether the series were downsampled (else they are as scraped). */
  downsampled: boolean;
  /** Containers with a series in the range. */
  containersTotal: number;
  /**
   * The containers with series of their own, most relevant first: a
   * peak near its memory or CPU limit, throttling, restarts in the range
   * and time not ready; the pod asked for with `pod` among them.
   */
  shown: Array<{ cluster: string; pod: string; container?: string }>;
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
 * `GET /v1/metrics`: everything the lab's dashboard showed; with `width`,
 * only what a chart of that width draws (see {@link MetricsShape}).
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
  /** Present when the request gave `width`: how the series were reduced. */
  shape?: MetricsShape;
}
