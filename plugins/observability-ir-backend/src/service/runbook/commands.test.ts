import { InputError } from '@backstage/errors';
import { RunbookCommand } from '@observability-ir/plugin-observability-ir-common';
import { spawnSync } from 'node:child_process';
import { HOSTILE_INPUTS } from '../../__testUtils__/queries/hostileInputs';
import {
  containerCommandAndEnv,
  describePod,
  findContainerId,
  patchMemoryLimit,
  patchProbePort,
  podEvents,
  previousLogs,
  removeCpuLimit,
  setCpuLimit,
  setMemoryLimit,
  WorkloadLocation,
} from './commands';

const PROGRAMS = ['kubectl', 'crictl', 'head'];

/**
 * Runs a command in a POSIX shell with every program it calls replaced by
 * a function that records its arguments; returns each call.
 */
function callsOf(command: RunbookCommand): string[][] {
  // The calls go to stderr: stdout may be piped or captured by the command.
  const stubs = PROGRAMS.map(
    // One printf per call: calls in a pipeline run at the same time.
    name =>
      `${name}() { printf '%s\\0' ${name} "$@" "$(printf '\\036')" >&2; }`,
  ).join('\n');
  const { stderr, status } = spawnSync(
    'sh',
    ['-c', `${stubs}\n${command.text}`],
    { encoding: 'utf8' },
  );
  expect(status).toBe(0);
  return stderr
    .split('\u001e\0')
    .filter(call => call.length > 0)
    .map(call => call.split('\0').slice(0, -1));
}

const lab = { cluster: 'sandbox', namespace: 'finance' };
const deployment: WorkloadLocation = {
  ...lab,
  kind: 'Deployment',
  name: 'checkout-api',
  container: 'checkout-api',
};

/** What a pasted command cannot show faithfully: the test's own list. */
function unprintable(text: string): boolean {
  return /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\uD800-\uDFFF]/u.test(
    text,
  );
}

function outcome(build: () => RunbookCommand): string[][] | 'refused' {
  try {
    return callsOf(build());
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return 'refused';
  }
}

