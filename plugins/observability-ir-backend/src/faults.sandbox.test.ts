import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ReplicasResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, clustersConfig } from './__testUtils__/fixtures';

// Each fault is held over every evidence endpoint, then cleared and waited
// out; timeouts and Retry-After waits add up.
jest.setTimeout(60_000);

const ENDPOINTS = [
  'replicas',
  'metrics',
  'logs',
  'timeline',
  'diagnosis',
  'alerts',
] as const;
type Endpoint = (typeof ENDPOINTS)[number];

const MI = 2 ** 20;
/** The plugin's timeout per upstream call in this test. */
const UPSTREAM_TIMEOUT_MS = 4_000;
/** How long the plugin keeps an answer (degraded ones too). */
const CACHE_TTL_MS = 1_000;
/** The body cap of every source in this test, as a deployment may set it. */
const RESPONSE_BYTES = 8 * MI;
const OVERSIZE = '64MiB';
const OVERSIZE_BYTES = 64 * MI;
/** Where the observed behaviour is written, for the README. */
const TABLE_PATH = path.resolve(__dirname, '../../../docs/faults.md');

const TITLES = {
  kubernetes: 'Kubernetes API',
  prometheus: 'Prometheus',
  loki: 'Loki',
  alertmanager: 'Alertmanager',
} as const;
type Source = keyof typeof TITLES;

/** A fault in force, as `/_sandbox/faults` lists it. */
interface SandboxFault {
  hits: number;
  bytesSent: number;
}

/** One fault and what a user should see while it holds. */
interface FaultCase {
  name: string;
  /** In the sandbox's `--fault` form. */
  faults: string[];
  /** The sources that must show an error, of production unless told. */
  failing: Source[];
  /** The clusters whose `failing` sources fail; production by default. */
  clusters?: string[];
  /** What each failing source's message must say. */
  message?: RegExp;
  /** Checked on the faults still in force after the requests. */
  sandboxSaw?: (faults: SandboxFault[]) => void;
}

const CASES: FaultCase[] = [
  {
    name: 'latency under the timeout',
    faults: ['*@production:latency=300ms'],
    failing: [],
  },
  {
    name: 'latency over the timeout',
    faults: ['prometheus@production:latency=6s'],
    failing: ['prometheus'],
    message: /no answer within 4 s/,
  },
  {
    name: '5xx on every request',
    faults: ['loki@production:error=1,status=503'],
    failing: ['loki'],
    message: /answered 503: rpc error: code = Unavailable/,
  },
  {
    name: '5xx on half the requests',
    faults: ['prometheus@production:error=0.5'],
    failing: ['prometheus'],
    message: /answered 500 internal: Internal error occurred/,
  },
  {
    name: '5xx from Alertmanager',
    faults: ['alertmanager@production:error=1'],
    failing: ['alertmanager'],
    message: /answered 500/,
  },
  {
    name: '429 once, Retry-After 1 s',
    faults: ['prometheus@production:rate-limit=1s,times=1'],
    failing: [],
    // Spent on its one request: the retry after 1 s got through.
    sandboxSaw: faults => expect(faults).toEqual([]),
  },
  {
    name: '429 on every request, Retry-After 1 s',
    faults: ['kubernetes@production:rate-limit=1s'],
    failing: ['kubernetes'],
    message: /answered 429/,
  },
  {
    name: 'connection reset',
    faults: ['prometheus@production:reset'],
    failing: ['prometheus'],
    message: /unreachable: connection reset/,
  },
  {
    name: 'unreachable cluster',
    faults: ['*@production:unreachable'],
    failing: ['kubernetes', 'prometheus', 'loki', 'alertmanager'],
  },
  {
    name: 'every cluster unreachable',
    faults: ['*:unreachable'],
    failing: ['kubernetes', 'prometheus', 'loki', 'alertmanager'],
    clusters: ['production', 'staging'],
  },
  {
    name: 'truncated body',
    faults: ['loki@production:truncate=0.5'],
    failing: ['loki'],
    message: /answer cut short after/,
  },
  {
    name: 'truncated Kubernetes body',
    faults: ['kubernetes@production:truncate=0.5'],
    failing: ['kubernetes'],
    message: /answer cut short/,
  },
  {
    name: `oversized body (${OVERSIZE})`,
    faults: [`prometheus@production:oversize=${OVERSIZE}`],
    failing: ['prometheus'],
    message: /answered more than 8 ?Mi/,
    // Each answer stopped at the cap: the sandbox sent that and what the
    // sockets buffer (some MiB), far from the whole body.
    sandboxSaw: ([fault]) =>
      expect(fault.bytesSent / fault.hits).toBeLessThan(OVERSIZE_BYTES / 2),
  },
  {
    name: `oversized Kubernetes body (${OVERSIZE})`,
    faults: [`kubernetes@production:oversize=${OVERSIZE}`],
    failing: ['kubernetes'],
    message: /answered more than 8 ?Mi/,
    sandboxSaw: ([fault]) =>
      expect(fault.bytesSent / fault.hits).toBeLessThan(OVERSIZE_BYTES / 2),
  },
  {
    name: 'stalled watch',
    faults: ['kubernetes:stall-watch'],
    failing: [],
  },
];

