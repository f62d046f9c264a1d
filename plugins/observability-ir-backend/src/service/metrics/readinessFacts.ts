import { MetricSeries } from '@observability-ir/plugin-observability-ir-common';
import { counterIncrease, isSeriesOf } from './seriesFacts';

/** Readiness of one container over the range, from Prometheus. */
export interface ContainerReadiness {
  cluster: string;
  pod: string;
  container?: string;
  /** Share of the samples in which it was not ready. */
  notReadyShare: number;
  /** At the last sample. */
  ready: boolean;
  /** Restarts in the range. */
  restarts: number;
}

/** Readiness per container, with its restarts in the range. */
export function analyseReadiness(
  ready: MetricSeries[],
  restartSeries: MetricSeries[],
): ContainerReadiness[] {
  return ready
    .filter(s => s.points.length > 0)
    .map(s => ({
      cluster: s.cluster,
      pod: s.pod,
      container: s.container,
      notReadyShare: s.points.filter(p => p[1] < 1).length / s.points.length,
      ready: s.points[s.points.length - 1][1] >= 1,
      restarts: counterIncrease(
        restartSeries.find(r => isSeriesOf(r, s))?.points ?? [],
      ),
    }));
}
