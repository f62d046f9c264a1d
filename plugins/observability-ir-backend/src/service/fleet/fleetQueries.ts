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

/** The containers that restarted within the window, and how often. */
export function restartsWithin(windowSeconds: number): string {
  return `${PER_CONTAINER} (increase(kube_pod_container_status_restarts_total[${formatDuration(
    windowSeconds,
  )}])) > 0`;
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
