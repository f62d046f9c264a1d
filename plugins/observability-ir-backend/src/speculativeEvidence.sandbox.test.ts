import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ClusterAccess } from './clusters/ClusterAccess';
import { readObservabilityIrConfig } from './config/readObservabilityIrConfig';
import { DefaultIncidentService } from './service/DefaultIncidentService';
import { SpeculationCounters } from './service/fanout/speculation';
import { checkoutApiEntity, clustersConfig } from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const ENTITY_PODS = [
  'checkout-api-5d7f9c8b6d-b7kzd',
  'checkout-api-5d7f9c8b6d-q4wvn',
];
const CANARY = 'checkout-api-canary';
const CANARY_PODS = [`${CANARY}-6c9d8b7f4d-x2x9q`];
// Pods of the payments entity (kubernetes id "payments") whose Deployment
// has another name: their names are not what the speculation guesses.
const BILLING_PODS = ['billing-api-7f8d9c6b5d-kx2wz'];

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

const leaking = {
  type: 'memory-leak',
  baselineMemory: '120Mi',
  demandMemory: '600Mi',
  rampSeconds: 120,
  startupSeconds: 30,
  restartDelaySeconds: 20,
  cpuCores: 0.1,
  logs: { intervalSeconds: 15 },
};

/**
 * checkout-api runs fine next to checkout-api-canary, whose pods' names
 * start like checkout-api's (so the speculation asks about them too) but
 * which the entity's kubernetes id does not select, and which runs out of
 * memory and logs errors. payments' pods belong to billing-api.
 */