interface Answer {
  status: number;
  body: { sources?: SourceStatus[]; error?: { message?: string } };
}

/** What one fault did, for the table. */
interface Row {
  fault: string;
  statuses: string;
  errored: string;
  message: string;
  recovery: string;
  heapMiB: number;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Runs the sandbox as its command line runs it, in a process of its own
 * (as a real cluster is elsewhere): the faults are set over its HTTP
 * control, and the memory measured here is the plugin's alone.
 */
async function startSandboxProcess(token: string, kubeconfig: string) {
  const bin = require.resolve('@observability-ir/sandbox-cluster/package.json');
  const child = spawn(
    process.execPath,
    [
      path.join(path.dirname(bin), 'bin/sandbox-cluster'),
      '--scenario',
      'multi-cluster',
      '--port',
      '0',
      '--speed',
      '0',
      '--token',
      token,
      '--kubeconfig',
      kubeconfig,
      // A fault from the command line, checked and cleared by the first test.
      '--fault',
      'prometheus@staging:latency=1ms',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) resolve(listening[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code =>
      reject(new Error(`the sandbox exited (${code}): ${output}`)),
    );
  });
  return { child, url };
}

function erroredOf(answers: Map<Endpoint, Answer>) {
  const errored = new Map<string, string>();
  for (const { body } of answers.values()) {
    for (const s of body.sources ?? []) {
      if (s.status === 'error' && !errored.has(`${s.source}@${s.cluster}`)) {
        errored.set(`${s.source}@${s.cluster}`, s.error ?? '');
      }
    }
  }
  return errored;
}

/** Samples the process' heap and buffers; the peak above the start. */
function watchMemory() {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const start = used();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, used()) - start;
  };
}

