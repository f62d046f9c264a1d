import {
  MetricSeries,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { DiagnosedMetrics, isSeriesOf } from './seriesFacts';

/** CPU of one container of one pod over the range. */
export interface ContainerCpu {
  cluster: string;
  pod: string;
  container: string;
  meanUsage?: number;
  limit?: number;
  meanThrottled?: number;
  /** Share of samples with more than {@link THROTTLED_SHARE} of periods throttled. */
  sustainedThrottled?: number;
}

/** Throttled share above which a sample counts as throttled. */
export const THROTTLED_SHARE = 0.25;

function mean(values: number[]): number | undefined {
  return values.length
    ? values.reduce((a, b) => a + b, 0) / values.length
    : undefined;
}

/**
 * The CPU of every container of every pod: mean usage, the limit (from the
 * series, else from Kubernetes) and how much the CFS quota throttled it.
 */
export function analyseCpu(
  replicas: Replica[],
  cpu: DiagnosedMetrics['cpu'],
): ContainerCpu[] {
  const { usage, limit, throttledShare } = cpu;
  const keys = new Map<string, ContainerCpu>();
  const key = (s: MetricSeries) => `${s.cluster}/${s.pod}/${s.container ?? ''}`;
  const entry = (s: MetricSeries) => {
    const k = key(s);
    let e = keys.get(k);
    if (!e) {
      e = { cluster: s.cluster, pod: s.pod, container: s.container ?? '' };
      keys.set(k, e);
    }
    return e;
  };
  for (const s of usage) {
    entry(s).meanUsage = mean(s.points.map(p => p[1]));
  }
  for (const s of limit) {
    const last = s.points[s.points.length - 1];
    if (last) {
      entry(s).limit = last[1];
    }
  }
  for (const s of throttledShare) {
    const values = s.points.map(p => p[1]);
    const e = entry(s);
    e.meanThrottled = mean(values);
    e.sustainedThrottled = values.length
      ? values.filter(v => v > THROTTLED_SHARE).length / values.length
      : undefined;
  }
  for (const replica of replicas) {
    const e = [...keys.values()].find(c =>
      isSeriesOf(
        { cluster: c.cluster, pod: c.pod, container: c.container, points: [] },
        replica,
      ),
    );
    if (e && e.limit === undefined) {
      e.limit = replica.limits.cpuCores;
    }
  }
  return [...keys.values()];
}
