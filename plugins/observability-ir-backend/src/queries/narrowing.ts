import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { assertLabelName } from './escaping';
import { anyOfExactly, LabelMatcher, MatchOperator } from './matchers';

/** Labels a {@link PodScope} sets itself; extra matchers may not touch them. */
export const SCOPE_LABELS: ReadonlySet<string> = new Set([
  'namespace',
  'pod',
  'container',
]);

/**
 * Checks that an extra matcher can only narrow a scope's selector: it may not
 * name a label the scope owns, nor a reserved `__` label such as `__name__`.
 */
export function assertNarrowingMatcher(matcher: LabelMatcher): void {
  const { name } = matcher;
  assertLabelName(name);
  if (SCOPE_LABELS.has(name)) {
    throw new InputError(
      `An extra matcher may not set the label "${name}": the pod scope owns it`,
    );
  }
  if (name.startsWith('__')) {
    throw new InputError(
      `An extra matcher may not set the reserved label "${name}"`,
    );
  }
}

// Regexes from annotations are accepted only as a plain set of alternatives
// of characters that are not RE2 metacharacters, e.g. "eu-1|eu-2"; they are
// then rebuilt by anyOfExactly, so no user-written pattern reaches a query.
const LITERAL_SET = /^[A-Za-z0-9_:/-]+(?:\|[A-Za-z0-9_:/-]+)*$/;

/**
 * Turns a matcher written in an annotation (its value already unquoted) into
 * a {@link LabelMatcher}, applying the annotation policy.
 *
 * @throws InputError naming the matcher if it breaks the policy.
 */
export function matcherFromAnnotation(
  name: string,
  op: MatchOperator,
  value: string,
): LabelMatcher {
  // Names first: "pod=~'.*'" is refused for the label, not the pattern.
  assertNarrowingMatcher({ name, op: '=', value: '' });
  if (op === '=' || op === '!=') {
    return { name, op, value };
  }
  if (!LITERAL_SET.test(value)) {
    throw new InputError(
      `The matcher ${name}${op}${describeValue(
        value,
      )} is not allowed: a regex may only list plain alternatives such as "a|b" (letters, digits, "_", "-", ":", "/")`,
    );
  }
  return { name, op, value: anyOfExactly(value.split('|')) };
}
