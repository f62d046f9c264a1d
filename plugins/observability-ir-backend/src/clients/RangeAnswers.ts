/** A series of a range query: labels and `[unix seconds, value]` points. */
interface Series {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/** A range on the evaluation grid of a query: `start`, `start + step`, … ≤ `end`. */
export interface GridRange {
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
}

/**
 * Points younger than this when they were read may still change: a scrape
 * in flight, a rule evaluated late, a rate over a window still filling.
 * They are always asked again.
 */
export const FRESH_SECONDS = 300;
/** The most points kept over all answers of one Prometheus. */
export const MAX_KEPT_POINTS = 1_000_000;
/** An answer not asked about again for this long is forgotten. */
const KEPT_SECONDS = 15 * 60;

interface Kept {
  range: GridRange;
  series: Series[];
  points: number;
  /** Unix seconds: when the newest of its points were read. */
  readAt: number;
}

/** What a range query asks of Prometheus, given what was kept. */
export interface RangePlan {
  /** The part to ask for; absent when the kept answer covers it all. */
  ask?: GridRange;
  /** The answer to the whole range, from the part asked for. */
  complete(asked: Series[]): Series[];
}

/**
 * The answers of one Prometheus's range queries, kept so that the same
 * query over a window that has moved on (a refresh, the tab opened again)
 * asks only for the new end of it, as Cortex's and Thanos's query
 * frontends do. Points of the kept answer that were at least
 * {@link FRESH_SECONDS} old when read are reused; the rest is asked for on
 * the same evaluation grid (the window must start a whole number of steps
 * after the kept one), so the answer is the one Prometheus would give for
 * the whole window. A query on another grid, or with nothing reusable,
 * is asked whole. Only complete answers (no series dropped, no warnings)
 * are kept, at most {@link MAX_KEPT_POINTS} points in all, the least
 * recently used forgotten first.
 */
export class RangeAnswers {
  private readonly kept = new Map<string, Kept>();
  private points = 0;

  constructor(
    private readonly nowSeconds: () => number = () => Date.now() / 1000,
  ) {}

  /** How to answer `query` over `range`. */
  plan(query: string, range: GridRange): RangePlan {
    const now = this.nowSeconds();
    const whole: RangePlan = { ask: range, complete: asked => asked };
    const key = keyOf(query, range.stepSeconds);
    const kept = this.kept.get(key);
    if (!kept || now - kept.readAt > KEPT_SECONDS) {
      return whole;
    }
    const step = range.stepSeconds;
    const offset = range.startSeconds - kept.range.startSeconds;
    if (offset < 0 || offset % step !== 0) {
      return whole;
    }
    // The last point on the grid that had settled when it was read.
    const settled = Math.min(
      kept.range.endSeconds,
      kept.readAt - FRESH_SECONDS,
    );
    const lastReused =
      kept.range.startSeconds +
      Math.floor((settled - kept.range.startSeconds) / step) * step;
    if (lastReused < range.startSeconds) {
      return whole;
    }
    // Used again: forgotten last.
    this.kept.delete(key);
    this.kept.set(key, kept);
    const reused = slice(
      kept.series,
      range.startSeconds,
      Math.min(lastReused, range.endSeconds),
    );
    const from = lastReused + step;
    if (from > range.endSeconds) {
      return { complete: () => reused };
    }
    return {
      ask: {
        startSeconds: from,
        endSeconds: range.endSeconds,
        stepSeconds: step,
      },
      complete: asked => join(reused, asked),
    };
  }

  /** Keeps the complete answer to `query` over `range`, read just now. */
  keep(query: string, range: GridRange, series: Series[]): void {
    const key = keyOf(query, range.stepSeconds);
    this.forget(key);
    const points = series.reduce((n, s) => n + s.values.length, 0);
    if (points > MAX_KEPT_POINTS) {
      return;
    }
    this.kept.set(key, { range, series, points, readAt: this.nowSeconds() });
    this.points += points;
    for (const [oldest] of this.kept) {
      if (this.points <= MAX_KEPT_POINTS) break;
      this.forget(oldest);
    }
  }

  /** Forgets what was kept of `query` (at any step). */
  private forget(key: string) {
    const kept = this.kept.get(key);
    if (kept) {
      this.points -= kept.points;
      this.kept.delete(key);
    }
  }

  /** Points kept in all (for tests and sizing). */
  get keptPoints(): number {
    return this.points;
  }
}

function keyOf(query: string, step: number) {
  return `${step}\u0000${query}`;
}

/** The points of each series within [from, to]; series left empty are dropped. */
function slice(series: Series[], from: number, to: number): Series[] {
  const out: Series[] = [];
  for (const s of series) {
    const values = s.values.filter(([t]) => t >= from && t <= to);
    if (values.length) out.push({ metric: s.metric, values });
  }
  return out;
}

/** Labels as Prometheus orders a matrix: by sorted name, then value. */
function labelKey(metric: Record<string, string>): string {
  return Object.keys(metric)
    .sort()
    .map(name => `${name}\u0000${metric[name]}`)
    .join('\u0001');
}

function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The earlier points and the later ones of each series, in Prometheus's
 * order of series: a series that ended keeps its points, one that began
 * has only the later ones.
 */
function join(earlier: Series[], later: Series[]): Series[] {
  const byLabels = new Map<string, Series>();
  for (const s of earlier) {
    byLabels.set(labelKey(s.metric), {
      metric: s.metric,
      values: [...s.values],
    });
  }
  for (const s of later) {
    const key = labelKey(s.metric);
    const known = byLabels.get(key);
    if (known) known.values.push(...s.values);
    else byLabels.set(key, { metric: s.metric, values: [...s.values] });
  }
  return [...byLabels.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, s]) => s);
}
