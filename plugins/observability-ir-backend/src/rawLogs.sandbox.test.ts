import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  PreviousLogsResponse,
  RAW_LOGS_LIMITS,
  RawLogsResponse,
  ReplicasResponse,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, clustersConfig } from './__testUtils__/fixtures';
import { startStubServer, StubAnswer } from './__testUtils__/stubServer';
import { fullyMatches, readQuery } from './__testUtils__/queries/queryTree';

jest.setTimeout(60_000);

const ABC = 'checkout-api-v1-abc';
const OPERATOR = 'prometheus-operator-6c9d8b7f4d-q8w2n';

/** The sandbox's Prometheus Operator, healthy: it never restarted. */
const operatorEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'prometheus-operator',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector': 'app=prometheus-operator',
      'backstage.io/kubernetes-namespace': 'monitoring',
    },
  },
  spec: { type: 'service', owner: 'platform-team', lifecycle: 'production' },
};

type Server = Parameters<typeof request>[0];

describe('raw logs of a pod and its previous container, from the sandbox cluster', () => {
  let sandbox: Sandbox;
  let loki: Awaited<ReturnType<typeof startStubServer>>;
  /** When set, answers Loki's queries instead of the sandbox. */
  let lokiAnswer: (() => StubAnswer) | undefined;
  let server: Server;
  let denied: Server;
  /** The sandbox's Kubernetes API behind a recorder. */
  let kubernetes: Awaited<ReturnType<typeof startStubServer>>;
  /** When set, answers the pod log requests instead of the sandbox. */
  let podLogAnswer: (() => StubAnswer) | undefined;
  /** The plugin reading Kubernetes through that recorder. */
  let proxied: Server;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    const [cluster] = sandbox.clusters;
    // The sandbox's Loki behind a recorder, to see exactly what reached it.
    loki = await startStubServer(async req => {
      if (lokiAnswer) return lokiAnswer();
      const response = await fetch(`${cluster.lokiUrl}${req.path}`, {
        method: 'POST',
        body: req.params,
      });
      return {
        status: response.status,
        headers: { 'Content-Type': 'application/json' },
        body: await response.text(),
      };
    });
    const config = clustersConfig([{ ...cluster, lokiUrl: loki.url }], {
      token: sandbox.token,
    });
    const entities = [checkoutApiEntity, operatorEntity];
    ({ server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({ data: config }),
      ],
    }));
    kubernetes = await startStubServer(async req => {
      if (podLogAnswer && req.path.endsWith('/log')) return podLogAnswer();
      const query = req.params.toString();
      const response = await fetch(
        `${cluster.kubernetesUrl}${req.path}${query ? `?${query}` : ''}`,
        {
          method: req.method,
          headers: { authorization: String(req.headers.authorization) },
        },
      );
      return {
        status: response.status,
        headers: {
          'Content-Type':
            response.headers.get('content-type') ?? 'application/json',
        },
        body: await response.text(),
      };
    });
    ({ server: proxied } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: clustersConfig(
            [{ ...cluster, kubernetesUrl: kubernetes.url, lokiUrl: loki.url }],
            { token: sandbox.token },
          ),
        }),
      ],
    }));
    ({ server: denied } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({ data: config }),
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ],
    }));
  }, 60_000);

  afterAll(async () => {
    await kubernetes?.close();
    await loki?.close();
    await sandbox?.close();
  });

  beforeEach(() => {
    lokiAnswer = undefined;
    podLogAnswer = undefined;
    loki.requests.length = 0;
    kubernetes.requests.length = 0;
  });

  function raw(query: Record<string, string>, on: Server = server) {
    return request(on)
      .get('/api/observability-ir/v1/logs/raw')
      .query({ entityRef: 'component:default/checkout-api', ...query });
  }

  function previous(query: Record<string, string>, on: Server = server) {
    return request(on)
      .get('/api/observability-ir/v1/logs/previous')
      .query({ entityRef: 'component:default/checkout-api', ...query });
  }

  /** The LogQL queries that reached Loki, read back with Loki's grammar. */
  function lokiQueries() {
    return loki.requests
      .filter(r => r.path === '/loki/api/v1/query_range')
      .map(r => readQuery(r.params.get('query')!, 'logql'));
  }

  /** The query selects the pod's streams in finance, and no other pod's. */
  function expectOnlyPod(q: ReturnType<typeof readQuery>, pod: string) {
    expect(q.selectors).toHaveLength(1);
    const [namespace, podMatcher, ...rest] = q.selectors[0].matchers;
    expect(namespace).toEqual({ name: 'namespace', op: '=', value: 'finance' });
    expect(rest).toEqual([]);
    expect(podMatcher.name).toBe('pod');
    expect(podMatcher.op).toBe('=~');
    expect(fullyMatches(podMatcher.value, pod)).toBe(true);
    for (const other of ['checkout-api-v1-xyz', `${pod}x`, OPERATOR, '']) {
      expect(fullyMatches(podMatcher.value, other)).toBe(false);
    }
  }

  async function lastKillOf(pod: string): Promise<string> {
    const replicas = await request(server)
      .get('/api/observability-ir/v1/replicas')
      .query({ entityRef: 'component:default/checkout-api' });
    expect(replicas.status).toBe(200);
    const replica = (replicas.body as ReplicasResponse).replicas.find(
      r => r.pod === pod,
    );
    expect(replica?.lastTermination?.reason).toBe('OOMKilled');
    return replica!.lastTermination!.finishedAt!;
  }

  it('reads the lines of the pod just before its last OOM kill, OutOfMemoryError included', async () => {
    const killedAt = await lastKillOf(ABC);
    const response = await raw({ pod: ABC, at: killedAt, after: '0' });

    expect(response.status).toBe(200);
    const body = response.body as RawLogsResponse;
    expect(body).toMatchObject({
      cluster: 'sandbox',
      namespace: 'finance',
      pod: ABC,
      limits: { lines: 500, bytes: 256 * 1024 },
    });
    expect(body.truncated).toBeUndefined();
    expect(body.sources.every(s => s.status === 'ok')).toBe(true);
    // Loki keeps the error and its stack trace as one entry.
    const oom = body.lines.filter(l =>
      l.line.includes('java.lang.OutOfMemoryError: Java heap space'),
    );
    expect(oom.length).toBeGreaterThan(0);
    expect(oom[oom.length - 1].line).toContain(
      '\tat java.base/java.util.Arrays.copyOf',
    );
    const start = Date.parse(body.window.start);
    const at = Date.parse(killedAt);
    expect(at - start).toBe(RAW_LOGS_LIMITS.defaultBeforeSeconds * 1000);
    for (const line of body.lines) {
      expect(Date.parse(line.timestamp!)).toBeGreaterThanOrEqual(start);
      expect(Date.parse(line.timestamp!)).toBeLessThanOrEqual(at);
    }
    // Oldest first.
    const times = body.lines.map(l => Date.parse(l.timestamp!));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Only that pod was asked of Loki, by namespace and exact pod name.
    const queries = lokiQueries();
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expectOnlyPod(q, ABC);
      expect(q.lineFilters).toEqual([]);
    }
    expect(body.query.query).toBe(loki.requests[0].params.get('query'));
  });

  it('keeps only lines with the search text, sent as an escaped line filter', async () => {
    const killedAt = await lastKillOf(ABC);
    const hostile = 'Java heap space" } or {namespace="kube-system"} |= "';
    const response = await raw({ pod: ABC, at: killedAt, search: hostile });
    expect(response.status).toBe(200);
    // No line holds that text, and Loki read it as text, not as a query.
    expect((response.body as RawLogsResponse).lines).toEqual([]);
    const queries = lokiQueries();
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expectOnlyPod(q, ABC);
      expect(q.lineFilters).toEqual([{ op: '|=', value: hostile }]);
    }

    loki.requests.length = 0;
    const found = await raw({
      pod: ABC,
      at: killedAt,
      search: 'OutOfMemoryError',
    });
    const lines = (found.body as RawLogsResponse).lines;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every(l => l.line.includes('OutOfMemoryError'))).toBe(true);
  });

  it('ends the previous container log with the java.lang.OutOfMemoryError and its stack trace', async () => {
    const response = await previous({ pod: ABC, container: 'checkout-api' });

    expect(response.status).toBe(200);
    const body = response.body as PreviousLogsResponse;
    expect(body.unavailable).toBeUndefined();
    expect(body.container).toBe('checkout-api');
    expect(body.sources).toEqual([
      { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
    ]);
    const text = body.lines.map(l => l.line);
    const oom = text.lastIndexOf('java.lang.OutOfMemoryError: Java heap space');
    expect(oom).toBeGreaterThan(0);
    expect(text.slice(oom + 1).every(l => /^\s+at /.test(l))).toBe(true);
    expect(body.lines.every(l => l.timestamp)).toBe(true);
    expect(body.kubectlCommand).toBe(
      `kubectl --context 'sandbox' -n 'finance' logs '${ABC}' -c 'checkout-api' --previous --timestamps --tail=500`,
    );
    // The container defaults to the pod's first.
    const byDefault = await previous({ pod: ABC });
    expect(byDefault.body.container).toBe('checkout-api');
  });

  it("says plainly when a container has no previous instance, with the API's words", async () => {
    const response = await previous({
      entityRef: 'component:default/prometheus-operator',
      pod: OPERATOR,
    });

    expect(response.status).toBe(200);
    const body = response.body as PreviousLogsResponse;
    expect(body.lines).toEqual([]);
    expect(body.unavailable).toBe(
      `Container prometheus-operator of pod ${OPERATOR} has no previous instance to read: it has not restarted since the pod started, or its kubelet has already removed the old container. The Kubernetes API answered 400: previous terminated container "prometheus-operator" in pod "${OPERATOR}" not found`,
    );
  });

  it("refuses a pod that is not one of the entity's, without asking Loki or the Kubernetes API for its logs", async () => {
    for (const pod of [OPERATOR, 'checkout-api-v1-abc-x']) {
      const logs = await raw({ pod });
      expect(logs.status).toBe(404);
      expect(logs.body.error.message).toContain(
        'is not one of the pods of component:default/checkout-api in cluster sandbox',
      );
      expect((await previous({ pod })).status).toBe(404);
    }
    // A name no pod can have is refused before any pod is listed.
    for (const pod of [`${ABC}"}`, `${ABC}|.*`, '.*']) {
      const logs = await raw({ pod });
      expect(logs.status).toBe(400);
      expect(logs.body.error.message).toMatch(
        /^Invalid request: pod: must be a Kubernetes pod name/,
      );
      expect((await previous({ pod })).status).toBe(400);
    }
    // Another namespace of the same pod name is not the entity's either.
    expect((await raw({ pod: ABC, namespace: 'monitoring' })).status).toBe(404);
    expect(loki.requests).toEqual([]);

    // Nor is any pod's log asked of the Kubernetes API for it.
    expect((await previous({ pod: OPERATOR }, proxied)).status).toBe(404);
    for (const pod of [`${ABC}/../${OPERATOR}`, `${ABC}?x=1`]) {
      expect((await previous({ pod }, proxied)).status).toBe(400);
    }
    expect(kubernetes.requests.filter(r => r.path.endsWith('/log'))).toEqual(
      [],
    );
  });

  it('refuses unknown containers, windows past the bound and unknown parameters', async () => {
    const container = await raw({ pod: ABC, container: 'sidecar' });
    expect(container.status).toBe(400);
    expect(container.body.error.message).toBe(
      `Pod ${ABC} has no container sidecar: its containers are checkout-api`,
    );
    expect((await raw({ pod: ABC, before: '3600', after: '1' })).status).toBe(
      400,
    );
    expect((await raw({ pod: ABC, before: '-5' })).status).toBe(400);
    expect((await raw({ pod: ABC, query: '{job="x"}' })).status).toBe(400);
    expect((await raw({ pod: ABC, cluster: 'elsewhere' })).status).toBe(400);
    expect(loki.requests).toEqual([]);
  });

  it('is refused without the incident read permission', async () => {
    expect((await raw({ pod: ABC }, denied)).status).toBe(403);
    expect((await previous({ pod: ABC }, denied)).status).toBe(403);
  });

  function streams(count: number, lineLength: number, atMs: number) {
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'streams',
          result: [
            {
              stream: {
                namespace: 'finance',
                pod: ABC,
                container: 'checkout-api',
              },
              values: Array.from({ length: count }, (_, i) => [
                `${BigInt(atMs - 1000 - i * 10) * 1_000_000n}`,
                `${String(i).padStart(6, '0')} ${'x'.repeat(lineLength)}`,
              ]),
            },
          ],
        },
      },
    };
  }

  it('caps the answer at 500 lines, keeping those nearest the moment, and says so', async () => {
    const at = sandbox.now() - 60_000;
    lokiAnswer = () => streams(600, 10, at);
    const response = await raw({
      pod: ABC,
      at: new Date(at).toISOString(),
      after: '0',
    });
    const body = response.body as RawLogsResponse;
    expect(body.truncated).toBe('lines');
    expect(body.lines).toHaveLength(500);
    // Line 000000 was the newest, 1 s before the moment.
    expect(body.lines[body.lines.length - 1].line).toMatch(/^000000 /);
    expect(body.lines[0].line).toMatch(/^000499 /);
  });

  it('caps the answer at 256 KiB of lines and says so', async () => {
    const at = sandbox.now() - 60_000;
    lokiAnswer = () => streams(300, 2000, at);
    const response = await raw({
      pod: ABC,
      at: new Date(at).toISOString(),
      after: '0',
    });
    const body = response.body as RawLogsResponse;
    expect(body.truncated).toBe('bytes');
    const bytes = body.lines.reduce(
      (sum, l) => sum + Buffer.byteLength(l.line) + 1,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(256 * 1024);
    expect(body.lines.length).toBe(Math.floor((256 * 1024) / 2008));
    expect(body.lines[body.lines.length - 1].line).toMatch(/^000000 /);
  });

  it("reports Loki's failure as its source's status, with the pod's answer still given", async () => {
    lokiAnswer = () => ({
      status: 400,
      body: 'parse error at line 1, col 1: syntax error',
    });
    const response = await raw({ pod: ABC });
    expect(response.status).toBe(200);
    const loki400 = (response.body as RawLogsResponse).sources.find(
      s => s.source === 'loki',
    );
    expect(loki400).toMatchObject({
      status: 'error',
      error:
        'Loki of cluster sandbox: answered 400: parse error at line 1, col 1: syntax error',
    });
  });
  /** A previous log of `count` lines of `length` characters, timestamped. */
  function longPreviousLog(count: number, length: number): StubAnswer {
    const start = Date.parse('2026-11-25T13:00:00Z');
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: Array.from(
        { length: count },
        (_, i) =>
          `${new Date(start + i * 1000)
            .toISOString()
            .replace('Z', '123456Z')} ${String(i).padStart(
            6,
            '0',
          )} ${'y'.repeat(length)}\n`,
      ).join(''),
    };
  }

  it('asks the API for the tail of the previous container and keeps its last 500 lines', async () => {
    podLogAnswer = () => longPreviousLog(501, 10);
    const response = await previous({ pod: ABC }, proxied);

    expect(response.status).toBe(200);
    const body = response.body as PreviousLogsResponse;
    expect(body.truncated).toBe('lines');
    expect(body.lines).toHaveLength(500);
    expect(body.lines[0].line).toMatch(/^000001 /);
    expect(body.lines[499].line).toMatch(/^000500 /);
    expect(body.lines[499].timestamp).toBe('2026-11-25T13:08:20.000Z');
    const [asked] = kubernetes.requests.filter(r => r.path.endsWith('/log'));
    expect(asked.path).toBe(`/api/v1/namespaces/finance/pods/${ABC}/log`);
    expect(Object.fromEntries(asked.params)).toEqual({
      container: 'checkout-api',
      previous: 'true',
      timestamps: 'true',
      tailLines: '501',
      limitBytes: String(4 * 1024 * 1024),
    });
  });

  it('keeps the end of a previous container log within 256 KiB and says so', async () => {
    podLogAnswer = () => longPreviousLog(400, 1000);
    const body = (await previous({ pod: ABC }, proxied))
      .body as PreviousLogsResponse;

    expect(body.truncated).toBe('bytes');
    const bytes = body.lines.reduce(
      (sum, l) => sum + Buffer.byteLength(l.line) + 1,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(256 * 1024);
    expect(body.lines).toHaveLength(Math.floor((256 * 1024) / 1008));
    expect(body.lines[body.lines.length - 1].line).toMatch(/^000399 /);
  });

  it('reads a short previous log whole, without a truncation', async () => {
    podLogAnswer = () => longPreviousLog(3, 10);
    const body = (await previous({ pod: ABC }, proxied))
      .body as PreviousLogsResponse;
    expect(body.truncated).toBeUndefined();
    expect(body.lines.map(l => l.line.slice(0, 6))).toEqual([
      '000000',
      '000001',
      '000002',
    ]);
  });
});
