import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { assertLabelName } from './escaping';
import {
  anyOfExactly,
  anyOfPatterns,
  LabelMatcher,
  renderMatchers,
  withPrefix,
} from './matchers';
import { assertNarrowingMatcher } from './narrowing';
import { hasPodNameShape, PodOwner, PodScope, scopeMatchers } from './scope';

/**
 * The labels by which alert rules name a workload rather than one of its
 * pods, per kind: kube-state-metrics' names, which the kubernetes-mixin's
 * rules (`KubeDeploymentReplicasMismatch`, `KubeStatefulSetReplicasMismatch`)
 * keep.
 */
export const WORKLOAD_ALERT_LABELS: Record<
  PodOwner['kind'],
  readonly string[]
> = {
  Deployment: ['deployment'],
  StatefulSet: ['statefulset'],
};

const FIRING: LabelMatcher = { name: 'alertstate', op: '=', value: 'firing' };

function ownersOf(scope: PodScope): PodOwner[] {
  return 'owners' in scope.pods ? scope.pods.owners : [];
}

/**
 * The workload names a scope by name prefix reaches: the prefix itself and
 * every name that extends it with `-…`.
 */
function workloadNamesOf(scope: PodScope): LabelMatcher | undefined {
  if (!('namePrefix' in scope.pods)) return undefined;
  const { namePrefix } = scope.pods;
  return {
    name: '',
    op: '=~',
    value: anyOfPatterns([
      anyOfExactly([namePrefix]),
      withPrefix(`${namePrefix}-`),
    ]),
  };
}

function extraMatchersOf(scope: PodScope): readonly LabelMatcher[] {
  const extra = scope.extraPrometheusMatchers ?? [];
  extra.forEach(assertNarrowingMatcher);
  return extra;
}

/**
 * PromQL: the `ALERTS` series of the alerts firing about a scope: its pods
 * (`namespace` and `pod`) or its workloads (`namespace` and the workload's
 * label, see {@link WORKLOAD_ALERT_LABELS}), narrowed by the scope's extra
 * Prometheus matchers.
 *
 * @throws InputError if the scope is invalid or empty.
 */
export function firingAlerts(scope: PodScope): string {
  const [namespace, pod] = scopeMatchers({ ...scope, container: undefined });
  const extra = extraMatchersOf(scope);
  const selectors = [
    `ALERTS${renderMatchers([FIRING, namespace, pod, ...extra])}`,
  ];
  for (const owner of ownersOf(scope)) {
    for (const label of WORKLOAD_ALERT_LABELS[owner.kind]) {
      selectors.push(
        `ALERTS${renderMatchers([
          FIRING,
          namespace,
          { name: label, op: '=', value: owner.name },
          ...extra,
        ])}`,
      );
    }
  }
  const named = workloadNamesOf(scope);
  if (named) {
    const labels = new Set(Object.values(WORKLOAD_ALERT_LABELS).flat());
    for (const label of labels) {
      selectors.push(
        `ALERTS${renderMatchers([
          FIRING,
          namespace,
          { ...named, name: label },
          ...extra,
        ])}`,
      );
    }
  }
  return selectors.join(' or ');
}

/** Whether labels satisfy a matcher as Prometheus reads it (absent is ""). */
function satisfies(
  labels: Readonly<Record<string, string>>,
  { name, op, value }: LabelMatcher,
): boolean {
  const actual = labels[name] ?? '';
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    default: {
      // Only the pattern helpers make regex values; RE2 and JavaScript read
      // their syntax alike. Anchored at both ends, as Prometheus anchors.
      const matches = new RegExp(`^(?:${value})$`, 's').test(actual);
      return op === '=~' ? matches : !matches;
    }
  }
}

/**
 * Whether an alert's labels are about the scope: the scope's namespace and
 * one of its pods, or one of its workloads by name, and its extra
 * Prometheus matchers. An alert of another namespace, or of a sibling
 * workload whose name starts with this one's, is not.
 */
export function alertConcernsScope(
  labels: Readonly<Record<string, string>>,
  scope: PodScope,
): boolean {
  if (labels.namespace !== scope.namespace) return false;
  if (!extraMatchersOf(scope).every(m => satisfies(labels, m))) return false;
  const pod = labels.pod;
  const owners = ownersOf(scope);
  const named = workloadNamesOf(scope);
  if (named) {
    return pod !== undefined && pod !== ''
      ? satisfies(labels, scopeMatchers({ ...scope, container: undefined })[1])
      : Object.values(WORKLOAD_ALERT_LABELS)
          .flat()
          .some(label => satisfies(labels, { ...named, name: label }));
  }
  if (pod !== undefined && pod !== '') {
    return (
      (scope.pods.names ?? []).includes(pod) ||
      owners.some(owner => hasPodNameShape(owner, pod))
    );
  }
  return owners.some(owner =>
    WORKLOAD_ALERT_LABELS[owner.kind].some(
      label => labels[label] === owner.name,
    ),
  );
}

// Alertmanager reads a quoted matcher value with Go's unquoting of `\\`,
// `\"` and `\n` only; other control characters have no faithful form.
const ALERTMANAGER_UNSAFE = /[\p{Cc}\uD800-\uDFFF]/u;

/**
 * An Alertmanager API v2 `filter` matcher, `name="value"`, the value quoted
 * and escaped as Alertmanager unquotes it.
 *
 * @throws InputError for a bad label name, or a value with control
 * characters other than a newline, or lone surrogates.
 */
export function alertmanagerMatcher(name: string, value: string): string {
  assertLabelName(name);
  const flat = value.replace(/\n/g, '');
  if (ALERTMANAGER_UNSAFE.test(flat)) {
    throw new InputError(
      `The value ${describeValue(
        value,
      )} cannot be sent to Alertmanager as a matcher`,
    );
  }
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
  return `${name}="${escaped}"`;
}

/**
 * The Alertmanager filter of a scope: its namespace (the pods and
 * workloads are picked from the answer with {@link alertConcernsScope}).
 */
export function alertmanagerFilter(scope: PodScope): string[] {
  const [namespace] = scopeMatchers({ ...scope, container: undefined });
  return [alertmanagerMatcher('namespace', namespace.value)];
}
