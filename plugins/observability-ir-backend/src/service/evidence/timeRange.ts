import { EvidenceQuery } from '@observability-ir/plugin-observability-ir-common';

/** A time range in unix seconds, with the step of its series. */
export interface ResolvedRange {
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
}

const DEFAULT_RANGE_SECONDS = 3600;
// About 240 points per series: enough to see a sawtooth, cheap to draw.
const TARGET_POINTS = 240;
const STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/**
 * The range of an evidence query: the last hour by default. An open end is
 * "now" rounded down to the step, so identical requests made moments apart
 * share one cache entry and one set of upstream calls.
 */
export function resolveRange(
  query: Pick<EvidenceQuery, 'start' | 'end'>,
  nowMs: number,
): ResolvedRange {
  const requestedEnd = query.end ? Date.parse(query.end) / 1000 : nowMs / 1000;
  const requestedStart = query.start
    ? Date.parse(query.start) / 1000
    : requestedEnd - DEFAULT_RANGE_SECONDS;
  const span = requestedEnd - requestedStart;
  const stepSeconds =
    STEPS.find(step => span / step <= TARGET_POINTS) ?? STEPS[STEPS.length - 1];
  const endSeconds = query.end
    ? Math.floor(requestedEnd)
    : Math.floor(requestedEnd / stepSeconds) * stepSeconds;
  return {
    startSeconds: Math.floor(endSeconds - span),
    endSeconds,
    stepSeconds,
  };
}

/** The range as the API reports it. */
export function describeRange(range: ResolvedRange) {
  return {
    start: new Date(range.startSeconds * 1000).toISOString(),
    end: new Date(range.endSeconds * 1000).toISOString(),
    stepSeconds: range.stepSeconds,
  };
}