const SCENARIO = {
  name: 'speculation',
  description: 'a sibling the speculation catches, a workload it misses',
  seed: 5,
  historyHours: 6,
  clusters: [
    {
      name: 'sandbox',
      nodes: [
        { name: 'control-plane', internalIP: '10.0.1.10' },
        {
          name: 'worker-1',
          internalIP: '10.0.1.11',
          capacity: { cpu: '8', memory: '32Gi' },
        },
      ],
      namespaces: ['finance'],
      deployments: [
        {
          name: 'checkout-api',
          namespace: 'finance',
          labels: {
            app: 'checkout',
            'backstage.io/kubernetes-id': 'checkout-api',
          },
          replicaSet: 'checkout-api-5d7f9c8b6d',
          pods: ENTITY_PODS.map(name => ({
            name,
            node: 'worker-1',
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
          name: CANARY,
          namespace: 'finance',
          labels: { app: 'checkout', 'backstage.io/kubernetes-id': CANARY },
          replicaSet: `${CANARY}-6c9d8b7f4d`,
          pods: CANARY_PODS.map(name => ({
            name,
            node: 'worker-1',
            restarts: 30,
          })),
          containers: [container(CANARY, '256Mi', leaking)],
        },
        {
          name: 'billing-api',
          namespace: 'finance',
          labels: { app: 'billing', 'backstage.io/kubernetes-id': 'payments' },
          replicaSet: 'billing-api-7f8d9c6b5d',
          pods: BILLING_PODS.map(name => ({
            name,
            node: 'worker-1',
            restarts: 30,
          })),
          containers: [container('billing-api', '256Mi', leaking)],
        },
      ],
    },
  ],
};

const paymentsEntity = {
  ...checkoutApiEntity,
  metadata: {
    ...checkoutApiEntity.metadata,
    name: 'payments',
    annotations: {
      ...checkoutApiEntity.metadata.annotations,
      'backstage.io/kubernetes-id': 'payments',
    },
  },
};

type Upstream = 'kubernetes' | 'prometheus' | 'loki';

/**
 * Forwards to the sandbox, holding each answer from the Kubernetes API
 * until Prometheus and Loki have been asked (or a second has passed), and
 * noting the order in which upstreams were asked and answered.
 */
async function startOrderingProxy(target: string) {
  const log: Array<{
    upstream: Upstream;
    event: 'asked' | 'answered';
    path: string;
  }> = [];
  const asked = new Set<Upstream>();
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    let upstream: Upstream = 'kubernetes';
    if (path.includes('/prometheus/')) upstream = 'prometheus';
    else if (path.includes('/loki/')) upstream = 'loki';
    log.push({ upstream, event: 'asked', path });
    asked.add(upstream);
    waiters.splice(0).forEach(wake => wake());
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      if (upstream === 'kubernetes') {
        const deadline = Date.now() + 1000;
        while (
          !(asked.has('prometheus') && asked.has('loki')) &&
          Date.now() < deadline
        ) {
          await new Promise<void>(wake => {
            waiters.push(wake);
            setTimeout(wake, 50);
          });
        }
      }
      const answer = await fetch(`${target}${path}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      log.push({ upstream, event: 'answered', path });
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'text/plain',
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    reset() {
      log.splice(0);
      asked.clear();
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('evidence asked together with the pod list', () => {
  let sandbox: Sandbox;
  let proxy: Awaited<ReturnType<typeof startOrderingProxy>>;
  let rootConfig: ConfigReader;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: SCENARIO,
      speed: 0,
      kubeconfigPath: false,
    });
    proxy = await startOrderingProxy(sandbox.url);
    const [cluster] = sandbox.clusters;
    const viaProxy = (url: string) => url.replace(sandbox.url, proxy.url);
    rootConfig = new ConfigReader(
      clustersConfig(
        [
          {
            name: cluster.name,
            kubernetesUrl: viaProxy(cluster.kubernetesUrl),
            prometheusUrl: viaProxy(cluster.prometheusUrl),
            lokiUrl: viaProxy(cluster.lokiUrl),
          },
        ],
        { token: sandbox.token },
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await sandbox?.close();
  });

  function service(options: { cacheTtlMs?: number } = {}) {
    const entities: Record<string, unknown> = {
      'component:default/checkout-api': checkoutApiEntity,
      'component:default/payments': paymentsEntity,
    };
    const catalog = {
      getEntityByRef: async (ref: string) => entities[ref],
    } as any;
    const logger = mockServices.rootLogger({ level: 'error' });
    const counters = new SpeculationCounters();
    const incidents = new DefaultIncidentService({
      catalog,
      config: { ...readObservabilityIrConfig(rootConfig), ...options },
      logger,
      clusterAccess: new ClusterAccess({
        config: rootConfig,
        catalog,
        auth: mockServices.auth(),
        logger,
      }),
      speculation: counters,
    });
    return { incidents, counters };
  }

  const options = { credentials: mockCredentials.user() };
  const checkout = { entityRef: 'component:default/checkout-api' };
  const pods = (series: Array<{ pod: string }>) =>
    [...new Set(series.map(s => s.pod))].sort();

  it('asks Prometheus and Loki before the pod list has answered', async () => {
    const { incidents } = service();
    proxy.reset();

    await Promise.all([
      incidents.getMetrics(checkout, options),
      incidents.getLogs(checkout, options),
    ]);

    const podListAnswered = proxy.log.findIndex(
      e => e.upstream === 'kubernetes' && e.event === 'answered',
    );
    const firstAsked = (upstream: Upstream) =>
      proxy.log.findIndex(e => e.upstream === upstream && e.event === 'asked');
    expect(podListAnswered).toBeGreaterThan(-1);
    expect(firstAsked('prometheus')).toBeGreaterThan(-1);
    expect(firstAsked('prometheus')).toBeLessThan(podListAnswered);
    expect(firstAsked('loki')).toBeLessThan(podListAnswered);
  });

  it('drops the sibling the speculation caught, and asks nothing again', async () => {
    const { incidents, counters } = service();

    const [metrics, logs, diagnosis] = await Promise.all([
      incidents.getMetrics(checkout, options),
      incidents.getLogs(checkout, options),
      incidents.getDiagnosis(checkout, options),
    ]);

    expect(pods(metrics.memory.workingSet)).toEqual(ENTITY_PODS);
    expect(pods(metrics.restarts)).toEqual(ENTITY_PODS);
    for (const answer of [metrics, logs, diagnosis]) {
      expect(JSON.stringify(answer)).not.toContain(CANARY);
    }
    // The queries shown are those of the entity's own pods.
    for (const { query } of [...metrics.queries, ...logs.queries]) {
      expect(query).toContain('checkout-api-');
      expect(query).not.toContain('.+');
    }
    expect(diagnosis.hypotheses[0]?.id).not.toBe('memory-limit-too-low');
    // The canary's series and error lines were there, and left out.
    expect(counters.dropped).toBeGreaterThan(0);
    expect(counters.reasked).toBe(0);
    expect(counters.answered).toBeGreaterThan(0);
  });

  it('asks again, after the pod list, about pods the speculation missed', async () => {
    const { incidents, counters } = service();
    proxy.reset();
    const payments = { entityRef: 'component:default/payments' };

    const [metrics, logs] = await Promise.all([
      incidents.getMetrics(payments, options),
      incidents.getLogs(payments, options),
    ]);

    expect(pods(metrics.memory.workingSet)).toEqual(BILLING_PODS);
    expect(logs.groups.length).toBeGreaterThan(0);
    expect(
      logs.groups.every(g => g.pods.every(p => BILLING_PODS.includes(p))),
    ).toBe(true);
    // Once for the metrics and once for the logs.
    expect(counters.reasked).toBe(2);
    const podListAnswered = proxy.log.findIndex(
      e => e.upstream === 'kubernetes' && e.event === 'answered',
    );
    const lastPrometheus = proxy.log
      .map((e, i) => (e.upstream === 'prometheus' ? i : -1))
      .reduce((a, b) => Math.max(a, b));
    expect(lastPrometheus).toBeGreaterThan(podListAnswered);
  });

  it('asks at once about the pods a workload had when last listed, so a miss is not repeated', async () => {
    // Nothing shared between the two requests but what was listed.
    const { incidents, counters } = service({ cacheTtlMs: 0 });
    const payments = { entityRef: 'component:default/payments' };
    await incidents.getMetrics(payments, options);
    expect(counters.reasked).toBe(1);
    proxy.reset();

    const metrics = await incidents.getMetrics(payments, options);

    expect(pods(metrics.memory.workingSet)).toEqual(BILLING_PODS);
    expect(counters.reasked).toBe(1);
    const podListAnswered = proxy.log.findIndex(
      e => e.upstream === 'kubernetes' && e.event === 'answered',
    );
    expect(podListAnswered).toBeGreaterThan(-1);
    expect(
      proxy.log.findIndex(
        e => e.upstream === 'prometheus' && e.event === 'asked',
      ),
    ).toBeLessThan(podListAnswered);
  });

  it("reads a node once for every entity whose pods run there, within the cache's TTL", async () => {
    const nodeReads = () =>
      proxy.log.filter(
        e => e.event === 'asked' && e.path.includes('/api/v1/nodes/'),
      ).length;
    const payments = { entityRef: 'component:default/payments' };

    for (const [cacheTtlMs, expected] of [
      [15_000, 0],
      [0, 1],
    ]) {
      const { incidents } = service({ cacheTtlMs });
      await incidents.getReplicas(payments, options);
      proxy.reset();

      const replicas = await incidents.getReplicas(checkout, options);

      expect(replicas.nodes.map(n => n.name)).toEqual(['worker-1']);
      expect(nodeReads()).toBe(expected);
    }
  });
});
