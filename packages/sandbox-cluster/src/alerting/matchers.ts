import { matchesAll } from '../prometheus/promql/evaluate';
import { Labels } from '../prometheus/promql/values';

/**
 * Alertmanager's label matchers (the `filter` parameter of its API, one
 * matcher each: `alertname="X"`, `namespace=~"fin.*"`) and its alert
 * fingerprints.
 */

export interface AlertMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  regex?: RegExp;
}

/** A matcher Alertmanager cannot parse; the message is Alertmanager's. */
export class MatcherError extends Error {}

const MATCHER =
  /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** Compiles a regular expression anchored as Alertmanager does (^(?:…)$). */
export function anchoredRegex(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 's');
  } catch (e) {
    throw new MatcherError(
      `error parsing regexp: ${(e as Error).message.replace(
        /^Invalid regular expression: /,
        '',
      )}`,
    );
  }
}

/**
 * Parses one matcher the way Alertmanager's classic matcher parser does:
 * an optionally double-quoted value with `\"`, `\\` and `\n` escapes.
 */
export function parseMatcher(text: string): AlertMatcher {
  const m = MATCHER.exec(text);
  if (!m) throw new MatcherError(`bad matcher format: ${text}`);
  let raw = m[3];
  let expectTrailingQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escaped) {
      escaped = false;
      if (c === 'n') value += '\n';
      else if (c === '"' || c === '\\') value += c;
      else value += `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (i === chars.length - 1) value += '\\';
      else escaped = true;
      continue;
    }
    if (c === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new MatcherError(
          `matcher value contains unescaped double quote: ${m[3]}`,
        );
      }
      expectTrailingQuote = false;
      continue;
    }
    value += c;
  }
  if (expectTrailingQuote) {
    throw new MatcherError(
      `matcher value contains unescaped double quote: ${m[3]}`,
    );
  }
  const op = m[2] as AlertMatcher['op'];
  return {
    name: m[1],
    op,
    value,
    ...(op === '=~' || op === '!~' ? { regex: anchoredRegex(value) } : {}),
  };
}

/** Whether a label set satisfies a matcher (a missing label is ""). */
export function matcherMatches(m: AlertMatcher, labels: Labels): boolean {
  return matchesAll(labels, [m]);
}

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/**
 * The fingerprint of a label set as Prometheus's common model computes it
 * (FNV-1a 64 over the sorted names and values, each followed by 0xff), in
 * Alertmanager's 16 hex digit form.
 */
export function labelsFingerprint(labels: Labels): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array | number[]) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * FNV_PRIME) & MASK;
    }
  };
  const encoder = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(encoder.encode(name));
    add([0xff]);
    add(encoder.encode(labels[name]));
    add([0xff]);
  }
  return h.toString(16).padStart(16, '0');
}

/** A label set with its names in order, as Go writes labels.Labels and maps. */
export function sortedLabels(
  labels: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}
