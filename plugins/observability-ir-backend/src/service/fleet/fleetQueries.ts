import { InputError } from '@backstage/errors';
import { formatDuration } from '../../queries';
import { assertLabelName, escapeLabelValue } from '../../queries/escaping';

/**
 * The PromQL of the fleet sweep. Unlike an entity's queries these select
 * every namespace on purpose; they hold no text from a request or an
 * entity: label values are constants, escaped all the same, the window is
 * a whole number of seconds and the share a checked number.
 */

function selector(
  metric: string,
  matchers: Array<{ name: string; op: '=' | '!='; value: string }>,
): string {
  const parts = matchers.map(({ name, op, value }) => {
    assertLabelName(name);
    return `${name}${op}"${escapeLabelValue(value)}"`;
  });
  return `${metric}{${parts.join(',')}}`;
}

const PER_CONTAINER = 'max by (namespace, pod, container)';

/**
 * Why each container last terminated, except a clean exit: one series per
 * container and reason (`OOMKilled`, `Error`, ...), from kube-state-metrics.
 */
export function abnormalLastTerminations(): string {
  return selector('kube_pod_container_status_last_terminated_reason', [
    { name: 'reason', op: '!=', value: 'Completed' },
  ]);
}

/**
 * The containers that restarted within the window, and how often: the
 * restart count now less the count at the window's start, or the whole
 * count for a container whose series is younger than the window (its pod
 * started within it). Two instant lookups per series, not every sample of
 * the window as `increase()` would read, and an exact count rather than
 * an extrapolated one; a pod recreated under the same name is a new series
 * (kube-state-metrics labels it with the pod's uid).
 */
export function restartsWithin(windowSeconds: number): string {
  const restarts = 'kube_pod_container_status_restarts_total';
  const window = formatDuration(windowSeconds);
  return `${PER_CONTAINER} ((${restarts} - ${restarts} offset ${window}) or ${restarts}) > 0`;
}

/**
 * The containers whose working set is at least `share` of their memory
 * limit, with that share.
 *
 * @throws InputError unless `share` is above 0 and at most 1.
 */
export function workingSetShareAtLeast(share: number): string {
  if (!(share > 0 && share <= 1)) {
    throw new InputError(
      `The share of the memory limit must be above 0 and at most 1, got ${share}`,
    );
  }
  const workingSet = selector('container_memory_working_set_bytes', [
    { name: 'container', op: '!=', value: '' },
    { name: 'container', op: '!=', value: 'POD' },
  ]);
  const limit = selector('kube_pod_container_resource_limits', [
    { name: 'resource', op: '=', value: 'memory' },
  ]);
  return `${PER_CONTAINER} (${workingSet}) / ${PER_CONTAINER} (${limit}) >= ${Number(
    share.toFixed(4),
  )}`;
}
