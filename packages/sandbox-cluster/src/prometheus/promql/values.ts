/** Values produced while evaluating PromQL. */

export type Labels = Record<string, string>;

/** One element of an instant vector. */
export interface InstantSample {
  labels: Labels;
  value: number;
  /**
   * The signature of `labels` without the metric name, when already known
   * (vectors are matched on it by default).
   */
  namelessSignature?: string;
}

/** A series with raw samples (a range vector element). */
export interface RangeSeries {
  labels: Labels;
  t: number[];
  v: number[];
  /**
   * When the series went away, Prometheus writes a staleness marker at the
   * next scrape; instant selectors then stop returning it.
   */
  staleAt?: number;
  /**
   * Staleness markers between samples (a series that went away and came
   * back, such as ALERTS): an instant selector sees no sample when a marker
   * follows the last sample before the evaluation time.
   */
  staleMarkers?: number[];
}

export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: InstantSample[] }
  | { type: 'matrix'; series: RangeSeries[] };

/** Stable identity of a label set. */
export function signature(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map(k => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/** Labels without the metric name. */
export function dropName(labels: Labels): Labels {
  const rest: Labels = {};
  for (const k in labels) if (k !== '__name__') rest[k] = labels[k];
  return rest;
}

/** Orders label sets the way Prometheus's labels.Compare does. */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    const va = a[ka[i]];
    const vb = b[kb[i]];
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return ka.length - kb.length;
}

/** Formats a float as Go's strconv.FormatFloat(v, 'f', -1, 64) does. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mantissa, expText] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const pointIndex =
    (mantissa.replace('-', '').indexOf('.') === -1
      ? mantissa.replace('-', '').length
      : mantissa.replace('-', '').indexOf('.')) + exp;
  let out: string;
  if (pointIndex <= 0) {
    out = `0.${'0'.repeat(-pointIndex)}${digits}`;
  } else if (pointIndex >= digits.length) {
    out = digits + '0'.repeat(pointIndex - digits.length);
  } else {
    out = `${digits.slice(0, pointIndex)}.${digits.slice(pointIndex)}`;
  }
  return negative ? `-${out}` : out;
}
