import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, clustersConfig } from './__testUtils__/fixtures';
import { fullyMatches, readQuery } from './__testUtils__/queries/queryTree';
import { emptyAnswer, startStubServer } from './__testUtils__/stubServer';

// The first requests load the Kubernetes client and the query grammars.
jest.setTimeout(60_000);

const narrowed = {
  ...checkoutApiEntity,
  metadata: {
    ...checkoutApiEntity.metadata,
    name: 'checkout-api-eu',
    annotations: {
      ...checkoutApiEntity.metadata.annotations,
      'observability-ir.io/prometheus-matchers': '{cluster="eu-1"}',
      'observability-ir.io/loki-selector': '{app="checkout"}',
    },
  },
};

describe("an entity's query annotations", () => {
  let sandbox: Sandbox;
  let upstreams: Awaited<ReturnType<typeof startStubServer>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    upstreams = await startStubServer(emptyAnswer);
    ({ server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities: [narrowed] }),
        mockServices.rootConfig.factory({
          data: clustersConfig([
            {
              name: 'sandbox',
              kubernetesUrl: sandbox.clusters[0].kubernetesUrl,
              prometheusUrl: upstreams.url,
              lokiUrl: upstreams.url,
            },
          ]),
        }),
      ],
    }));
  }, 120_000);

  afterAll(async () => {
    await upstreams?.close();
    await sandbox?.close();
  });

  it('narrow every query of the pods Kubernetes found, and the workload shows their text', async () => {
    const entityRef = 'component:default/checkout-api-eu';
    const get = (route: string) =>
      request(server)
        .get(`/api/observability-ir/v1/${route}`)
        .set('Authorization', mockCredentials.user.header())
        .query({ entityRef });

    const workload = await get('workload');
    expect(workload.body).toEqual({
      entityRef,
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: 'finance',
      prometheusMatchers: '{cluster="eu-1"}',
      lokiSelector: '{app="checkout"}',
    });

    const answers: Record<string, any> = {};
    for (const route of ['replicas', 'metrics', 'logs']) {
      const response = await get(route);
      expect(response.status).toBe(200);
      answers[route] = response.body;
    }
    const promql = upstreams.requests
      .filter(r => r.path.startsWith('/api/v1/'))
      .map(r => r.params.get('query')!);
    const logql = upstreams.requests
      .filter(r => r.path.startsWith('/loki/'))
      .map(r => r.params.get('query')!);

    expect(promql.length).toBeGreaterThanOrEqual(10);
    for (const query of promql) {
      expect(query).toContain('cluster="eu-1"');
      expect(query).toContain('namespace="finance"');
    }
    expect(logql).toHaveLength(1);
    const [selector] = readQuery(logql[0], 'logql').selectors;
    expect(selector.matchers.map(m => m.name)).toEqual([
      'namespace',
      'pod',
      'app',
    ]);
    expect(selector.matchers[2]).toEqual({
      name: 'app',
      op: '=',
      value: 'checkout',
    });
    // Asked before the pods were listed, the pod matcher is wider; the
    // lines kept and the query shown are those of the pods found.
    expect(
      fullyMatches(selector.matchers[1].value, 'checkout-api-v1-abc'),
    ).toBe(true);
    const [shown] = readQuery(answers.logs.queries[0].query, 'logql').selectors;
    expect(shown.matchers.map(m => m.name)).toEqual([
      'namespace',
      'pod',
      'app',
    ]);
    const pod = shown.matchers[1].value;
    expect(fullyMatches(pod, 'checkout-api-v1-abc')).toBe(true);
    expect(fullyMatches(pod, 'checkout-api-worker-5d8f7c9b4-w4zkq')).toBe(
      false,
    );
  });
});
