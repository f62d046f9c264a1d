import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import {
  anyOfExactly,
  anyOfPatterns,
  LabelMatcher,
  podsOfDeployment,
  podsOfStatefulSet,
  RegexPattern,
  withPrefix,
} from './matchers';
import { assertNarrowingMatcher } from './narrowing';
import { isDnsLabel } from './kubernetesNames';

/**
 * A workload whose pods a scope selects by the names Kubernetes gives them
 * (see {@link podsOfDeployment} and {@link podsOfStatefulSet}), so that pods
 * it replaced during the range count too.
 */
export type PodOwner = { kind: 'Deployment' | 'StatefulSet'; name: string };

/**
 * The pods a query is about: a namespace plus pod names, the workloads that
 * own them, or both; or, to ask before the pods are listed, every pod whose
 * name is `<namePrefix>-…` (the pods of the workload named `namePrefix` and
 * of any workload whose name extends it, to be narrowed down to the listed
 * ones afterwards); optionally one container.
 */
export type PodScope = {
  namespace: string;
  pods:
    | { names: string[] }
    | { owners: PodOwner[]; names?: string[] }
    | { namePrefix: string; names?: undefined };
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

/** Longest pod name, workload name or container name accepted (far above Kubernetes' own limits). */
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

function podsOfOwner(owner: PodOwner): RegexPattern {
  assertValue('workload name', owner.name);
  switch (owner.kind) {
    case 'Deployment':
      return podsOfDeployment(owner.name);
    case 'StatefulSet':
      return podsOfStatefulSet(owner.name);
    default:
      throw new InputError(
        `Unsupported workload kind ${describeValue(String(owner.kind))}`,
      );
  }
}

/**
 * Whether `podName` has the shape of the names `owner` gives its pods, so
 * that a scope by the owner already selects it.
 */
export function hasPodNameShape(owner: PodOwner, podName: string): boolean {
  // The patterns use only syntax that RE2 and JavaScript read alike.
  return new RegExp(`^(?:${podsOfOwner(owner)})$`, 's').test(podName);
}

function podPattern(pods: PodScope['pods']): RegexPattern {
  if ('namePrefix' in pods) {
    assertValue('workload name', pods.namePrefix);
    return withPrefix(`${pods.namePrefix}-`);
  }
  const owners = 'owners' in pods ? pods.owners : [];
  const names = pods.names ?? [];
  if (names.length > MAX_PODS || names.length + owners.length === 0) {
    throw new InputError(
      `A pod scope needs between 1 and ${MAX_PODS} pod names or a workload, got ${names.length} names and ${owners.length} workloads`,
    );
  }
  if (owners.length > MAX_PODS) {
    throw new InputError(
      `A pod scope holds at most ${MAX_PODS} workloads, got ${owners.length}`,
    );
  }
  names.forEach(name => assertValue('pod name', name));
  const patterns = owners.map(podsOfOwner);
  return anyOfPatterns(
    names.length > 0 ? [anyOfExactly(names), ...patterns] : patterns,
  );
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
  const matchers: LabelMatcher[] = [
    { name: 'namespace', op: '=', value: scope.namespace },
    { name: 'pod', op: '=~', value: podPattern(scope.pods) },
  ];
  if (scope.container !== undefined) {
    assertValue('container name', scope.container);
    matchers.push({ name: 'container', op: '=', value: scope.container });
  }
  return matchers;
}

/**
 * The pattern a scope's `pod` matcher holds, e.g. to tell which of the
 * series a wider query answered the scope selects.
 *
 * @throws InputError if the scope is invalid or empty.
 */
export function podPatternOf(scope: PodScope): RegexPattern {
  return podPattern(scope.pods);
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
