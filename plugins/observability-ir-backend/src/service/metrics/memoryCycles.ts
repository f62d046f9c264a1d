/**
 * The shape of a working set series between restarts: a leak climbs
 * steadily through every cycle, an undersized limit is reached soon after
 * each start.
 */

type Point = [number, number];

/** A drop of 30% or more from one point to the next is a restart. */
export const RESTART_DROP = 0.3;
/** A cycle that needs 10 minutes or more to climb is slow. */
export const SLOW_CLIMB_MS = 10 * 60_000;
/** A cycle needs this many points for its shape to mean anything. */
export const MIN_CYCLE_POINTS = 3;
/** Near the limit: 90% of it or more. */
export const NEAR_LIMIT_SHARE = 0.9;
/** A gap of more than this many median steps between points is a restart. */
export const GAP_STEPS = 3;

/** The thresholds {@link cycleShape} tells a run's shape by. */
export const SHAPE = {
  /** A rise under this share of the limit (or of the peak) is flat. */
  flatRiseShare: 0.1,
  /** A steady climb has at least this many points… */
  steadyMinPoints: 5,
  /** …rises by this share of the limit or more… */
  steadyRiseShare: 0.2,
  /** …fits a straight line at least this well (R²)… */
  steadyMinR2: 0.8,
  /** …and has done at most this share of its rise by half time. */
  steadyMaxFirstHalfShare: 0.65,
  /** A run that has done this share of its rise by half time plateaus. */
  plateauFirstHalfShare: 0.8,
  /**
   * A window that begins without a restart shows when the run started only
   * if its first point is below this share of the limit; from higher up,
   * reaching the limit soon after the window starts says nothing about how
   * soon after its start the run did.
   */
  freshStartMaxShare: 0.5,
} as const;

/** One run of a container, between two restarts. */
export interface MemoryCycle {
  startMs: number;
  endMs: number;
  points: number;
  first: number;
  peak: number;
  /** Bytes per minute, least squares. */
  slopePerMinute: number;
  /** How well a straight line fits (0–1). */
  r2: number;
  /**
   * The share of the climb (first point to peak) done by the middle of the
   * cycle: 0.5 for a straight line, close to 1 for a quick rise to a
   * plateau.
   */
  firstHalfShare?: number;
  /** The limit in force at the peak, when known. */
  limit?: number;
  peakShare?: number;
  /** From the start to the first point at 90% of the limit. */
  msToNearLimit?: number;
  /** True when a restart (a drop or a gap) began the cycle. */
  startedByRestart: boolean;
  /** True when a restart (a drop or a gap) ended the cycle. */
  endedByRestart: boolean;
}

/** How a cycle climbs. */
export type CycleShape =
  /** A straight, slow climb of 20% of the limit or more. */
  | 'steady-climb'
  /**
   * At 90% of the limit within 10 minutes of the start: of a restart, or of
   * a window that begins below half the limit.
   */
  | 'quick-to-limit'
  /** A rise done in the first half, then flat. */
  | 'plateau'
  /** No climb worth the name (under 10% of the limit). */
  | 'flat'
  | 'unclear';

/** Splits a series at restarts: drops of 30% or more, and gaps. */
export function splitCycles(points: Point[]): Point[][] {
  const sorted = points.filter(p => Number.isFinite(p[1]));
  if (sorted.length === 0) {
    return [];
  }
  const steps = sorted
    .slice(1)
    .map((p, i) => p[0] - sorted[i][0])
    .sort((a, b) => a - b);
  const medianStep = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
  const cycles: Point[][] = [[sorted[0]]];
  for (let i = 1; i < sorted.length; i++) {
    const [t, v] = sorted[i];
    const [pt, pv] = sorted[i - 1];
    const dropped = v < pv * (1 - RESTART_DROP);
    const gap = medianStep > 0 && t - pt > GAP_STEPS * medianStep;
    if (dropped || gap) {
      cycles.push([]);
    }
    cycles[cycles.length - 1].push(sorted[i]);
  }
  return cycles;
}

function linearFit(points: Point[]): { slope: number; r2: number } {
  const n = points.length;
  if (n < 2) {
    return { slope: 0, r2: 0 };
  }
  const t0 = points[0][0];
  const xs = points.map(p => (p[0] - t0) / 60_000);
  const ys = points.map(p => p[1]);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) {
    return { slope: 0, r2: 0 };
  }
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}

function valueAt(points: Point[], ms: number): number {
  for (let i = 1; i < points.length; i++) {
    const [t1, v1] = points[i];
    const [t0, v0] = points[i - 1];
    if (t1 >= ms) {
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (ms - t0)) / (t1 - t0);
    }
  }
  return points[points.length - 1][1];
}

/**
 * The cycles of a working set series. `limitAt` gives the memory limit in
 * force at a moment, when known.
 */
export function analyseCycles(
  points: Point[],
  limitAt: (ms: number) => number | undefined,
): MemoryCycle[] {
  const parts = splitCycles(points);
  return parts.map((part, index) => {
    const startMs = part[0][0];
    const endMs = part[part.length - 1][0];
    const first = part[0][1];
    let peak = first;
    let peakMs = startMs;
    for (const [t, v] of part) {
      if (v > peak) {
        peak = v;
        peakMs = t;
      }
    }
    const { slope, r2 } = linearFit(part);
    const limit = limitAt(peakMs);
    const rise = peak - first;
    const firstHalfShare =
      part.length >= 3 && rise > 0
        ? (valueAt(part, (startMs + endMs) / 2) - first) / rise
        : undefined;
    const near = limit
      ? part.find(([, v]) => v >= NEAR_LIMIT_SHARE * limit)
      : undefined;
    return {
      startMs,
      endMs,
      points: part.length,
      first,
      peak,
      slopePerMinute: slope,
      r2,
      firstHalfShare,
      limit,
      peakShare: limit ? peak / limit : undefined,
      msToNearLimit: near ? near[0] - startMs : undefined,
      startedByRestart: index > 0,
      endedByRestart: index < parts.length - 1,
    };
  });
}

/** How a cycle climbs; see {@link CycleShape}. */
export function cycleShape(cycle: MemoryCycle): CycleShape {
  const scale = cycle.limit ?? cycle.peak;
  const rise = cycle.peak - cycle.first;
  const duration = cycle.endMs - cycle.startMs;
  const seenFromStart =
    cycle.startedByRestart ||
    (cycle.limit !== undefined &&
      cycle.first < SHAPE.freshStartMaxShare * cycle.limit);
  if (
    seenFromStart &&
    cycle.msToNearLimit !== undefined &&
    cycle.msToNearLimit < SLOW_CLIMB_MS
  ) {
    return 'quick-to-limit';
  }
  if (scale <= 0 || rise < SHAPE.flatRiseShare * scale) {
    return 'flat';
  }
  if (
    duration >= SLOW_CLIMB_MS &&
    cycle.points >= SHAPE.steadyMinPoints &&
    rise >= SHAPE.steadyRiseShare * scale &&
    cycle.slopePerMinute > 0 &&
    cycle.r2 >= SHAPE.steadyMinR2 &&
    (cycle.firstHalfShare ?? 1) <= SHAPE.steadyMaxFirstHalfShare
  ) {
    return 'steady-climb';
  }
  if ((cycle.firstHalfShare ?? 0) >= SHAPE.plateauFirstHalfShare) {
    return 'plateau';
  }
  return 'unclear';
}
