import {
  MetricSeries,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import {
  analyseCycles,
  cycleShape,
  CycleShape,
  MemoryCycle,
} from './memoryCycles';
import {
  counterIncrease,
  DiagnosedMetrics,
  isSeriesOf,
  valueAtTime,
} from './seriesFacts';

/** A cycle of one pod's working set, with its shape. */
export interface PodCycle extends MemoryCycle {
  cluster: string;
  pod: string;
  shape: CycleShape;
}

/** The memory of one container (by name) across its pods. */
export interface ContainerMemory {
  cluster: string;
  container: string;
  /** For sentences: the container, with its cluster when there are several. */
  name: string;
  /** The highest working set over the range and where it was. */
  peak?: { bytes: number; pod: string; limit?: number; share?: number };
  /** The limit in force now: from Kubernetes, else the latest series point. */
  currentLimit?: number;
  /** Every cycle of every pod, in time order. */
  cycles: PodCycle[];
  /** A raise of the limit within the range. */
  raise?: { from: number; to: number; atMs: number };
  /** The pod that restarted most in the range, and how often. */
  runs?: { pod: string; restarts: number; everyMs: number };
  /**
   * False when the runs are shorter than three scrape steps: the series
   * cannot show how the working set climbs within a run.
   */
  resolved: boolean;
}

/** A limit this many times every limit before it (5% above) is a raise. */
export const LIMIT_RAISE_FACTOR = 1.05;

/** Runs shorter than this many scrape steps are not resolved by a series. */
export const MIN_RUN_STEPS = 3;

/**
 * The memory of every container (by cluster and name) from its working set
 * and limit series and the limits of its replicas: cycles and their shape,
 * the peak, the limit now and any raise of it, and how often it restarts.
 */
export function analyseMemory(
  allReplicas: Replica[],
  metrics: Pick<DiagnosedMetrics, 'memory' | 'restarts'>,
): ContainerMemory[] {
  const { workingSet, limit: limits } = metrics.memory;
  // One entry per cluster and container name: clusters differ in limits.
  const keys = new Map<string, { cluster: string; container: string }>();
  for (const x of [
    ...allReplicas,
    ...workingSet.map(s => ({ cluster: s.cluster, container: s.container })),
  ]) {
    const container = x.container ?? '';
    keys.set(`${x.cluster}\u0000${container}`, {
      cluster: x.cluster,
      container,
    });
  }
  const clusters = new Set([...keys.values()].map(k => k.cluster));
  const ofThis = (cluster: string, container: string) => (s: MetricSeries) =>
    s.cluster === cluster && (s.container ?? '') === container;
  const result: ContainerMemory[] = [];
  for (const key of [...keys.keys()].sort()) {
    const { cluster, container } = keys.get(key)!;
    const mine = ofThis(cluster, container);
    const replicas = allReplicas.filter(
      r => r.cluster === cluster && r.container === container,
    );
    const k8sLimits = replicas
      .map(r => r.limits.memoryBytes)
      .filter((v): v is number => v !== undefined);
    const cycles: PodCycle[] = [];
    let peak: ContainerMemory['peak'];
    let latestLimit: { ms: number; bytes: number } | undefined;
    for (const series of workingSet.filter(mine)) {
      const limitSeries = limits.find(l => isSeriesOf(l, series));
      const replica = replicas.find(r => isSeriesOf(series, r));
      const limitAt = (ms: number) =>
        valueAtTime(limitSeries, ms) ?? replica?.limits.memoryBytes;
      const lastLimitPoint = limitSeries?.points[limitSeries.points.length - 1];
      if (
        lastLimitPoint &&
        (!latestLimit || lastLimitPoint[0] > latestLimit.ms)
      ) {
        latestLimit = { ms: lastLimitPoint[0], bytes: lastLimitPoint[1] };
      }
      for (const cycle of analyseCycles(series.points, limitAt)) {
        cycles.push({
          ...cycle,
          cluster: series.cluster,
          pod: series.pod,
          shape: cycleShape(cycle),
        });
        if (!peak || cycle.peak > peak.bytes) {
          peak = {
            bytes: cycle.peak,
            pod: series.pod,
            limit: cycle.limit,
            share: cycle.peakShare,
          };
        }
      }
    }
    cycles.sort((a, b) => a.startMs - b.startMs);
    const currentLimit = k8sLimits.length
      ? Math.max(...k8sLimits)
      : latestLimit?.bytes;
    // A raise: a limit 5% or more above every limit before it, from the
    // limit series (in place or in new pods), else from the cycles.
    const limitPoints: Array<[number, number]> = limits
      .filter(mine)
      .flatMap(l => l.points);
    if (limitPoints.length === 0) {
      for (const cycle of cycles) {
        if (cycle.limit !== undefined) {
          limitPoints.push([cycle.startMs, cycle.limit]);
        }
      }
    }
    limitPoints.sort((a, b) => a[0] - b[0]);
    let raise: ContainerMemory['raise'];
    let highest: number | undefined;
    for (const [t, bytes] of limitPoints) {
      if (highest !== undefined && bytes > highest * LIMIT_RAISE_FACTOR) {
        raise = { from: highest, to: bytes, atMs: t };
        break;
      }
      highest = Math.max(highest ?? 0, bytes);
    }
    let runs: ContainerMemory['runs'];
    for (const series of metrics.restarts.filter(mine)) {
      const restarts = counterIncrease(series.points);
      const duration =
        series.points.length > 1
          ? series.points[series.points.length - 1][0] - series.points[0][0]
          : 0;
      if (restarts > 0 && duration > 0 && (!runs || restarts > runs.restarts)) {
        runs = { pod: series.pod, restarts, everyMs: duration / restarts };
      }
    }
    const steps = workingSet
      .filter(mine)
      .flatMap(s => s.points.slice(1).map((p, i) => p[0] - s.points[i][0]))
      .sort((a, b) => a - b);
    const step = steps[Math.floor(steps.length / 2)];
    const resolved =
      !runs || step === undefined || runs.everyMs >= MIN_RUN_STEPS * step;
    if (replicas.length || cycles.length) {
      result.push({
        cluster,
        container,
        name:
          clusters.size > 1 ? `${container} in cluster ${cluster}` : container,
        peak,
        currentLimit,
        cycles,
        raise,
        runs,
        resolved,
      });
    }
  }
  return result;
}
