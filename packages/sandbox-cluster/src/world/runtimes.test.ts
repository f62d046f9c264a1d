import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { startSandbox, Sandbox } from '../sandbox';
import { parseScenario } from '../scenario/loader';
import { Runtime, RUNTIMES } from '../scenario/schema';
import { ContainerModel } from './containerModel';
import { readRuntimeProfile, RUNTIMES_DIR } from './runtimes';

jest.setTimeout(60_000);

/** What a user sees of each runtime, in that runtime's own words. */
const EXPECTED: Record<
  Runtime,
  {
    startup: string;
    memoryError: RegExp;
    memoryExit: number;
    nullPointer: RegExp;
    nullPointerExit: number;
    missingConfig: RegExp;
    missingConfigExit: number;
  }
> = {
  java: {
    startup:
      'Starting CheckoutApiApplication v1.8.2 using Java 17.0.9 with PID 1',
    memoryError: /^java\.lang\.OutOfMemoryError: Java heap space$/m,
    memoryExit: 1,
    nullPointer: /^Caused by: java\.lang\.NullPointerException: /m,
    nullPointerExit: 1,
    missingConfig: /^APPLICATION FAILED TO START$/m,
    missingConfigExit: 1,
  },
  python: {
    startup: 'INFO checkout_api: Starting checkout-api 1.8.2 on CPython 3.12.3',
    memoryError:
      /^Traceback \(most recent call last\):\n[\s\S]*\nMemoryError$/m,
    memoryExit: 1,
    nullPointer:
      /^AttributeError: 'NoneType' object has no attribute 'strip'$/m,
    nullPointerExit: 1,
    missingConfig: /^KeyError: 'PAYMENT_GATEWAY_URL'$/m,
    missingConfigExit: 1,
  },
  go: {
    startup: 'level=INFO msg="starting checkout-api" version=1.8.2',
    memoryError:
      /^fatal error: runtime: out of memory\n\nruntime stack:\n[\s\S]*^goroutine \d+ \[running\]:$/m,
    memoryExit: 2,
    nullPointer:
      /^panic: runtime error: invalid memory address or nil pointer dereference\n\[signal SIGSEGV: segmentation violation [^\]]*\]\n\ngoroutine 1 \[running\]:$/m,
    nullPointerExit: 2,
    missingConfig:
      /level=ERROR msg="invalid configuration" err="required key PAYMENT_GATEWAY_URL missing value"/,
    missingConfigExit: 1,
  },
  node: {
    startup: '"msg":"Starting checkout-api 1.8.2 on Node.js v20.12.2',
    memoryError:
      /^<--- Last few GCs --->$[\s\S]*^FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory$/m,
    memoryExit: 134,
    nullPointer:
      /^TypeError: Cannot read properties of undefined \(reading 'trim'\)$/m,
    nullPointerExit: 1,
    missingConfig:
      /^Error: Missing required environment variable PAYMENT_GATEWAY_URL$/m,
    missingConfigExit: 1,
  },
  dotnet: {
    startup: 'info: CheckoutApi.Program[0]\n      Starting CheckoutApi 1.8.2',
    memoryError:
      /^Unhandled exception\. System\.OutOfMemoryException: Exception of type 'System\.OutOfMemoryException' was thrown\.$/m,
    memoryExit: 134,
    nullPointer:
      /^Unhandled exception\. System\.NullReferenceException: Object reference not set to an instance of an object\.$/m,
    nullPointerExit: 134,
    missingConfig:
      /^Unhandled exception\. Microsoft\.Extensions\.Options\.OptionsValidationException: /m,
    missingConfigExit: 134,
  },
  rust: {
    startup: ' INFO checkout_api: starting checkout-api version=1.8.2',
    memoryError: /^memory allocation of \d+ bytes failed$/m,
    memoryExit: 134,
    nullPointer:
      /^thread 'main' panicked at src\/payment\.rs:\d+:\d+:\ncalled `Option::unwrap\(\)` on a `None` value$/m,
    nullPointerExit: 101,
    missingConfig:
      /^Error: .*\n\nCaused by:\n {4}environment variable not found$/m,
    missingConfigExit: 1,
  },
};

