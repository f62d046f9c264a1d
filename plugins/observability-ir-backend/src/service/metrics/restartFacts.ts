import {
  MetricSeries,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { counterIncrease, isSeriesOf } from './seriesFacts';

/** How often containers restarted. */
export interface RestartFacts {
  /** Restarts within the range (from Prometheus), else the restart count. */
  of(replica: Replica): number;
  /** Whether Prometheus gave the restarts within the range. */
  fromRange: boolean;
  /**
   * Restarts of all containers: in the range when Prometheus gave them,
   * else the restart counts.
   */
  total: number;
}

/**
 * Restarts from the restart counter series, which count only the range,
 * else from the restart counts of the replicas.
 */
export function analyseRestarts(
  replicas: Replica[],
  restartSeries: MetricSeries[],
): RestartFacts {
  const of = (replica: Replica) => {
    const series = restartSeries.find(s => isSeriesOf(s, replica));
    return series ? counterIncrease(series.points) : replica.restartCount;
  };
  return {
    of,
    fromRange: restartSeries.length > 0,
    total: replicas.length
      ? replicas.reduce((sum, r) => sum + of(r), 0)
      : restartSeries.reduce((sum, s) => sum + counterIncrease(s.points), 0),
  };
}
