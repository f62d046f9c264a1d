import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { isNamespaceName } from './scope';
import { shellQuote } from './shell';

const JSON_PATH =
  '{range .items[*]}{.metadata.name}{"\\t restarts: "}{.status.containerStatuses[0].restartCount}{"\\t reason: "}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}';

/**
 * The kubectl command that prints the same restart counts and reasons as
 * the replica table, as the lab ran it. Every value is single-quoted for
 * the shell, so it reaches kubectl as one argument, exactly as given.
 *
 * @remarks
 * Without a namespace the command looks in all namespaces (`-A`).
 *
 * @throws InputError if the cluster or the label selector is empty, the
 * namespace is not a Kubernetes namespace name, or a value holds a control,
 * line-separator or bidirectional character, or a lone surrogate.
 */
export function kubectlReplicaCommand(options: {
  cluster: string;
  namespace?: string;
  labelSelector: string;
}): string {
  const { cluster, namespace, labelSelector } = options;
  if (namespace && !isNamespaceName(namespace)) {
    throw new InputError(
      `Invalid namespace ${describeValue(
        namespace,
      )}: it must be a Kubernetes namespace name`,
    );
  }
  return [
    'kubectl',
    `--context ${shellQuote(cluster, 'kubectl context')}`,
    'get pods',
    namespace ? `-n ${shellQuote(namespace, 'kubectl namespace')}` : '-A',
    `-l ${shellQuote(labelSelector, 'kubectl label selector')}`,
    `-o jsonpath=${shellQuote(JSON_PATH, 'kubectl output')}`,
  ].join(' ');
}
