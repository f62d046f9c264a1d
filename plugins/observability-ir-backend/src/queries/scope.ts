import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { anyOfExactly, LabelMatcher, withPrefix } from './matchers';
import { assertNarrowingMatcher } from './narrowing';
import { isDnsLabel } from './kubernetesNames';

/**
 * The pods a query is about: a namespace plus pod names from Kubernetes, or a
 * pod-name prefix when Kubernetes is unreachable; optionally one container.
 */
export type PodScope = {
  namespace: string;
  pods: { names: string[] } | { prefix: string };
  container?: string;
  /**
   * Matchers added to every Prometheus selector, usually from
   * `extraMatchersFromAnnotation`. They can only narrow: they may not touch
   * the labels the scope sets. LogQL builders do not use them (Loki's labels
   * differ); see `customSelectorFromAnnotation` for Loki.
   */
  extraPrometheusMatchers?: readonly LabelMatcher[];
};

/** Whether `name` is a Kubernetes namespace name (a DNS label). */
export function isNamespaceName(name: string): boolean {
  return isDnsLabel(name);
}

/** Longest pod name, prefix or container name accepted (far above Kubernetes' own limits). */
export const MAX_VALUE_LENGTH = 16384;
/** Most pod names in one scope: the regex grows with each. */
export const MAX_PODS = 1000;

function assertValue(what: string, value: string): void {
  if (value.length === 0) {
    throw new InputError(`The ${what} must not be empty`);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throw new InputError(
      `The ${what} ${describeValue(
        value,
      )} is longer than ${MAX_VALUE_LENGTH} characters`,
    );
  }
}

/**
 * The matchers that pin a query to its scope: `namespace="…"`,
 * `pod=~"…"` and, when given, `container="…"`.
 *
 * @remarks
 * The namespace must be a Kubernetes namespace name (a DNS label). Pod and
 * container names are not validated beyond length: they are escaped, so any
 * text selects only itself.
 *
 * @throws InputError if the scope is invalid or empty.
 */
export function scopeMatchers(scope: PodScope): LabelMatcher[] {
  if (!isNamespaceName(scope.namespace)) {
    throw new InputError(
      `Invalid namespace ${describeValue(
        scope.namespace,
      )}: it must be a DNS label (at most 63 lowercase letters, digits or "-", alphanumeric at both ends)`,
    );
  }
  let pod: LabelMatcher;
  if ('names' in scope.pods) {
    const names = scope.pods.names;
    if (names.length === 0 || names.length > MAX_PODS) {
      throw new InputError(
        `A pod scope needs between 1 and ${MAX_PODS} pod names, got ${names.length}`,
      );
    }
    names.forEach(name => assertValue('pod name', name));
    pod = { name: 'pod', op: '=~', value: anyOfExactly(names) };
  } else {
    assertValue('pod name prefix', scope.pods.prefix);
    pod = { name: 'pod', op: '=~', value: withPrefix(scope.pods.prefix) };
  }
  const matchers: LabelMatcher[] = [
    { name: 'namespace', op: '=', value: scope.namespace },
    pod,
  ];
  if (scope.container !== undefined) {
    assertValue('container name', scope.container);
    matchers.push({ name: 'container', op: '=', value: scope.container });
  }
  return matchers;
}

/**
 * The scope's matchers followed by its extra Prometheus matchers, each
 * checked to only narrow.
 */
export function prometheusScopeMatchers(scope: PodScope): LabelMatcher[] {
  const extra = scope.extraPrometheusMatchers ?? [];
  extra.forEach(assertNarrowingMatcher);
  return [...scopeMatchers(scope), ...extra];
}
