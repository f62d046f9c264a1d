import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  DiagnosisResponse,
  MetricsResponse,
  ReplicasResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import {
  checkoutApiEntity,
  clustersConfig,
  sandboxConfig,
} from './__testUtils__/fixtures';
import { startStubServer } from './__testUtils__/stubServer';

jest.setTimeout(60_000);

const ENTITY_PODS = [
  'checkout-api-5d7f9c8b6d-b7kzd',
  'checkout-api-5d7f9c8b6d-q4wvn',
];
const WORKER = 'checkout-api-worker';

const NODES = [
  { name: 'control-plane', internalIP: '10.0.1.10' },
  {
    name: 'worker-1',
    internalIP: '10.0.1.11',
    capacity: { cpu: '8', memory: '32Gi' },
  },
  {
    name: 'worker-2',
    internalIP: '10.0.1.12',
    capacity: { cpu: '8', memory: '32Gi' },
  },
];

function container(name: string, memoryLimit: string, behavior: object) {
  return {
    name,
    image: `registry.example.com/finance/${name}:1.0.0`,
    ports: [{ name: 'http', containerPort: 8080 }],
    resources: {
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { cpu: '1', memory: memoryLimit },
    },
    behavior,
  };
}

/**
 * checkout-api runs fine next to checkout-api-worker, a Deployment in the
 * same namespace whose name starts with checkout-api's and whose pods are
 * OOMKilled over and over. The entity's selector does not select the
 * worker's pods.
 */
const SIBLING_SCENARIO = {
  name: 'sibling-oom',
  description: 'checkout-api healthy next to an OOM-looping sibling',
  seed: 11,
  historyHours: 6,
  clusters: [
    {
      name: 'sandbox',
      nodes: NODES,
      namespaces: ['finance', 'monitoring'],
      deployments: [
        {
          name: 'checkout-api',
          namespace: 'finance',
          labels: {
            app: 'checkout',
            tier: 'backend',
            'backstage.io/kubernetes-id': 'checkout-api',
          },
          replicaSet: 'checkout-api-5d7f9c8b6d',
          pods: ENTITY_PODS.map((name, i) => ({
            name,
            node: `worker-${i + 1}`,
            createdAt: '-3d',
          })),
          containers: [
            container('checkout-api', '1Gi', {
              type: 'steady',
              memory: '300Mi',
              cpuCores: 0.2,
              startupSeconds: 45,
            }),
          ],
        },
        {
          name: WORKER,
          namespace: 'finance',
          labels: {
            app: 'checkout-worker',
            tier: 'backend',
            'backstage.io/kubernetes-id': WORKER,
          },
          replicaSet: `${WORKER}-6c9d8b7f4d`,
          pods: [
            {
              name: `${WORKER}-6c9d8b7f4d-x2x9q`,
              node: 'worker-1',
              restarts: 40,
            },
            {
              name: `${WORKER}-6c9d8b7f4d-z8m2p`,
              node: 'worker-2',
              restarts: 38,
            },
          ],
          containers: [
            container(WORKER, '256Mi', {
              type: 'memory-leak',
              baselineMemory: '120Mi',
              demandMemory: '600Mi',
              rampSeconds: 120,
              startupSeconds: 30,
              restartDelaySeconds: 20,
              cpuCores: 0.1,
              logs: { intervalSeconds: 15 },
            }),
          ],
        },
      ],
      services: [
        {
          name: 'checkout',
          namespace: 'finance',
          labels: { tier: 'backend' },
          selector: { tier: 'backend' },
          ports: [{ name: 'http-metrics', port: 8080, targetPort: 'http' }],
        },
      ],
      serviceMonitors: [
        {
          name: 'backend-telemetry',
          namespace: 'monitoring',
          selector: { tier: 'backend' },
          namespaceSelector: { any: true },
          endpoints: [{ port: 'http-metrics', interval: '15s' }],
        },
      ],
    },
  ],
};

const workerEntity = {
  ...checkoutApiEntity,
  metadata: {
    ...checkoutApiEntity.metadata,
    name: WORKER,
    annotations: {
      ...checkoutApiEntity.metadata.annotations,
      'backstage.io/kubernetes-id': WORKER,
    },
  },
};

describe('a sibling Deployment whose name extends the entity’s', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: SIBLING_SCENARIO,
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox.close();
  });

  async function startPlugin(config: object) {
    const { server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({
          entities: [checkoutApiEntity, workerEntity],
        }),
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    return async <T>(
      path: string,
      entityRef = 'component:default/checkout-api',
    ): Promise<T> => {
      const response = await request(server)
        .get(`/api/observability-ir/v1/${path}`)
        .query({ entityRef });
      expect(response.status).toBe(200);
      return response.body as T;
    };
  }

  function statusOf(sources: SourceStatus[], source: string) {
    return sources.find(s => s.source === source)?.status;
  }

  it('diagnoses the sibling itself with a memory limit too low, so there is something to keep out', async () => {
    const get = await startPlugin(sandboxConfig(sandbox));

    const diagnosis = await get<DiagnosisResponse>(
      'diagnosis',
      'component:default/checkout-api-worker',
    );

    expect(diagnosis.hypotheses[0]?.id).toBe('memory-limit-too-low');
  });

  it('keeps the sibling out of every answer while Kubernetes answers', async () => {
    const get = await startPlugin(sandboxConfig(sandbox));

    const replicas = await get<ReplicasResponse>('replicas');
    expect(replicas.replicas.map(r => r.pod).sort()).toEqual(ENTITY_PODS);
    expect(statusOf(replicas.sources, 'kubernetes')).toBe('ok');

    const metrics = await get<MetricsResponse>('metrics');
    expect(
      [...new Set(metrics.memory.workingSet.map(s => s.pod))].sort(),
    ).toEqual(ENTITY_PODS);

    const diagnosis = await get<DiagnosisResponse>('diagnosis');
    expect(diagnosis.hypotheses[0]?.id).not.toBe('memory-limit-too-low');

    const answers = await Promise.all(
      ['replicas', 'metrics', 'logs', 'timeline', 'diagnosis', 'runbook'].map(
        kind => get<unknown>(kind),
      ),
    );
    for (const answer of answers) {
      expect(JSON.stringify(answer)).not.toContain(WORKER);
    }
  });

  it('keeps the sibling out when Kubernetes is down and pods are found by the shape of their names', async () => {
    const closed = await startStubServer(() => undefined);
    const closedUrl = closed.url;
    await closed.close();
    const lab = sandbox.clusters[0];
    const get = await startPlugin(
      clustersConfig(
        [
          {
            name: 'sandbox',
            kubernetesUrl: closedUrl,
            prometheusUrl: lab.prometheusUrl,
            lokiUrl: lab.lokiUrl,
          },
        ],
        { upstreamTimeout: '2s' },
      ),
    );

    const metrics = await get<MetricsResponse>('metrics');
    expect(statusOf(metrics.sources, 'kubernetes')).toBe('error');
    expect(statusOf(metrics.sources, 'prometheus')).toBe('ok');
    expect(
      [...new Set(metrics.memory.workingSet.map(s => s.pod))].sort(),
    ).toEqual(ENTITY_PODS);

    const diagnosis = await get<DiagnosisResponse>('diagnosis');
    expect(diagnosis.hypotheses[0]?.id).not.toBe('memory-limit-too-low');

    const answers = await Promise.all(
      ['metrics', 'logs', 'timeline', 'diagnosis'].map(kind =>
        get<unknown>(kind),
      ),
    );
    for (const answer of answers) {
      expect(JSON.stringify(answer)).not.toContain(WORKER);
    }
  });
});