const leak = {
  type: 'memory-leak',
  baselineMemory: '100Mi',
  demandMemory: '900Mi',
  rampSeconds: 300,
  startupSeconds: 300,
  restartDelaySeconds: 10,
  logs: { intervalSeconds: 5 },
};

function deployment(
  runtime: Runtime,
  kind: string,
  behavior: Record<string, unknown>,
  restarts = 3,
) {
  const name = `${runtime}-${kind}`;
  return {
    name,
    namespace: 'apps',
    labels: { app: name },
    replicaSet: `${name}-v1`,
    pods: [{ name: `${name}-1`, node: 'worker-1', restarts }],
    containers: [
      {
        name: 'checkout-api',
        image: `registry.example.com/${name}:1.8.2`,
        runtime,
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: { limits: { cpu: '1', memory: '512Mi' } },
        behavior,
      },
    ],
  };
}

const scenario = {
  name: 'runtimes',
  seed: 3,
  historyHours: 2,
  clusters: [
    {
      name: 'sandbox',
      nodes: [{ name: 'worker-1', internalIP: '10.0.1.11' }],
      namespaces: ['apps'],
      deployments: RUNTIMES.flatMap(runtime => [
        deployment(
          runtime,
          'web',
          {
            type: 'steady',
            memory: '120Mi',
            startupSeconds: 5,
            logs: { intervalSeconds: 10 },
          },
          0,
        ),
        deployment(runtime, 'heap', { ...leak, heapLimit: '256Mi' }),
        deployment(runtime, 'oom', leak),
        deployment(runtime, 'npe', {
          type: 'crash-loop',
          error: 'null-pointer',
          startupSeconds: 30,
        }),
        deployment(runtime, 'config', {
          type: 'crash-loop',
          error: 'missing-config',
          startupSeconds: 30,
        }),
      ]),
    },
  ],
};

