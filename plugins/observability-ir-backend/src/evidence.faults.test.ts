import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import {
  checkoutApiEntity,
  ClusterUrls,
  clustersConfig,
} from './__testUtils__/fixtures';
import { fullyMatches, readQuery } from './__testUtils__/queries/queryTree';
import { startStubServer } from './__testUtils__/stubServer';

/**
 * The upstream timeout is long unless a test is about it: on a busy machine
 * a short one can fire before a refused connection is read, and the source
 * would then read as slow rather than down.
 */
async function startPlugin(clusters: ClusterUrls[], upstreamTimeout = '30s') {
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
      mockServices.rootConfig.factory({
        data: clustersConfig(clusters, { upstreamTimeout }),
      }),
    ],
  });
  return async <T>(path: string) => {
    const response = await request(server)
      .get(`/api/observability-ir/v1/${path}`)
      .query({ entityRef: 'component:default/checkout-api' });
    expect(response.status).toBe(200);
    return response.body as T;
  };
}

function statusOf(sources: SourceStatus[], cluster: string, source: string) {
  return sources.find(s => s.cluster === cluster && s.source === source);
}

describe('evidence when sources fail', () => {
  let sandbox: Sandbox;
  let closedUrl: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0, kubeconfigPath: false });
    const closed = await startStubServer(() => undefined);
    closedUrl = closed.url;
    await closed.close();
  }, 60_000);
  afterAll(() => sandbox.close());

  const lab = () => sandbox.clusters[0];

  it('keeps the replica table when Prometheus is down, and says so', async () => {
    const get = await startPlugin([
      {
        name: 'sandbox',
        kubernetesUrl: lab().kubernetesUrl,
        prometheusUrl: closedUrl,
        lokiUrl: lab().lokiUrl,
      },
    ]);

    const body = await get<ReplicasResponse>('replicas');

    expect(body.replicas.map(r => r.restartCount)).toEqual([45, 42]);
    expect(body.replicas[0].memoryWorkingSetBytes).toBeUndefined();
    expect(statusOf(body.sources, 'sandbox', 'kubernetes')?.status).toBe('ok');
    expect(statusOf(body.sources, 'sandbox', 'prometheus')).toMatchObject({
      status: 'error',
      error: expect.stringContaining(
        'Prometheus of cluster sandbox: unreachable',
      ),
    });
  }, 60_000);

  it('reports a Loki that answers 500 by name', async () => {
    const loki = await startStubServer(() => ({
      status: 500,
      body: 'failed to get ingester: rpc error: code = Unavailable',
    }));
    try {
      const get = await startPlugin([
        {
          name: 'sandbox',
          kubernetesUrl: lab().kubernetesUrl,
          prometheusUrl: lab().prometheusUrl,
          lokiUrl: loki.url,
        },
      ]);

      const body = await get<LogsResponse>('logs');

      expect(body.groups).toEqual([]);
      expect(statusOf(body.sources, 'sandbox', 'loki')).toMatchObject({
        status: 'error',
        error:
          'Loki of cluster sandbox: answered 500: failed to get ingester: rpc error: code = Unavailable',
      });
      expect(statusOf(body.sources, 'sandbox', 'kubernetes')?.status).toBe(
        'ok',
      );
    } finally {
      await loki.close();
    }
  }, 60_000);

  it('gives up on a source slower than the upstream timeout', async () => {
    const slow = await startStubServer(() => undefined);
    try {
      const get = await startPlugin(
        [
          {
            name: 'sandbox',
            kubernetesUrl: lab().kubernetesUrl,
            prometheusUrl: slow.url,
            lokiUrl: lab().lokiUrl,
          },
        ],
        '500ms',
      );

      // Without the timeout this request would hang until the test fails.
      const body = await get<MetricsResponse>('metrics');

      expect(statusOf(body.sources, 'sandbox', 'prometheus')).toMatchObject({
        status: 'error',
        error: 'Prometheus of cluster sandbox: no answer within 0.5 s',
      });
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('answers from the clusters that answer when another is unreachable', async () => {
    const get = await startPlugin([
      {
        name: 'sandbox',
        kubernetesUrl: lab().kubernetesUrl,
        prometheusUrl: lab().prometheusUrl,
        lokiUrl: lab().lokiUrl,
      },
      { name: 'eu-west', kubernetesUrl: closedUrl },
    ]);

    const body = await get<ReplicasResponse>('replicas');

    expect(body.replicas.map(r => r.cluster)).toEqual(['sandbox', 'sandbox']);
    expect(statusOf(body.sources, 'eu-west', 'kubernetes')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('Kubernetes API of cluster eu-west'),
    });
  }, 60_000);

  it('still asks Prometheus, by the names the workload gives its pods, when the Kubernetes API is down', async () => {
    const get = await startPlugin([
      {
        name: 'sandbox',
        kubernetesUrl: closedUrl,
        prometheusUrl: lab().prometheusUrl,
        lokiUrl: lab().lokiUrl,
      },
    ]);

    const body = await get<MetricsResponse>('metrics');

    // The lab names its pods by hand (checkout-api-v1-abc), not as
    // Kubernetes does, so only the query is checked here; the pods found
    // by their names' shape are in siblingWorkload.sandbox.test.ts.
    expect(body.queries.length).toBeGreaterThan(0);
    for (const { query } of body.queries) {
      const pod = readQuery(query, 'promql')
        .selectors.flatMap(s => s.matchers)
        .find(m => m.name === 'pod')!;
      expect(fullyMatches(pod.value, 'checkout-api-5d7f9c8b6d-x2x9q')).toBe(
        true,
      );
      expect(fullyMatches(pod.value, 'checkout-api-0')).toBe(true);
      expect(
        fullyMatches(pod.value, 'checkout-api-worker-5d7f9c8b6d-x2x9q'),
      ).toBe(false);
    }
    expect(statusOf(body.sources, 'sandbox', 'kubernetes')?.status).toBe(
      'error',
    );
    expect(statusOf(body.sources, 'sandbox', 'prometheus')?.status).toBe('ok');
  }, 60_000);

  it('says which sources are not configured', async () => {
    const get = await startPlugin([
      { name: 'sandbox', kubernetesUrl: lab().kubernetesUrl },
    ]);

    const body = await get<LogsResponse>('logs');

    expect(statusOf(body.sources, 'sandbox', 'loki')).toMatchObject({
      status: 'not-configured',
      error: expect.stringContaining('observabilityIr.clusters'),
    });
  }, 60_000);

  it('retries a Kubernetes API that answers 429, then shows the pods', async () => {
    let calls = 0;
    const kubernetes = await startStubServer(async req => {
      calls += 1;
      if (calls === 1) {
        return {
          status: 429,
          headers: { 'Retry-After': '0' },
          body: { kind: 'Status', code: 429, reason: 'TooManyRequests' },
        };
      }
      const upstream = await fetch(
        `${lab().kubernetesUrl}${req.path}?${req.params}`,
      );
      return { status: upstream.status, body: await upstream.json() };
    });
    try {
      const get = await startPlugin([
        { name: 'sandbox', kubernetesUrl: kubernetes.url },
      ]);

      const body = await get<ReplicasResponse>('replicas');

      expect(body.replicas.map(r => r.pod)).toEqual([
        'checkout-api-v1-abc',
        'checkout-api-v1-xyz',
      ]);
      expect(statusOf(body.sources, 'sandbox', 'kubernetes')?.status).toBe(
        'ok',
      );
    } finally {
      await kubernetes.close();
    }
  }, 60_000);
});
