import { formatDuration } from './duration';
import { LabelMatcher, renderMatchers } from './matchers';
import { PodScope, prometheusScopeMatchers } from './scope';

// cAdvisor also reports a pod-level cgroup (container="") and the pause
// container (container="POD"); both would double-count a pod's containers.
const REAL_CONTAINERS: readonly LabelMatcher[] = [
  { name: 'container', op: '!=', value: '' },
  { name: 'container', op: '!=', value: 'POD' },
];

function cadvisor(metric: string, scope: PodScope): string {
  return `${metric}${renderMatchers([
    ...prometheusScopeMatchers(scope),
    ...REAL_CONTAINERS,
  ])}`;
}

function kubeStateMetrics(
  metric: string,
  scope: PodScope,
  extra: readonly LabelMatcher[] = [],
): string {
  return `${metric}${renderMatchers([
    ...prometheusScopeMatchers(scope),
    ...extra,
  ])}`;
}

function resource(value: 'memory' | 'cpu'): LabelMatcher[] {
  return [{ name: 'resource', op: '=', value }];
}

/** Working-set memory per container (cAdvisor), in bytes. */
export function memoryWorkingSet(scope: PodScope): string {
  return cadvisor('container_memory_working_set_bytes', scope);
}

/** Memory limit per container (kube-state-metrics), in bytes. */
export function memoryLimit(scope: PodScope): string {
  return kubeStateMetrics(
    'kube_pod_container_resource_limits',
    scope,
    resource('memory'),
  );
}

/** Memory request per container (kube-state-metrics), in bytes. */
export function memoryRequest(scope: PodScope): string {
  return kubeStateMetrics(
    'kube_pod_container_resource_requests',
    scope,
    resource('memory'),
  );
}

/** CPU limit per container (kube-state-metrics), in cores. */
export function cpuLimit(scope: PodScope): string {
  return kubeStateMetrics(
    'kube_pod_container_resource_limits',
    scope,
    resource('cpu'),
  );
}

/** CPU usage in cores per pod and container, as a rate over `rateWindowSeconds`. */
export function cpuUsage(scope: PodScope, rateWindowSeconds: number): string {
  const window = formatDuration(rateWindowSeconds);
  return `sum by (pod, container) (rate(${cadvisor(
    'container_cpu_usage_seconds_total',
    scope,
  )}[${window}]))`;
}

/**
 * Share (0 to 1) of CFS periods in which each container was throttled over
 * `windowSeconds`.
 */
export function cpuThrottledShare(
  scope: PodScope,
  windowSeconds: number,
): string {
  const window = formatDuration(windowSeconds);
  const throttled = cadvisor(
    'container_cpu_cfs_throttled_periods_total',
    scope,
  );
  const total = cadvisor('container_cpu_cfs_periods_total', scope);
  return (
    `sum by (pod, container) (rate(${throttled}[${window}]))` +
    ` / sum by (pod, container) (rate(${total}[${window}]))`
  );
}

/** Restart count per container since it was created (kube-state-metrics). */
export function restarts(scope: PodScope): string {
  return kubeStateMetrics('kube_pod_container_status_restarts_total', scope);
}

/** Restarts per container during the last `windowSeconds`. */
export function restartIncrease(
  scope: PodScope,
  windowSeconds: number,
): string {
  return `increase(${restarts(scope)}[${formatDuration(windowSeconds)}])`;
}

/** Why each container last terminated (`reason` label, e.g. OOMKilled). */
export function lastTerminatedReason(scope: PodScope): string {
  return kubeStateMetrics(
    'kube_pod_container_status_last_terminated_reason',
    scope,
  );
}

/** Readiness per container (1 ready, 0 not). */
export function ready(scope: PodScope): string {
  return kubeStateMetrics('kube_pod_container_status_ready', scope);
}

/** Highest working-set memory per pod and container over `windowSeconds`. */
export function peakWorkingSet(scope: PodScope, windowSeconds: number): string {
  return `max by (pod, container) (max_over_time(${memoryWorkingSet(
    scope,
  )}[${formatDuration(windowSeconds)}]))`;
}
