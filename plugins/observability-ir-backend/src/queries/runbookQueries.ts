import { InputError } from '@backstage/errors';
import { escapeLabelValue } from './escaping';
import { ErrorLogsOptions, errorLogs } from './logql';
import { memoryLimit, memoryWorkingSet } from './promql';
import { PodScope } from './scope';

const PER_CONTAINER = 'max by (namespace, pod, container)';

/**
 * The working set of each container as a share of its memory limit (1 is
 * the limit, where the kernel's OOM killer acts).
 */
export function memoryLimitShare(scope: PodScope): string {
  return `${PER_CONTAINER} (${memoryWorkingSet(
    scope,
  )}) / ${PER_CONTAINER} (${memoryLimit(scope)})`;
}

/**
 * The error lines of {@link errorLogs} that also contain `text` literally,
 * e.g. an exception class: `{…} |~ "(?i)(error|…)" |= "text"`.
 *
 * @throws InputError if `text` is empty, or for what {@link errorLogs}
 * refuses.
 */
export function errorLinesContaining(
  scope: PodScope,
  text: string,
  options: ErrorLogsOptions = {},
): string {
  if (text.length === 0) {
    throw new InputError('The text to look for must not be empty');
  }
  return `${errorLogs(scope, options)} |= "${escapeLabelValue(text)}"`;
}
