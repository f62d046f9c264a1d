import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import {
  assertLabelName,
  escapeLabelValue,
  escapeRegexValue,
} from './escaping';

/**
 * An RE2 pattern built by {@link anyOfExactly} or {@link withPrefix}.
 *
 * @remarks
 * The brand keeps free text out of regex matchers: a plain string does not
 * type-check as a pattern.
 */
export type RegexPattern = string & { readonly __brand: 'RegexPattern' };

/**
 * One label matcher of a PromQL or LogQL selector. Regex matchers only take
 * patterns built by the helpers of this module.
 */
export type LabelMatcher =
  | { name: string; op: '=' | '!='; value: string }
  | { name: string; op: '=~' | '!~'; value: RegexPattern };

/** The matcher operators, as written in PromQL and LogQL. */
export type MatchOperator = LabelMatcher['op'];

/**
 * A pattern matching exactly one of `values`, each taken literally:
 * `(?:a|b|c)`.
 *
 * @throws InputError if `values` is empty (the pattern would match only the
 * empty string, which selects series that lack the label).
 */
export function anyOfExactly(values: readonly string[]): RegexPattern {
  if (values.length === 0) {
    throw new InputError('A set of exact values must not be empty');
  }
  const unique = [...new Set(values)];
  return `(?:${unique.map(escapeRegexValue).join('|')})` as RegexPattern;
}

/**
 * A pattern matching every value that starts with `prefix` and goes on
 * with at least one more character.
 *
 * @throws InputError if `prefix` is empty: `.+` would match every value.
 */
export function withPrefix(prefix: string): RegexPattern {
  if (prefix.length === 0) {
    throw new InputError('A prefix must not be empty');
  }
  return `${escapeRegexValue(prefix)}.+` as RegexPattern;
}

const OPERATORS: ReadonlySet<string> = new Set(['=', '!=', '=~', '!~']);

/**
 * Renders matchers as a selector body, `{name="value",...}`, with every name
 * checked and every value escaped.
 *
 * @throws InputError if there is no matcher, or none that requires a label to
 * equal a non-empty value: such a selector could select everything.
 */
export function renderMatchers(matchers: readonly LabelMatcher[]): string {
  if (!matchers.some(m => m.op === '=' && m.value !== '')) {
    throw new InputError(
      'A selector needs at least one matcher of the form label="value"; without it, it could select everything',
    );
  }
  const parts = matchers.map(({ name, op, value }) => {
    assertLabelName(name);
    // Types already say so; this guards callers that bypass them.
    if (!OPERATORS.has(op)) {
      throw new InputError(`Invalid matcher operator ${describeValue(op)}`);
    }
    return `${name}${op}"${escapeLabelValue(value)}"`;
  });
  return `{${parts.join(',')}}`;
}
