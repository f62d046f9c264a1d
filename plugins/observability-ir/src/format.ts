import {
  describeBytes,
  describePercent,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * Bytes as on the tab's axes and table: `512Mi`, `1.5Gi`, `1.0Gi` for
 * 1.04Gi, `0` at the origin; the common rendering with its tabular options.
 */
export function formatBytes(bytes: number): string {
  return describeBytes(bytes, { keepZeroDecimal: true, byteUnit: '' });
}

/** A share (0–1) as a whole percentage, e.g. `99%`, `0%`. */
export function formatPercent(share: number): string {
  return describePercent(share, { whole: true });
}

/** Local wall-clock time, `HH:MM:SS`. */
export function formatClock(time: Date | number | string): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(
    date.getSeconds(),
  )}`;
}

/** Local date and time, e.g. `2026-11-25 14:02:10`. */
export function formatDateTime(time: Date | number | string): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )} ${formatClock(date)}`;
}