describe('runtime log profiles in the sandbox', () => {
  let sandbox: Sandbox;
  let api: string;
  let loki: string;
  let prometheus: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario,
      speed: 0,
      kubeconfigPath: false,
      now: Date.parse('2025-03-01T09:00:00Z'),
    });
    api = sandbox.clusters[0].kubernetesUrl;
    loki = sandbox.clusters[0].lokiUrl;
    prometheus = sandbox.clusters[0].prometheusUrl;
    // The web pods start at scenario start: let them serve a while.
    sandbox.advance(120_000);
  }, 60_000);

  afterAll(() => sandbox?.close());

  const text = async (url: string) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  };
  const logs = (pod: string, query = '') =>
    text(`${api}/api/v1/namespaces/apps/pods/${pod}/log${query}`);
  const lastTerminated = async (pod: string) => {
    const body = JSON.parse(
      await text(`${api}/api/v1/namespaces/apps/pods/${pod}`),
    );
    return body.status.containerStatuses[0].lastState.terminated;
  };
  /** Loki entries of a pod over the last two hours, oldest first. */
  const lokiEntries = async (pod: string) => {
    const end = sandbox.now();
    const body = JSON.parse(
      await text(
        `${loki}/loki/api/v1/query_range?${new URLSearchParams({
          query: `{namespace="apps", pod="${pod}"}`,
          start: String((end - 2 * 3_600_000) * 1e6),
          end: String(end * 1e6),
          limit: '5000',
          direction: 'forward',
        })}`,
      ),
    );
    return body.data.result.flatMap((s: any) =>
      s.values.map((v: [string, string]) => v[1]),
    ) as string[];
  };

  describe.each(RUNTIMES)('%s', runtime => {
    const expected = EXPECTED[runtime];

    it('writes its start-up line and serves in its own format', async () => {
      const body = await logs(`${runtime}-web-1`);
      expect(body).toContain(expected.startup);
      const entries = await lokiEntries(`${runtime}-web-1`);
      expect(entries.some(e => e.includes(expected.startup))).toBe(true);
      // No other runtime's start-up line.
      for (const other of RUNTIMES.filter(r => r !== runtime)) {
        expect(body).not.toContain(EXPECTED[other].startup);
      }
    });

    it('fails with its memory error and its exit code at heapLimit', async () => {
      const pod = `${runtime}-heap-1`;
      const terminated = await lastTerminated(pod);
      expect(terminated).toMatchObject({
        reason: 'Error',
        exitCode: expected.memoryExit,
      });
      const previous = await logs(pod, '?previous=true');
      expect(previous).toMatch(expected.memoryError);
      // Loki holds the error as one entry per run, with all its lines.
      const errors = (await lokiEntries(pod)).filter(e =>
        expected.memoryError.test(e),
      );
      expect(errors.length).toBeGreaterThanOrEqual(3);
      expect(previous).toContain(errors[errors.length - 1]);
      // The working set never goes above the heap cap.
      const peak = JSON.parse(
        await text(
          `${prometheus}/api/v1/query?${new URLSearchParams({
            query: `max_over_time(container_memory_working_set_bytes{pod="${pod}"}[1h])`,
          })}`,
        ),
      );
      const bytes = Number(peak.data.result[0].value[1]);
      expect(bytes).toBeLessThanOrEqual(256 * 1048576);
      expect(bytes).toBeGreaterThan(200 * 1048576);
    });

    it('prints nothing of its own when the kernel OOM-kills it', async () => {
      const pod = `${runtime}-oom-1`;
      const terminated = await lastTerminated(pod);
      expect(terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      const previous = await logs(pod, '?previous=true&timestamps=true');
      const lines = previous.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      const last = Date.parse(lines[lines.length - 1].split(' ')[0]);
      // The last thing written comes before the kill's second (finishedAt
      // has whole seconds): nothing is written at the kill itself.
      expect(last).toBeLessThan(Date.parse(terminated.finishedAt));
      // Only the JVM, whose heap cap sits near the limit, logs an
      // OutOfMemoryError before the kernel steps in; the others say nothing.
      const plain = await logs(pod, '?previous=true');
      expect(expected.memoryError.test(plain)).toBe(runtime === 'java');
      expect(plain).not.toMatch(expected.nullPointer);
    });

    it('writes its crash for a null dereference, with its exit code', async () => {
      const pod = `${runtime}-npe-1`;
      expect(await lastTerminated(pod)).toMatchObject({
        reason: 'Error',
        exitCode: expected.nullPointerExit,
      });
      const previous = await logs(pod, '?previous=true');
      expect(previous).toMatch(expected.nullPointer);
      expect(previous).toContain(expected.startup);
      const crash = (await lokiEntries(pod)).filter(e =>
        expected.nullPointer.test(e),
      );
      expect(crash.length).toBeGreaterThanOrEqual(3);
      expect(previous).toContain(crash[crash.length - 1]);
    });

    it('writes its configuration error, with its exit code', async () => {
      const pod = `${runtime}-config-1`;
      expect(await lastTerminated(pod)).toMatchObject({
        reason: 'Error',
        exitCode: expected.missingConfigExit,
      });
      const previous = await logs(pod, '?previous=true');
      expect(previous).toMatch(expected.missingConfig);
      expect(previous).not.toMatch(expected.nullPointer);
    });
  });
});

