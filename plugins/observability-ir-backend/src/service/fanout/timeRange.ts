import { InputError } from '@backstage/errors';
import {
  DEFAULT_RANGE_PRESET,
  EvidenceQuery,
  MAX_RANGE_SECONDS,
  MIN_RANGE_SECONDS,
  RANGE_PRESETS,
} from '@observability-ir/plugin-observability-ir-common';

/** A time range in unix seconds, with the step of its series. */
export interface ResolvedRange {
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
}

/** How far in the future a requested end may lie (clocks drift). */
export const MAX_FUTURE_SECONDS = 60;
// About 240 points per series: enough to see a sawtooth, cheap to draw.
const TARGET_POINTS = 240;
const STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600];

function invalid(field: 'start' | 'end', why: string) {
  return new InputError(`Invalid request: ${field}: ${why}`);
}

/**
 * The range of a parsed evidence query. A preset (`range=1h`) ends now;
 * so does a query with no bounds, which is the default preset. Bounds are
 * checked after their defaults apply: one hour back from `end` when only
 * `end` is given, up to now when only `start` is. They must be 60 seconds
 * to 7 days apart, and end at most a minute in the future.
 *
 * An open end is "now" rounded up to the step, never down, so the newest
 * minutes are always in the range, and identical requests made within one
 * step of each other resolve to the same range: they share one cache entry
 * and one set of upstream calls.
 *
 * @throws InputError naming the field and the rule it breaks.
 */
export function resolveRange(
  query: Pick<EvidenceQuery, 'range' | 'start' | 'end'>,
  nowMs: number,
): ResolvedRange {
  const now = nowMs / 1000;
  if (query.range || (!query.start && !query.end)) {
    const span = RANGE_PRESETS[query.range ?? DEFAULT_RANGE_PRESET];
    const stepSeconds = stepFor(span);
    const endSeconds = roundUp(now, stepSeconds);
    return { startSeconds: endSeconds - span, endSeconds, stepSeconds };
  }

  const end = query.end ? Date.parse(query.end) / 1000 : now;
  const start = query.start
    ? Date.parse(query.start) / 1000
    : end - RANGE_PRESETS[DEFAULT_RANGE_PRESET];
  if (end > now + MAX_FUTURE_SECONDS) {
    throw invalid(
      'end',
      `must not be more than ${MAX_FUTURE_SECONDS} seconds in the future`,
    );
  }
  const span = end - start;
  if (span < MIN_RANGE_SECONDS) {
    throw invalid(
      'start',
      `must be at least ${MIN_RANGE_SECONDS} seconds before end`,
    );
  }
  if (span > MAX_RANGE_SECONDS) {
    throw invalid(
      'start',
      `must be at most ${MAX_RANGE_SECONDS / 86_400} days before end`,
    );
  }

  const stepSeconds = stepFor(span);
  if (query.end) {
    return {
      startSeconds: Math.ceil(start),
      endSeconds: Math.floor(end),
      stepSeconds,
    };
  }
  const startSeconds = Math.ceil(start);
  // Rounding up must not stretch the range past the maximum; the end still
  // lies at or after now, since start is at most the maximum before it.
  return {
    startSeconds,
    endSeconds: Math.min(
      roundUp(now, stepSeconds),
      startSeconds + MAX_RANGE_SECONDS,
    ),
    stepSeconds,
  };
}

/**
 * How far back the diagnosis reads how the working set climbs, whatever
 * range is on screen: a leak slower than the range shows in it.
 */
export const MEMORY_LOOKBACK_SECONDS = 24 * 3600;

/**
 * The look-back of a range: the same end, {@link MEMORY_LOOKBACK_SECONDS}
 * long, at the step that draws that span; none when the range is as long.
 */
export function lookbackRange(
  range: ResolvedRange,
  lookbackSeconds = MEMORY_LOOKBACK_SECONDS,
): ResolvedRange | undefined {
  if (range.endSeconds - range.startSeconds >= lookbackSeconds) {
    return undefined;
  }
  return {
    startSeconds: range.endSeconds - lookbackSeconds,
    endSeconds: range.endSeconds,
    stepSeconds: stepFor(lookbackSeconds),
  };
}

/** The coarsest step that still draws the range with enough points. */
function stepFor(spanSeconds: number): number {
  return (
    STEPS.find(step => spanSeconds / step <= TARGET_POINTS) ??
    STEPS[STEPS.length - 1]
  );
}

function roundUp(seconds: number, stepSeconds: number): number {
  return Math.ceil(seconds / stepSeconds) * stepSeconds;
}

/**
 * What a resolved range contributes to the key of cached evidence: equal
 * for equal ranges, whoever asked and whenever within the step.
 */
export function rangeKey(range: ResolvedRange): string {
  return `${range.startSeconds}-${range.endSeconds}/${range.stepSeconds}`;
}

/** The range as the API reports it. */
export function describeRange(range: ResolvedRange) {
  return {
    start: new Date(range.startSeconds * 1000).toISOString(),
    end: new Date(range.endSeconds * 1000).toISOString(),
    stepSeconds: range.stepSeconds,
  };
}
