import { InputError } from '@backstage/errors';
import { describeValue } from './describe';

// A lone UTF-16 surrogate cannot be encoded as UTF-8 (the query travels as
// UTF-8) and Go rejects it as an escape, so there is no faithful way to
// send it: refuse instead of silently turning it into U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// Characters written as escapes: the two that end or start an escape, C0/C1
// controls and DEL (a raw newline ends a Go string literal; the others are
// invisible), and U+FFFD, which the PromQL lexer mistakes for invalid UTF-8
// when it appears raw.
const NEEDS_ESCAPE = /[\\"\p{Cc}\uFFFD]/gu;

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named) {
    return named;
  }
  const code = char.codePointAt(0)!;
  // \xNN is a raw byte in Go, so it is only the same character below 0x80.
  return code < 0x80
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Escapes a value for a double-quoted PromQL or LogQL string literal.
 *
 * @remarks
 * Both languages unquote string literals with Go's rules, so the escapes
 * emitted here (`\\`, `\"`, `\n`, `\r`, `\t`, `\xNN`, `\uNNNN`) unquote back
 * to exactly `value`. All other Unicode is left as is. The caller adds the
 * surrounding double quotes.
 *
 * @throws InputError if `value` holds a lone UTF-16 surrogate.
 */
export function escapeLabelValue(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new InputError(
      `Value ${describeValue(value)} is not well-formed Unicode`,
    );
  }
  return value.replace(NEEDS_ESCAPE, escapeChar);
}

// RE2's metacharacters, the same set as Go's regexp.QuoteMeta.
const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

/**
 * Escapes RE2 metacharacters so that `value` matches itself literally in a
 * `=~` or `!~` matcher (Prometheus and Loki anchor those at both ends).
 *
 * @remarks
 * The result is a regular expression, not a string literal: it still goes
 * through {@link escapeLabelValue} when a matcher is rendered.
 */
export function escapeRegexValue(value: string): string {
  return value.replace(REGEX_META, '\\$&');
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Checks that `name` is a classic Prometheus label name (also the rule for
 * Loki labels).
 *
 * @throws InputError naming the value otherwise.
 */
export function assertLabelName(name: string): void {
  if (!LABEL_NAME.test(name)) {
    throw new InputError(
      `Invalid label name ${describeValue(
        name,
      )}: it must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
}