describe('heapLimit', () => {
  const model = (behavior: Record<string, unknown>, memory?: string) => {
    const d = deployment('node', 'x', { ...leak, ...behavior });
    d.containers[0].resources = memory ? { limits: { memory } } : ({} as any);
    const s = parseScenario({
      name: 'one',
      clusters: [
        {
          name: 'c',
          nodes: [{ name: 'worker-1', internalIP: '10.0.0.1' }],
          namespaces: ['apps'],
          deployments: [d],
        },
      ],
    });
    const c = s.clusters[0].deployments[0].containers[0];
    return new ContainerModel(c, c.behavior, 'seed');
  };

  it('ends the run with the memory error when the heap cap comes first', () => {
    const m = model({ heapLimit: '256Mi' }, '512Mi');
    const outcome = m.outcome(0);
    expect(outcome).toMatchObject({
      reason: 'Error',
      exitCode: 134,
      memoryError: true,
    });
    // It dies earlier than the same leak would be OOMKilled.
    const killed = model({}, '512Mi').outcome(0);
    expect(killed).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(outcome.durationMs!).toBeLessThan(killed.durationMs!);
    expect(m.memoryAt(0, outcome.durationMs!)).toBeLessThanOrEqual(
      256 * 1048576,
    );
  });

  it('is OOMKilled when the heap cap is at or above the memory limit', () => {
    expect(model({ heapLimit: '512Mi' }, '512Mi').outcome(0)).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
    });
    expect(model({ heapLimit: '1Gi' }, '512Mi').outcome(0)).toMatchObject({
      reason: 'OOMKilled',
    });
  });

  it('applies without a memory limit, and not when the demand fits', () => {
    expect(model({ heapLimit: '256Mi' }).outcome(0)).toMatchObject({
      reason: 'Error',
      memoryError: true,
    });
    expect(
      model({ heapLimit: '1Gi', demandMemory: '700Mi' }).outcome(0),
    ).toMatchObject({ reason: 'Completed' });
  });
});

describe('runtime profile files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtimes-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const shipped = (runtime: Runtime) =>
    YAML.parse(
      fs.readFileSync(path.join(RUNTIMES_DIR, `${runtime}.yaml`), 'utf8'),
    );
  const write = (runtime: Runtime, doc: unknown) => {
    const file = path.join(dir, `${runtime}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
  };

  it('ships a valid profile for every runtime', () => {
    for (const runtime of RUNTIMES) {
      const profile = readRuntimeProfile(
        path.join(RUNTIMES_DIR, `${runtime}.yaml`),
      );
      expect(profile.runtime).toBe(runtime);
      expect(profile.oomKill.atKill).toBe('nothing');
    }
  });

  it('rejects a profile with a missing section, naming the file and field', () => {
    const doc = shipped('go');
    delete doc.crash['missing-config'];
    const file = write('go', doc);
    expect(() => readRuntimeProfile(file)).toThrow(
      `invalid runtime profile ${file}:\n  crash.missing-config: Required`,
    );
  });

  it('rejects a bad source note, naming the file and field', () => {
    const doc = shipped('node');
    doc.memoryError.source = 'TODO';
    const file = write('node', doc);
    expect(() => readRuntimeProfile(file)).toThrow(
      new RegExp(
        `invalid runtime profile ${file.replace(
          /[.*+?^${}()|[\]\\]/g,
          '\\$&',
        )}:\n  memoryError\\.source: must say where the format comes from`,
      ),
    );
    delete doc.memoryError.source;
    expect(() => readRuntimeProfile(write('node', doc))).toThrow(
      /memoryError\.source: is required/,
    );
  });

  it('rejects unknown placeholders and a kill line the process could not print', () => {
    const doc = shipped('rust');
    doc.serving.records[0].message = 'finished in {latency}';
    expect(() => readRuntimeProfile(write('rust', doc))).toThrow(
      /serving\.records\[0\]\.message: unknown placeholder \{latency\}/,
    );
    const other = shipped('python');
    other.oomKill.atKill = 'Killed';
    expect(() => readRuntimeProfile(write('python', other))).toThrow(
      /oomKill\.atKill: must be "nothing"/,
    );
  });
});

describe('the runtime field of a scenario', () => {
  it('rejects an unknown runtime, naming the field', () => {
    const doc = structuredClone(scenario) as any;
    doc.clusters[0].deployments[0].containers[0].runtime = 'erlang';
    expect(() => parseScenario(doc, 'test.yaml')).toThrow(
      /clusters\[0\]\.deployments\[0\]\.containers\[0\]\.runtime: Invalid enum value\. Expected 'java' \| 'python' \| 'go' \| 'node' \| 'dotnet' \| 'rust', received 'erlang'/,
    );
  });

  it('defaults to java', () => {
    const doc = structuredClone(scenario) as any;
    delete doc.clusters[0].deployments[0].containers[0].runtime;
    const c = parseScenario(doc).clusters[0].deployments[0].containers[0];
    expect(new ContainerModel(c, c.behavior, 's').runtime).toBe('java');
  });
});
