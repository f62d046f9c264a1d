/**
 * Short renderings of numbers for people, shared by the backend's evidence
 * sentences and the Incident tab, so both say `509Mi`, `0.2 cores`, `99%`
 * and `3h 10m` the same way.
 */

import { BINARY_UNITS } from './units';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How {@link describeBytes} writes a number.
 *
 * @public
 */
export interface BytesFormat {
  /**
   * Keep a decimal that rounds to zero (`1.0Gi` for 1.04Gi), so that a
   * column of figures shows which values are exact; whole values stay whole
   * (`1Gi`). Default false: `1Gi`.
   */
  keepZeroDecimal?: boolean;
  /** What follows a number below 1Ki. Default `B`. */
  byteUnit?: string;
}

/**
 * Bytes, rounded, in the largest binary unit they reach: `508.6Mi` reads
 * `509Mi`, then `1Gi`, `1.4Gi`, `96Ki`, `512B`. One decimal below 100 of a
 * unit, none from 100 up.
 *
 * @public
 */
export function describeBytes(bytes: number, format: BytesFormat = {}) {
  const { keepZeroDecimal = false, byteUnit = 'B' } = format;
  for (const [unit, size] of BINARY_UNITS) {
    if (Math.abs(bytes) >= size) {
      const value = bytes / size;
      const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 1;
      const text = value.toFixed(digits);
      return `${keepZeroDecimal ? text : Number(text)}${unit}`;
    }
  }
  return `${Math.round(bytes)}${byteUnit}`;
}

/**
 * CPU cores with at most two decimals: `2 cores`, `0.2 cores`, `1 core`.
 *
 * @public
 */
export function describeCores(cores: number): string {
  const value = Number(cores.toFixed(2));
  return `${value} ${value === 1 ? 'core' : 'cores'}`;
}

/**
 * A share (0–1) as a percentage: `99%`; a small share that is not 0 keeps
 * one decimal (`0.4%`, at least `0.1%`) so it does not read as none, unless
 * `whole` is set (`0%`).
 *
 * @public
 */
export function describePercent(
  share: number,
  options: { whole?: boolean } = {},
): string {
  if (!options.whole && share > 0 && share < 0.01) {
    return `${Math.max(0.1, Number((share * 100).toFixed(1)))}%`;
  }
  return `${Math.round(share * 100)}%`;
}

/**
 * A length of time: `45s`, `2.5 min`, `40 min`, `3h 10m`, `3d 2h`.
 *
 * @public
 */
export function describeDuration(ms: number): string {
  if (ms < MINUTE) {
    return `${Math.round(ms / 1000)}s`;
  }
  if (ms < 10 * MINUTE) {
    return `${Number((ms / MINUTE).toFixed(1))} min`;
  }
  if (ms < HOUR) {
    return `${Math.round(ms / MINUTE)} min`;
  }
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.round((ms - hours * HOUR) / MINUTE);
    return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.round((ms - days * DAY) / HOUR);
  return hours ? `${days}d ${hours}h` : `${days}d`;
}

/**
 * An instant in UTC for sentences read next to other clusters' times:
 * `14:02:10Z` within a day of `now`, else `2026-11-24 14:02:10Z`. A time
 * that cannot be read is returned as given.
 *
 * @public
 */
export function describeTime(time: string | number, now: Date): string {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (Number.isNaN(ms)) {
    return String(time);
  }
  const iso = new Date(ms).toISOString();
  const clock = `${iso.slice(11, 19)}Z`;
  return Math.abs(now.getTime() - ms) < DAY
    ? clock
    : `${iso.slice(0, 10)} ${clock}`;
}

/**
 * A count and its noun: `1 restart`, `45 restarts`, `2 replicas`.
 *
 * @public
 */
export function plural(count: number, word: string, many = `${word}s`) {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * Names once each, the first `max` of them: `a, b and c`, `a, b, c and 3
 * more`. `lastSeparator` joins the last two when all are shown (`, `
 * lists `a, b, c`).
 *
 * @public
 */
export function listNames(
  names: string[],
  max = 3,
  lastSeparator = ' and ',
): string {
  const unique = [...new Set(names)];
  if (unique.length <= max) {
    return unique.length > 1
      ? `${unique.slice(0, -1).join(', ')}${lastSeparator}${
          unique[unique.length - 1]
        }`
      : unique.join('');
  }
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}
