import {
  MetricSeries,
  MetricsResponse,
} from '@observability-ir/plugin-observability-ir-common';

type Point = [number, number];

/** The series the diagnosis reads. */
export type DiagnosedMetrics = Pick<
  MetricsResponse,
  'memory' | 'cpu' | 'restarts' | 'ready'
>;

/**
 * Whether a series belongs to a container of a pod. A side without a
 * container name matches every container of the pod.
 */
export function isSeriesOf(
  series: MetricSeries,
  replica: { cluster: string; pod: string; container?: string },
): boolean {
  return (
    series.cluster === replica.cluster &&
    series.pod === replica.pod &&
    (series.container === undefined ||
      replica.container === undefined ||
      series.container === replica.container)
  );
}

/** The increase of a cumulative counter, counting resets. */
export function counterIncrease(points: Point[]): number {
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const delta = points[i][1] - points[i - 1][1];
    increase += delta >= 0 ? delta : points[i][1];
  }
  return increase;
}

/**
 * The value in force at a moment: the last point at or before it, else the
 * first point; none for a missing or empty series.
 */
export function valueAtTime(
  series: MetricSeries | undefined,
  ms: number,
): number | undefined {
  if (!series || series.points.length === 0) {
    return undefined;
  }
  let value = series.points[0][1];
  for (const [t, v] of series.points) {
    if (t > ms) {
      break;
    }
    value = v;
  }
  return value;
}

/** Drops the NaN and ±Inf points Prometheus answers for 0/0 and the like. */
export function withFinitePoints(metrics: DiagnosedMetrics): DiagnosedMetrics {
  const clean = (list: MetricSeries[]) =>
    list.map(s => ({
      ...s,
      points: s.points.filter(
        p => Number.isFinite(p[0]) && Number.isFinite(p[1]),
      ),
    }));
  const { memory, cpu, restarts, ready } = metrics;
  return {
    memory: {
      workingSet: clean(memory.workingSet),
      limit: clean(memory.limit),
      request: clean(memory.request),
    },
    cpu: {
      usage: clean(cpu.usage),
      limit: clean(cpu.limit),
      throttledShare: clean(cpu.throttledShare),
    },
    restarts: clean(restarts),
    ready: clean(ready),
  };
}
