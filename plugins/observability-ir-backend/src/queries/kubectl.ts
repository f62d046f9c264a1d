import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { isNamespaceName } from './scope';

// What single quotes cannot carry as shown: a NUL cannot be an argument,
// other controls and line separators act on the terminal or break the line
// when pasted, bidirectional controls make the command read differently
// from how it runs, and a lone surrogate has no UTF-8 form.
const UNPRINTABLE =
  /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u;

const JSON_PATH =
  '{range .items[*]}{.metadata.name}{"\\t restarts: "}{.status.containerStatuses[0].restartCount}{"\\t reason: "}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}';

/** Single-quotes a value for a POSIX shell; `'` becomes `'\''`. */
function shellQuote(what: string, value: string): string {
  if (value.length === 0) {
    throw new InputError(`The kubectl ${what} must not be empty`);
  }
  if (UNPRINTABLE.test(value)) {
    throw new InputError(
      `The kubectl ${what} ${describeValue(
        value,
      )} holds a character that cannot be shown in a shell command`,
    );
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

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
    `--context ${shellQuote('context', cluster)}`,
    'get pods',
    namespace ? `-n ${shellQuote('namespace', namespace)}` : '-A',
    `-l ${shellQuote('label selector', labelSelector)}`,
    `-o jsonpath=${shellQuote('output', JSON_PATH)}`,
  ].join(' ');
}
