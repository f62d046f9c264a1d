import { InputError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { kubectlReplicaCommand } from './kubectl';

const JSON_PATH =
  '{range .items[*]}{.metadata.name}{"\\t restarts: "}{.status.containerStatuses[0].restartCount}{"\\t reason: "}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}';

/**
 * The arguments kubectl would receive: a POSIX shell runs the command with
 * `kubectl` defined as a function that prints its arguments NUL-separated.
 */
function argumentsKubectlReceives(command: string): string[] {
  const printed = execFileSync(
    'sh',
    ['-c', `kubectl() { printf '%s\\0' "$@"; }\n${command}`],
    { encoding: 'utf8' },
  );
  return printed.split('\0').slice(0, -1);
}

/** The test's own idea of what the command cannot show faithfully. */
function unprintable(value: string): boolean {
  return (
    /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u.test(
      value,
    ) || /[\uD800-\uDFFF]/u.test(value)
  );
}

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

describe('kubectlReplicaCommand', () => {
  const lab = {
    cluster: 'sandbox',
    namespace: 'finance',
    labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  };

  it("runs the lab's command: restarts and last termination reason of the entity's pods", () => {
    const command = kubectlReplicaCommand(lab);

    expect(command).toContain(
      "-n 'finance' -l 'backstage.io/kubernetes-id=checkout-api'",
    );
    expect(argumentsKubectlReceives(command)).toEqual([
      '--context',
      'sandbox',
      'get',
      'pods',
      '-n',
      'finance',
      '-l',
      'backstage.io/kubernetes-id=checkout-api',
      '-o',
      `jsonpath=${JSON_PATH}`,
    ]);
  });

  it('looks in all namespaces when the entity names none', () => {
    const args = argumentsKubectlReceives(
      kubectlReplicaCommand({ ...lab, namespace: undefined }),
    );

    expect(args).toContain('-A');
    expect(args).not.toContain('-n');
  });

  it('keeps a set-based selector in one argument', () => {
    const labelSelector = 'app in (checkout, checkout-canary),tier!=batch';
    const args = argumentsKubectlReceives(
      kubectlReplicaCommand({ ...lab, labelSelector }),
    );

    expect(args[args.indexOf('-l') + 1]).toBe(labelSelector);
  });

  it('refuses an empty context or selector: kubectl would use the current context, or list every pod', () => {
    expect(() => kubectlReplicaCommand({ ...lab, cluster: '' })).toThrow(
      InputError,
    );
    expect(() => kubectlReplicaCommand({ ...lab, labelSelector: '' })).toThrow(
      InputError,
    );
  });

  describe.each(HOSTILE_INPUTS)('hostile input: %s', (_label, value) => {
    it('reaches kubectl as one argument, exactly, or is refused', () => {
      for (const field of ['cluster', 'namespace', 'labelSelector'] as const) {
        const options = { ...lab, [field]: value };
        const refused =
          unprintable(value) ||
          (field === 'namespace'
            ? value !== '' && !DNS_LABEL.test(value)
            : value === '');
        let outcome: string[] | 'refused';
        try {
          outcome = argumentsKubectlReceives(kubectlReplicaCommand(options));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          outcome = 'refused';
        }
        expect({ field, outcome }).toEqual({
          field,
          outcome: refused
            ? 'refused'
            : [
                '--context',
                options.cluster,
                'get',
                'pods',
                ...(options.namespace ? ['-n', options.namespace] : ['-A']),
                '-l',
                options.labelSelector,
                '-o',
                `jsonpath=${JSON_PATH}`,
              ],
        });
      }
    });
  });
});