describe('evidence while the sandbox injects faults', () => {
  const token = randomBytes(24).toString('hex');
  const kubeconfig = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'faults-')),
    'kubeconfig',
  );
  let sandbox: { child: ChildProcess; url: string };
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  const rows: Row[] = [];

  beforeAll(async () => {
    sandbox = await startSandboxProcess(token, kubeconfig);
    const at = (name: string, api: string) =>
      `${sandbox.url}/clusters/${name}/${api}`;
    const config = clustersConfig(
      ['production', 'staging'].map(name => ({
        name,
        kubernetesUrl: at(name, 'k8s'),
        prometheusUrl: at(name, 'prometheus'),
        lokiUrl: at(name, 'loki'),
        alertmanagerUrl: at(name, 'alertmanager'),
      })),
      { token, upstreamTimeout: `${UPSTREAM_TIMEOUT_MS}ms` },
    );
    ({ server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
        mockServices.rootConfig.factory({
          data: {
            ...config,
            observabilityIr: {
              ...config.observabilityIr,
              cacheTtl: `${CACHE_TTL_MS}ms`,
              limits: {
                responseBytes: {
                  kubernetes: RESPONSE_BYTES,
                  prometheus: RESPONSE_BYTES,
                  loki: RESPONSE_BYTES,
                  alertmanager: RESPONSE_BYTES,
                },
                userRequestsPerMinute: 10_000,
                userBurst: 1_000,
              },
            },
          },
        }),
      ],
    }));
  }, 60_000);

  afterAll(async () => {
    if (sandbox && sandbox.child.exitCode === null) {
      const exited = new Promise(resolve =>
        sandbox.child.once('exit', resolve),
      );
      sandbox.child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
    if (rows.length === CASES.length) {
      fs.writeFileSync(TABLE_PATH, renderTable(rows));
    }
  });

  /** The sandbox's own control, as a person or a CI job would use it. */
  async function setFaults(
    method: 'GET' | 'PUT' | 'DELETE',
    faults: string[] = [],
  ) {
    const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method,
      body: method === 'PUT' ? JSON.stringify({ faults }) : undefined,
    });
    expect(response.status).toBe(200);
    return (await response.json()).faults as SandboxFault[];
  }

  async function get(endpoint: Endpoint): Promise<Answer> {
    const response = await request(server)
      .get(`/api/observability-ir/v1/${endpoint}`)
      .query({ entityRef: 'component:default/checkout-api' });
    return { status: response.status, body: response.body };
  }

  async function getAll() {
    const answers = new Map<Endpoint, Answer>();
    for (const endpoint of ENDPOINTS) {
      answers.set(endpoint, await get(endpoint));
    }
    return answers;
  }

  /** Every endpoint 200 with every source answering. */
  function healthy(answers: Map<Endpoint, Answer>) {
    return [...answers.values()].every(
      a =>
        a.status === 200 &&
        (a.body.sources ?? []).every(s => s.status === 'ok'),
    );
  }

  it('answers fully with no fault but a 1 ms latency set by flag', async () => {
    const answers = await getAll();
    expect([...erroredOf(answers)]).toEqual([]);
    expect(healthy(answers)).toBe(true);

    const [flagged, ...others] = await setFaults('GET');
    expect(others).toEqual([]);
    expect(flagged).toMatchObject({
      upstream: 'prometheus',
      cluster: 'staging',
      kind: 'latency',
      latencyMs: 1,
    });
    expect(flagged.hits).toBeGreaterThan(0);
    expect(await setFaults('DELETE')).toEqual([]);
  });

  it.each(CASES)(
    'answers with what still answers under: $name, and recovers when it clears',
    async fault => {
      // Answers kept from before the fault would hide it.
      await sleep(CACHE_TTL_MS + 100);
      const memory = watchMemory();
      await setFaults('PUT', fault.faults);

      const answers = await getAll();
      const inForce = await setFaults('GET');
      const cleared = await setFaults('DELETE');
      const heapGrowth = memory();

      // Every endpoint answers, naming the failing sources of production
      // and only those; staging answers in full.
      for (const [endpoint, answer] of answers) {
        expect({ endpoint, status: answer.status }).toEqual({
          endpoint,
          status: 200,
        });
      }
      const errored = erroredOf(answers);
      const faulted = fault.clusters ?? ['production'];
      const expected = faulted.flatMap(c =>
        fault.failing.map(s => `${s}@${c}`),
      );
      expect([...errored].filter(([key]) => !expected.includes(key))).toEqual(
        [],
      );
      expect([...errored.keys()].sort()).toEqual(expected.sort());
      for (const key of expected) {
        const [source, cluster] = key.split('@') as [Source, string];
        const message = errored.get(key)!;
        expect(message).toContain(`${TITLES[source]} of cluster ${cluster}`);
        expect(message).toMatch(fault.message ?? /./);
        expect(message.length).toBeLessThanOrEqual(400);
        expect(message).not.toContain(token);
      }
      const replicas = answers.get('replicas')!.body as ReplicasResponse;
      const clusters = new Set(replicas.replicas.map(r => r.cluster));
      for (const cluster of ['production', 'staging']) {
        expect({ cluster, replicas: clusters.has(cluster) }).toEqual({
          cluster,
          replicas:
            !fault.failing.includes('kubernetes') || !faulted.includes(cluster),
        });
      }
      fault.sandboxSaw?.(inForce);
      // The process holds at most a few capped answers at once.
      expect(heapGrowth).toBeLessThan(256 * MI);

      // Cleared: the next answers are whole again (one with a failed
      // source is never kept for the cache's TTL).
      expect(cleared).toEqual([]);
      const clearedAt = Date.now();
      let after = await getAll();
      while (!healthy(after) && Date.now() - clearedAt < 20_000) {
        await sleep(250);
        after = await getAll();
      }
      expect(healthy(after)).toBe(true);
      // Neither process fell over on the way.
      expect(sandbox.child.exitCode).toBeNull();

      rows.push({
        fault: `${fault.name}: \`${fault.faults.join(' ')}\``,
        statuses: [...new Set([...answers.values()].map(a => a.status))].join(
          ', ',
        ),
        errored: [...errored.keys()].join(', ') || 'none',
        message: [...new Set(errored.values())][0] ?? '',
        recovery: `${Math.max(
          1,
          Math.ceil((Date.now() - clearedAt) / 1000),
        )} s or less`,
        heapMiB: Math.round(heapGrowth / MI),
      });
    },
    60_000,
  );
});

function renderTable(rows: Row[]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '<!-- Written by plugins/observability-ir-backend/src/faults.sandbox.test.ts; do not edit. -->',
    '',
    '# Behaviour under injected faults',
    '',
    'Observed by `npm test`: two sandbox clusters, `production` (faulted',
    'unless the fault names no cluster) and `staging`, the fault set through',
    '`PUT /_sandbox/faults`, then every evidence endpoint',
    `(${ENDPOINTS.join(', ')}) asked once, the fault cleared`,
    'and the endpoints asked until every source answers again.',
    `Upstream timeout ${UPSTREAM_TIMEOUT_MS / 1000} s, evidence cache ${
      CACHE_TTL_MS / 1000
    } s (15 s by default; an answer with a failed source is not kept), body cap ${
      RESPONSE_BYTES / MI
    } MiB per source.`,
    'Times and memory (heap and buffers of the backend process above the',
    'start of the fault) vary from run to run.',
    '',
    ...markdownTable(
      [
        'Fault',
        'HTTP status',
        'Sources in error',
        'Message shown',
        'Full answers again after clearing',
        'Peak memory growth',
      ],
      rows.map(r => [
        escape(r.fault),
        r.statuses,
        escape(r.errored),
        r.message ? escape(r.message) : '(none)',
        r.recovery,
        `${r.heapMiB} MiB`,
      ]),
    ),
    '',
  ].join('\n');
}

/** A table laid out as Prettier lays it out: every column padded. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, 3, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line),
  ];
}
