import {
  EvidenceQuery,
  MAX_RANGE_SECONDS,
  MIN_RANGE_SECONDS,
  RangePreset,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * What the user chose: a preset ending now, or two fixed instants. The
 * backend resolves it; the answers say which instants it used.
 *
 * @public
 */
export type RangeSelection =
  | { kind: 'preset'; preset: RangePreset }
  | { kind: 'custom'; start: Date; end: Date };

/**
 * How often the evidence is fetched again on its own.
 *
 * @public
 */
export const REFRESH_INTERVALS = {
  off: 0,
  '30s': 30 * 1000,
  '1m': 60 * 1000,
} as const;

/**
 * One of {@link REFRESH_INTERVALS}.
 *
 * @public
 */
export type RefreshInterval = keyof typeof REFRESH_INTERVALS;

/**
 * The range part of an evidence request for a selection: a preset by name,
 * so "now" and its rounding are the backend's, or the chosen bounds.
 *
 * @public
 */
export function rangeQuery(
  selection: RangeSelection,
): Pick<EvidenceQuery, 'range' | 'start' | 'end'> {
  return selection.kind === 'preset'
    ? { range: selection.preset }
    : {
        start: selection.start.toISOString(),
        end: selection.end.toISOString(),
      };
}

/**
 * Checks the two values of `datetime-local` inputs; returns the range, or
 * what is wrong with it in words.
 */
export function parseCustomRange(
  startInput: string,
  endInput: string,
): { start: Date; end: Date } | { error: string } {
  const start = new Date(startInput);
  const end = new Date(endInput);
  if (!startInput || Number.isNaN(start.getTime())) {
    return { error: 'Enter a valid start date and time.' };
  }
  if (!endInput || Number.isNaN(end.getTime())) {
    return { error: 'Enter a valid end date and time.' };
  }
  const seconds = (end.getTime() - start.getTime()) / 1000;
  if (seconds <= 0) {
    return { error: 'The start must be before the end.' };
  }
  if (seconds < MIN_RANGE_SECONDS) {
    return { error: 'The range must be at least one minute long.' };
  }
  if (seconds > MAX_RANGE_SECONDS) {
    return {
      error: `The range can be at most ${MAX_RANGE_SECONDS / 86400} days long.`,
    };
  }
  return { start, end };
}

/** A `Date` as the value of a `datetime-local` input, in local time. */
export function toDateTimeLocal(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
