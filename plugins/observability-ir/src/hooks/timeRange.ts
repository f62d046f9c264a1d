import {
  MAX_RANGE_SECONDS,
  MIN_RANGE_SECONDS,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * The ranges offered with one click, each ending now.
 *
 * @public
 */
export const RANGE_PRESETS = {
  '15m': 15 * 60 * 1000,
  '1h': 60 * 60 * 1000,
  '6h': 6 * 60 * 60 * 1000,
  '24h': 24 * 60 * 60 * 1000,
} as const;

/**
 * One of {@link RANGE_PRESETS}.
 *
 * @public
 */
export type RangePreset = keyof typeof RANGE_PRESETS;

/**
 * What the user chose: a preset ending now, or two fixed instants.
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
 * A range as the backend takes it, RFC 3339.
 *
 * @public
 */
export interface ResolvedRange {
  start: string;
  end: string;
}

/** The instants a selection stands for at `now`. */
export function resolveRange(
  selection: RangeSelection,
  now: number = Date.now(),
): ResolvedRange {
  if (selection.kind === 'custom') {
    return {
      start: selection.start.toISOString(),
      end: selection.end.toISOString(),
    };
  }
  // Whole seconds: equal requests within a second hit the backend's cache.
  const end = Math.floor(now / 1000) * 1000;
  return {
    start: new Date(end - RANGE_PRESETS[selection.preset]).toISOString(),
    end: new Date(end).toISOString(),
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
