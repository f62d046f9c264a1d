import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import {
  assertLabelName,
  escapeLabelValue,
  escapeRegexValue,
} from './escaping';
import { isDnsSubdomain } from './kubernetesNames';

/**
 * An RE2 pattern built by the helpers of this module ({@link anyOfExactly},
 * {@link withPrefix}, {@link podsOfDeployment}, {@link podsOfStatefulSet},
 * {@link anyOfPatterns}).
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

/**
 * The characters Kubernetes draws generated name parts from: the random
 * suffix of a generated pod name and the pod-template-hash (no vowels, no
 * 0, 1 or 3).
 */
const GENERATED_CHAR = '[bcdfghjklmnpqrstvwxz2456789]';
/** A generated name is its base cut to this length plus 5 random characters. */
const MAX_GENERATED_BASE = 58;
/** The pod-template-hash is a uint32 in decimal, so 1 to 10 characters. */
const MAX_TEMPLATE_HASH = 10;

function assertWorkloadName(name: string): void {
  if (name.length === 0) {
    throw new InputError('A workload name must not be empty');
  }
}

/**
 * A pattern matching exactly the pod names a Deployment's ReplicaSets
 * generate: `<name>-<pod-template-hash>-<5 random characters>`.
 *
 * @remarks
 * The hash and the suffix hold no `-`, so the pods of a sibling Deployment
 * whose name starts with `<name>-` (`checkout-api-worker`) do not match.
 * When `<name>-<hash>-` is longer than 58 characters Kubernetes cuts it to
 * 58 before adding the suffix; that form is matched too for names that are
 * valid Kubernetes names.
 *
 * @throws InputError if `name` is empty.
 */
export function podsOfDeployment(name: string): RegexPattern {
  assertWorkloadName(name);
  const base = `${name}-`;
  const alternatives: string[] = [];
  // Hash lengths whose base (with the trailing "-") is not cut.
  const longestWholeHash = Math.min(
    MAX_TEMPLATE_HASH,
    MAX_GENERATED_BASE - base.length - 1,
  );
  if (longestWholeHash >= 1) {
    alternatives.push(
      `${escapeRegexValue(
        base,
      )}${GENERATED_CHAR}{1,${longestWholeHash}}-${GENERATED_CHAR}{5}`,
    );
  }
  if (longestWholeHash < MAX_TEMPLATE_HASH && isDnsSubdomain(name)) {
    // Cut bases keep what fits of the hash, then the 5 random characters.
    alternatives.push(
      base.length >= MAX_GENERATED_BASE
        ? `${escapeRegexValue(
            base.slice(0, MAX_GENERATED_BASE),
          )}${GENERATED_CHAR}{5}`
        : `${escapeRegexValue(base)}${GENERATED_CHAR}{${
            MAX_GENERATED_BASE - base.length + 5
          }}`,
    );
  }
  if (alternatives.length === 0) {
    // Not a Kubernetes name: no pod can have it, keep the uncut shape.
    alternatives.push(
      `${escapeRegexValue(
        base,
      )}${GENERATED_CHAR}{1,${MAX_TEMPLATE_HASH}}-${GENERATED_CHAR}{5}`,
    );
  }
  return `(?:${alternatives.join('|')})` as RegexPattern;
}

/**
 * A pattern matching exactly the pod names of a StatefulSet:
 * `<name>-<ordinal>`, the ordinal a decimal number without leading zeros.
 *
 * @throws InputError if `name` is empty.
 */
export function podsOfStatefulSet(name: string): RegexPattern {
  assertWorkloadName(name);
  return `${escapeRegexValue(name)}-(?:0|[1-9][0-9]*)` as RegexPattern;
}

/**
 * A pattern matching what any of `patterns` matches.
 *
 * @throws InputError if `patterns` is empty.
 */
export function anyOfPatterns(patterns: readonly RegexPattern[]): RegexPattern {
  if (patterns.length === 0) {
    throw new InputError('A set of patterns must not be empty');
  }
  const unique = [...new Set(patterns)];
  return (
    unique.length === 1 ? unique[0] : `(?:${unique.join('|')})`
  ) as RegexPattern;
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
