/**
 * Kubernetes resource quantities: parsing (`512Mi`, `1.5Gi`, `1G`, `250m`,
 * `128974848`, `129e6`) and exact formatting of memory. Short renderings
 * for people are in `format.ts`.
 */

import { BINARY_UNITS } from './units';

const KI = 1024;
const MI = KI * 1024;
const GI = MI * 1024;

const SUFFIXES: Record<string, number> = {
  Ki: KI,
  Mi: MI,
  Gi: GI,
  Ti: GI * 1024,
  Pi: GI * 1024 * 1024,
  Ei: GI * 1024 * 1024 * 1024,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/**
 * The value of a Kubernetes quantity in base units (bytes, cores): binary
 * suffixes (`Ki`…`Ei`), decimal suffixes (`m`, `k`…`E`), plain numbers and
 * the exponent notation. Throws on anything else, and on values too large to
 * be finite (`1e400`).
 *
 * @public
 */
export function parseQuantity(quantity: string): number {
  const match = QUANTITY.exec(quantity.trim());
  if (!match) {
    throw new Error(`invalid quantity "${quantity}"`);
  }
  const [, number, suffix, exponent] = match;
  const factor = suffix
    ? SUFFIXES[suffix]
    : 10 ** (exponent === undefined ? 0 : Number(exponent));
  const value = Number(number) * factor;
  // `1e400` overflows to Infinity: no resource is that large, and an
  // infinite limit would poison every computation that uses it.
  if (!Number.isFinite(value)) {
    throw new Error(`quantity "${quantity}" is out of range`);
  }
  return value;
}

/**
 * The bytes of a Kubernetes memory quantity: binary suffixes (`Ki`…`Ei`),
 * decimal suffixes (`k`…`E`, and `m`), plain bytes and the exponent
 * notation (`129e6`). Fractions of a byte round up, as the API server does.
 * Throws on anything else.
 *
 * @public
 */
export function parseMemoryQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') {
    if (!Number.isFinite(quantity) || quantity < 0) {
      throw new Error(`invalid memory quantity ${quantity}`);
    }
    return Math.ceil(quantity);
  }
  let bytes: number;
  try {
    bytes = parseQuantity(quantity);
  } catch {
    throw new Error(`invalid memory quantity "${quantity}"`);
  }
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new Error(`invalid memory quantity "${quantity}"`);
  }
  // Guard against floating point noise (0.1Gi) before rounding up.
  const rounded = Math.round(bytes);
  return Math.abs(bytes - rounded) < 1e-6 ? rounded : Math.ceil(bytes);
}

/**
 * The exact quantity of a number of bytes, in the largest binary unit that
 * expresses it with at most two decimals (`1Gi`, `1.5Gi`, `768Mi`,
 * `1.25Gi`), else in plain bytes. `parseMemoryQuantity` of the result is
 * the same number of bytes.
 *
 * @public
 */
export function formatMemoryQuantity(bytes: number): string {
  const whole = Math.ceil(bytes);
  for (const [unit, size] of BINARY_UNITS) {
    if (whole < size) {
      continue;
    }
    const value = whole / size;
    const text = String(Math.round(value * 100) / 100);
    if (Number(text) * size === whole) {
      return `${text}${unit}`;
    }
  }
  return String(whole);
}

/** Memory limits worth proposing: 2^n and 1.5·2^n, from 16Mi upwards. */
const SMALLEST_LADDER_STEP = 16 * MI;

/**
 * The smallest quantity of the ladder …, 256Mi, 384Mi, 512Mi, 768Mi, 1Gi,
 * 1.5Gi, 2Gi, 3Gi, 4Gi, 6Gi, 8Gi, … that is at least `bytes`.
 *
 * @throws RangeError when `bytes` is not a finite number.
 * @public
 */
export function roundUpMemoryQuantity(bytes: number): number {
  if (!Number.isFinite(bytes)) {
    throw new RangeError(`no memory quantity is at least ${bytes} bytes`);
  }
  let power = SMALLEST_LADDER_STEP;
  for (;;) {
    if (power >= bytes) {
      return power;
    }
    if (power * 1.5 >= bytes) {
      return power * 1.5;
    }
    power *= 2;
  }
}
