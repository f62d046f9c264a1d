/** Parsing of Kubernetes resource quantities and durations. */

import { parseQuantity as parseKubernetesQuantity } from '@observability-ir/plugin-observability-ir-common';

/** Parses a quantity such as `512Mi`, `1Gi`, `250m` or `2` to a number. */
export function parseQuantity(value: string | number): number {
  return typeof value === 'number' ? value : parseKubernetesQuantity(value);
}

/** True when the string is a valid quantity. */
export function isQuantity(value: unknown): boolean {
  if (typeof value === 'number') {
    return true;
  }
  if (typeof value !== 'string') {
    return false;
  }
  try {
    parseQuantity(value);
    return true;
  } catch {
    return false;
  }
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Parses a Prometheus style duration (`5m`, `1h30m`, `15s`) to milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(trimmed)) {
    throw new Error(`not a valid duration string: "${text}"`);
  }
  let total = 0;
  for (const part of trimmed.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]];
  }
  return total;
}
