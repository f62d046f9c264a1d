import { PromQLExecutionError } from './ast';
import { RangeSeries } from './values';

/** Context a range function needs: the window it ran over. */
export interface RangeWindow {
  /** Exclusive start and inclusive end of the window, in ms. */
  startMs: number;
  endMs: number;
  rangeMs: number;
}

/**
 * Prometheus's extrapolated rate: the increase between the first and last
 * sample (with counter resets corrected), extrapolated towards the window
 * edges when the samples come close to them, but never below zero for
 * counters.
 */
function extrapolatedRate(
  s: RangeSeries,
  w: RangeWindow,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const n = s.t.length;
  if (n < 2) return undefined;
  let result = s.v[n - 1] - s.v[0];
  if (isCounter) {
    for (let i = 1; i < n; i++) {
      if (s.v[i] < s.v[i - 1]) result += s.v[i - 1];
    }
  }
  let durationToStart = (s.t[0] - w.startMs) / 1000;
  const durationToEnd = (w.endMs - s.t[n - 1]) / 1000;
  const sampled = (s.t[n - 1] - s.t[0]) / 1000;
  const averageBetween = sampled / (n - 1);
  if (isCounter && result > 0 && s.v[0] >= 0) {
    const durationToZero = sampled * (s.v[0] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let extrapolateTo = sampled;
  extrapolateTo +=
    durationToStart < threshold ? durationToStart : averageBetween / 2;
  extrapolateTo +=
    durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  result *= extrapolateTo / sampled;
  if (isRate) result /= w.rangeMs / 1000;
  return result;
}

function instantRate(s: RangeSeries, isRate: boolean): number | undefined {
  const n = s.t.length;
  if (n < 2) return undefined;
  const last = s.v[n - 1];
  const previous = s.v[n - 2];
  let result = isRate && last < previous ? last : last - previous;
  const interval = s.t[n - 1] - s.t[n - 2];
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

function linearRegression(
  s: RangeSeries,
  interceptMs: number,
): { slope: number; intercept: number } {
  const n = s.t.length;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  let constY = true;
  for (let i = 0; i < n; i++) {
    if (s.v[i] !== s.v[0]) constY = false;
    const x = (s.t[i] - interceptMs) / 1000;
    sumX += x;
    sumY += s.v[i];
    sumXY += x * s.v[i];
    sumX2 += x * x;
  }
  if (constY) return { slope: 0, intercept: s.v[0] };
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return { slope, intercept: sumY / n - (slope * sumX) / n };
}

function variance(values: number[]): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const v of values) {
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

/** Prometheus's quantile over sorted values (linear interpolation). */
export function quantile(q: number, values: number[]): number {
  if (!values.length || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

/** Kahan-compensated sum, as Prometheus 2.x+ uses for sum/avg over time. */
function kahanSum(values: number[]): number {
  let sum = 0;
  let c = 0;
  for (const v of values) {
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

type RangeFn = (
  s: RangeSeries,
  w: RangeWindow,
  params: number[],
) => number | undefined;

/** Functions taking a range vector, keyed by name. */
export const RANGE_FUNCTIONS: Record<
  string,
  { fn: RangeFn; params: number; keepName?: boolean }
> = {
  rate: { fn: (s, w) => extrapolatedRate(s, w, true, true), params: 0 },
  increase: { fn: (s, w) => extrapolatedRate(s, w, true, false), params: 0 },
  delta: { fn: (s, w) => extrapolatedRate(s, w, false, false), params: 0 },
  irate: { fn: s => instantRate(s, true), params: 0 },
  idelta: { fn: s => instantRate(s, false), params: 0 },
  max_over_time: {
    fn: s =>
      s.v.length
        ? s.v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a))
        : undefined,
    params: 0,
  },
  min_over_time: {
    fn: s =>
      s.v.length
        ? s.v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a))
        : undefined,
    params: 0,
  },
  avg_over_time: {
    fn: s => (s.v.length ? kahanSum(s.v) / s.v.length : undefined),
    params: 0,
  },
  sum_over_time: {
    fn: s => (s.v.length ? kahanSum(s.v) : undefined),
    params: 0,
  },
  count_over_time: {
    fn: s => (s.v.length ? s.v.length : undefined),
    params: 0,
  },
  last_over_time: {
    fn: s => (s.v.length ? s.v[s.v.length - 1] : undefined),
    params: 0,
    keepName: true,
  },
  present_over_time: { fn: s => (s.v.length ? 1 : undefined), params: 0 },
  stddev_over_time: {
    fn: s => (s.v.length ? Math.sqrt(variance(s.v)) : undefined),
    params: 0,
  },
  stdvar_over_time: {
    fn: s => (s.v.length ? variance(s.v) : undefined),
    params: 0,
  },
  quantile_over_time: {
    fn: (s, _w, [q]) => (s.v.length ? quantile(q, s.v) : undefined),
    params: 1,
  },
  changes: {
    fn: s => {
      if (!s.v.length) return undefined;
      let n = 0;
      for (let i = 1; i < s.v.length; i++) {
        if (
          s.v[i] !== s.v[i - 1] &&
          !(Number.isNaN(s.v[i]) && Number.isNaN(s.v[i - 1]))
        )
          n++;
      }
      return n;
    },
    params: 0,
  },
  resets: {
    fn: s => {
      if (!s.v.length) return undefined;
      let n = 0;
      for (let i = 1; i < s.v.length; i++) if (s.v[i] < s.v[i - 1]) n++;
      return n;
    },
    params: 0,
  },
  deriv: {
    fn: s => (s.t.length < 2 ? undefined : linearRegression(s, s.t[0]).slope),
    params: 0,
  },
  predict_linear: {
    fn: (s, w, [seconds]) => {
      if (s.t.length < 2) return undefined;
      const { slope, intercept } = linearRegression(s, w.endMs);
      return slope * seconds + intercept;
    },
    params: 1,
  },
};

/** Functions applied element-wise to an instant vector (name dropped). */
export const ELEMENT_FUNCTIONS: Record<
  string,
  { fn: (v: number, params: number[]) => number; params: number }
> = {
  abs: { fn: Math.abs, params: 0 },
  ceil: { fn: Math.ceil, params: 0 },
  floor: { fn: Math.floor, params: 0 },
  exp: { fn: Math.exp, params: 0 },
  sqrt: { fn: Math.sqrt, params: 0 },
  ln: { fn: Math.log, params: 0 },
  log2: { fn: Math.log2, params: 0 },
  log10: { fn: Math.log10, params: 0 },
  sgn: { fn: v => (v === 0 || Number.isNaN(v) ? v : Math.sign(v)), params: 0 },
  clamp_min: { fn: (v, [min]) => Math.max(v, min), params: 1 },
  clamp_max: { fn: (v, [max]) => Math.min(v, max), params: 1 },
  clamp: { fn: (v, [min, max]) => Math.max(min, Math.min(max, v)), params: 2 },
  round: {
    fn: (v, [toNearest = 1]) => {
      const inverse = 1 / toNearest;
      return Math.floor(v * inverse + 0.5) / inverse;
    },
    params: -1,
  },
};

export function assertArity(name: string, got: number, expected: number) {
  if (got !== expected) {
    throw new PromQLExecutionError(
      `expected ${expected} argument(s) in call to "${name}", got ${got}`,
    );
  }
}
