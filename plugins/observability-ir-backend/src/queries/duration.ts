import { InputError } from '@backstage/errors';

/** Longest window accepted: 30 days, beyond any evidence window we need. */
export const MAX_DURATION_SECONDS = 30 * 24 * 3600;

const UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/**
 * Formats a whole number of seconds as a Prometheus duration using the
 * largest unit that divides it: `300` → `5m`, `90` → `90s`, `3600` → `1h`.
 *
 * @throws InputError unless `seconds` is an integer from 1 to 30 days.
 */
export function formatDuration(seconds: number): string {
  if (
    !Number.isInteger(seconds) ||
    seconds < 1 ||
    seconds > MAX_DURATION_SECONDS
  ) {
    throw new InputError(
      `Invalid duration ${String(
        seconds,
      )}: it must be a whole number of seconds from 1 to ${MAX_DURATION_SECONDS}`,
    );
  }
  const [unit, size] = UNITS.find(([, s]) => seconds % s === 0)!;
  return `${seconds / size}${unit}`;
}