describe('runbook commands', () => {
  it('run kubectl with the context, the namespace and the pod as arguments', () => {
    expect(callsOf(describePod(lab, 'checkout-api-v1-abc'))).toEqual([
      [
        'kubectl',
        '--context',
        'sandbox',
        '-n',
        'finance',
        'describe',
        'pod',
        'checkout-api-v1-abc',
      ],
    ]);
    expect(callsOf(previousLogs(lab, 'checkout-api-v1-abc', 'app'))).toEqual([
      [
        'kubectl',
        '--context',
        'sandbox',
        '-n',
        'finance',
        'logs',
        'checkout-api-v1-abc',
        '-c',
        'app',
        '--previous',
        '--tail=200',
      ],
    ]);
  });

  it('set the memory limit with a patch kubectl reads as JSON, or set resources', () => {
    const [patch] = callsOf(patchMemoryLimit(deployment, '1Gi'));
    expect(patch.slice(0, 10)).toEqual([
      'kubectl',
      '--context',
      'sandbox',
      '-n',
      'finance',
      'patch',
      'deployment',
      'checkout-api',
      '--type',
      'strategic',
    ]);
    expect(JSON.parse(patch[11])).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'checkout-api',
                resources: { limits: { memory: '1Gi' } },
              },
            ],
          },
        },
      },
    });
    expect(callsOf(setMemoryLimit(deployment, '1.5Gi'))[0].slice(5)).toEqual([
      'set',
      'resources',
      'deployment/checkout-api',
      '-c',
      'checkout-api',
      '--limits=memory=1.5Gi',
    ]);
    expect(() => setMemoryLimit(deployment, '1Gi; rm -rf /')).toThrow(
      InputError,
    );
  });

  it("show one container's command, args and env, where a runtime cap is set", () => {
    const [get] = callsOf(
      containerCommandAndEnv({ ...deployment, container: 'search-indexer' }),
    );
    expect(get).toEqual([
      'kubectl',
      '--context',
      'sandbox',
      '-n',
      'finance',
      'get',
      'deployment',
      'checkout-api',
      '-o',
      'jsonpath={range .spec.template.spec.containers[?(@.name=="search-indexer")]}{"command: "}{.command}{"\\nargs: "}{.args}{"\\nenv: "}{.env}{"\\n"}{end}',
    ]);
    // The name is written into the filter's double quotes: only a
    // container name fits there.
    for (const container of ['a"b', 'a)]}{.x', 'Search', '-x']) {
      expect(() =>
        containerCommandAndEnv({ ...deployment, container }),
      ).toThrow(InputError);
    }
  });

  it('raise the CPU limit in millicores, or delete it with a null', () => {
    expect(callsOf(setCpuLimit(deployment, 1.2))[0]).toContain(
      '--limits=cpu=1200m',
    );
    const [remove] = callsOf(removeCpuLimit(deployment));
    expect(
      JSON.parse(remove[11]).spec.template.spec.containers[0].resources,
    ).toEqual({ limits: { cpu: null } });
  });

  it('patch only a valid port into a probe', () => {
    const [patch] = callsOf(
      patchProbePort(deployment, 'liveness', 'httpGet', 8080),
    );
    expect(
      JSON.parse(patch[11]).spec.template.spec.containers[0].livenessProbe,
    ).toEqual({ httpGet: { port: 8080 } });
    expect(() =>
      patchProbePort(deployment, 'liveness', 'httpGet', 70000),
    ).toThrow(InputError);
  });

  it('find the container through the CRI by its exact name and pod', () => {
    // The two sides of the pipe run at once: find each call by its program.
    const calls = callsOf(
      findContainerId('finance', 'checkout-api-v1-abc', 'checkout.api'),
    );
    const crictl = calls.find(c => c[0] === 'crictl')!;
    const head = calls.find(c => c[0] === 'head')!;
    expect(crictl).toEqual([
      'crictl',
      'ps',
      '--name',
      '^checkout\\.api$',
      '--label',
      'io.kubernetes.pod.namespace=finance',
      '--label',
      'io.kubernetes.pod.name=checkout-api-v1-abc',
      '-q',
    ]);
    expect(head).toEqual(['head', '-n', '1']);
    const pattern = new RegExp(crictl[3]);
    expect(pattern.test('checkout.api')).toBe(true);
    expect(pattern.test('checkoutXapi')).toBe(false);
    expect(pattern.test('checkout.api-sidecar')).toBe(false);
  });

  it('refuse a namespace that is not a Kubernetes name', () => {
    expect(() =>
      describePod({ ...lab, namespace: 'finance; reboot' }, 'pod'),
    ).toThrow(InputError);
  });

  describe.each(HOSTILE_INPUTS)('hostile input: %s', (_label, value) => {
    it('a pod name reaches kubectl as one argument, exactly, or is refused', () => {
      const describeOutcome = outcome(() => describePod(lab, value));
      const eventsOutcome = outcome(() => podEvents(lab, value));
      // A pod name that starts with "-" would be read as an option.
      const expectRefused =
        value === '' || unprintable(value) || value.startsWith('-');
      expect(describeOutcome).toEqual(
        expectRefused
          ? 'refused'
          : [
              [
                'kubectl',
                '--context',
                'sandbox',
                '-n',
                'finance',
                'describe',
                'pod',
                value,
              ],
            ],
      );
      // The field selector escapes what would end its requirement.
      const escaped = value.replace(/[\\,=]/g, '\\$&');
      expect(eventsOutcome).toEqual(
        unprintable(value)
          ? 'refused'
          : [
              [
                'kubectl',
                '--context',
                'sandbox',
                '-n',
                'finance',
                'get',
                'events',
                '--field-selector',
                `involvedObject.name=${escaped}`,
              ],
            ],
      );
    });

    it('a container name reaches the patch JSON exactly, or is refused', () => {
      const result = outcome(() =>
        patchMemoryLimit({ ...deployment, container: value }, '1Gi'),
      );
      const containers =
        result === 'refused'
          ? 'refused'
          : JSON.parse(result[0][11]).spec.template.spec.containers;
      // JSON escapes C0 controls and lone surrogates; what it leaves raw
      // and a shell cannot show is refused.
      const unshowable = unprintable(JSON.stringify(value));
      expect(containers).toEqual(
        unshowable
          ? 'refused'
          : [{ name: value, resources: { limits: { memory: '1Gi' } } }],
      );
    });
  });
});
