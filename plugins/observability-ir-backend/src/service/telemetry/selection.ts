import type { V1Pod, V1Service } from '@kubernetes/client-node';

/** A Kubernetes `LabelSelector`: matchLabels and matchExpressions. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/** A ServiceMonitor as the Prometheus Operator reads it (the fields used). */
export interface ServiceMonitorObject {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: {
    selector?: LabelSelectorObject;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints?: Array<{ port?: string; targetPort?: string | number }>;
  };
}

/** `monitoring/backend-telemetry`. */
export function nameOf(object: {
  metadata?: { name?: string; namespace?: string };
}): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Whether a label selector selects an object with these labels, as the API
 * server decides it: every matchLabels pair and every matchExpression
 * holds; an empty selector selects everything.
 */
export function selectorMatches(
  selector: LabelSelectorObject | undefined,
  labels: Record<string, string>,
): boolean {
  return unmetRequirements(selector, labels).length === 0;
}

/**
 * The requirements of a selector that these labels fail, each written as
 * in a label selector (`tier=backend`, `app in (a,b)`, `!canary`).
 */
export function unmetRequirements(
  selector: LabelSelectorObject | undefined,
  labels: Record<string, string>,
): string[] {
  const unmet: string[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) unmet.push(`${key}=${value}`);
  }
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (!expressionHolds(e.operator, has, values, labels[e.key])) {
      unmet.push(describeExpression(e.operator, e.key, values));
    }
  }
  return unmet;
}

function expressionHolds(
  operator: string,
  has: boolean,
  values: string[],
  value: string | undefined,
): boolean {
  switch (operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // An operator the API server would refuse selects nothing.
      return false;
  }
}

function describeExpression(operator: string, key: string, values: string[]) {
  switch (operator) {
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    case 'In':
      return `${key} in (${values.join(',')})`;
    default:
      return `${key} notin (${values.join(',')})`;
  }
}

/** A selector written as `tier=backend, app in (a,b)`. */
export function describeSelector(
  selector: LabelSelectorObject | undefined,
): string {
  const all = unmetRequirements(selector, {
    // No labels: every matchLabels pair and In/Exists requirement shows.
  });
  const negative = (selector?.matchExpressions ?? [])
    .filter(e => e.operator === 'NotIn' || e.operator === 'DoesNotExist')
    .map(e =>
      e.operator === 'DoesNotExist'
        ? `!${e.key}`
        : `${e.key} notin (${(e.values ?? []).join(',')})`,
    );
  const text = [...all, ...negative].join(', ');
  return text || 'every Service (empty selector)';
}

/** Labels written as `app=checkout, tier=backend`. */
export function describeLabels(labels: Record<string, string> | undefined) {
  const entries = Object.entries(labels ?? {});
  return entries.length
    ? entries.map(([k, v]) => `${k}=${v}`).join(', ')
    : 'no labels';
}

/**
 * Whether a ServiceMonitor's namespaceSelector selects a namespace: `any`,
 * its `matchNames`, or else only the ServiceMonitor's own namespace.
 */
export function namespaceSelected(
  sm: ServiceMonitorObject,
  namespace: string,
): boolean {
  const selector = sm.spec?.namespaceSelector;
  if (selector?.any) return true;
  if (selector?.matchNames && selector.matchNames.length > 0) {
    return selector.matchNames.includes(namespace);
  }
  return sm.metadata?.namespace === namespace;
}

/** What a namespaceSelector selects, in words. */
export function describeNamespaceSelector(sm: ServiceMonitorObject): string {
  const selector = sm.spec?.namespaceSelector;
  if (selector?.any) return 'any namespace';
  if (selector?.matchNames && selector.matchNames.length > 0) {
    return `matchNames ${selector.matchNames.join(', ')}`;
  }
  return `only its own namespace ${sm.metadata?.namespace ?? ''}`;
}

/**
 * Whether a Service selects a pod: same namespace, and a non-empty selector
 * whose every label the pod carries (a Service without a selector has its
 * Endpoints managed by hand and selects no pod).
 */
export function serviceSelectsPod(service: V1Service, pod: V1Pod): boolean {
  const selector = service.spec?.selector ?? {};
  const labels = pod.metadata?.labels ?? {};
  return (
    service.metadata?.namespace === pod.metadata?.namespace &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels[k] === v)
  );
}

/** The ports of a Service that have names. */
export function portNames(service: V1Service): string[] {
  return (service.spec?.ports ?? [])
    .map(p => p.name)
    .filter((n): n is string => Boolean(n));
}
