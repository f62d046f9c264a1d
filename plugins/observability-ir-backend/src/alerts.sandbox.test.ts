import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  AlertsResponse,
  DiagnosisResponse,
  IncidentAlert,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import {
  checkoutApiEntity,
  ClusterUrls,
  clustersConfig,
} from './__testUtils__/fixtures';
import { readQuery } from './__testUtils__/queries/queryTree';
import { startStubServer } from './__testUtils__/stubServer';

// Starting a sandbox evaluates its alerting rules over hours of history.
jest.setTimeout(60_000);

const LAB_PODS = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
const LAB_ALERTS = ['ContainerMemoryNearLimit', 'KubePodCrashLooping'];

type Get = <T = AlertsResponse>(
  entityRef: string,
  path?: string,
) => Promise<{ status: number; body: T }>;

async function startPlugin(entities: Entity[], config: object): Promise<Get> {
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  return async <T>(entityRef: string, path = 'alerts') => {
    const response = await request(server)
      .get(`/api/observability-ir/v1/${path}`)
      .set('Authorization', mockCredentials.user.header())
      .query({ entityRef, range: '1h' });
    return { status: response.status, body: response.body as T };
  };
}

function sandboxUrls(sandbox: Sandbox): ClusterUrls[] {
  return sandbox.clusters.map(c => ({
    name: c.name,
    kubernetesUrl: c.kubernetesUrl,
    prometheusUrl: c.prometheusUrl,
    lokiUrl: c.lokiUrl,
    alertmanagerUrl: c.alertmanagerUrl,
  }));
}

function statusOf(body: AlertsResponse, source: string) {
  return body.sources.find(s => s.source === source);
}

function namesAndPods(alerts: IncidentAlert[]) {
  return alerts.map(a => `${a.name} ${a.pod}`).sort();
}

describe('alerts of the lab incident', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists both alerts firing for both pods, from Prometheus, its history and Alertmanager', async () => {
    const get = await startPlugin(
      [checkoutApiEntity],
      clustersConfig(sandboxUrls(sandbox), { token: sandbox.token }),
    );

    const { status, body } = await get('component:default/checkout-api');

    expect(status).toBe(200);
    const firing = body.alerts.filter(a => a.state === 'firing');
    expect(namesAndPods(firing)).toEqual(
      LAB_ALERTS.flatMap(name => LAB_PODS.map(pod => `${name} ${pod}`)),
    );
    for (const alert of firing) {
      expect(alert.namespace).toBe('finance');
      expect(alert.severity).toBe('warning');
      expect(alert.endsAt).toBeUndefined();
      expect(alert.origins).toEqual(['prometheus', 'history', 'alertmanager']);
      expect(alert.summary).toMatch(/crash looping|close to its limit/);
      expect(alert.description).toContain(`finance/${alert.pod}`);
      expect(Date.parse(alert.startsAt)).toBeLessThan(Date.now());
    }
    expect(body.sources.map(s => [s.source, s.status]).sort()).toEqual([
      ['alertmanager', 'ok'],
      ['kubernetes', 'ok'],
      ['prometheus', 'ok'],
    ]);
    expect(body.truncated).toBe(false);
    const promql = body.queries.filter(q => q.name === 'firing alerts');
    expect(promql.length).toBeGreaterThan(0);
    for (const { query } of promql) {
      for (const selector of readQuery(query, 'promql').selectors) {
        expect(selector.metric).toBe('ALERTS');
        expect(selector.matchers).toEqual(
          expect.arrayContaining([
            { name: 'alertstate', op: '=', value: 'firing' },
            { name: 'namespace', op: '=', value: 'finance' },
          ]),
        );
      }
    }
  });

  it('notes the firing alerts in the diagnosis on the hypotheses they fit, without changing its ranking', async () => {
    const get = await startPlugin(
      [checkoutApiEntity],
      clustersConfig(sandboxUrls(sandbox), { token: sandbox.token }),
    );

    const { body } = await get<DiagnosisResponse>(
      'component:default/checkout-api',
      'diagnosis',
    );

    const [top] = body.hypotheses;
    expect(top.id).toBe('memory-limit-too-low');
    const notes = top.supporting
      .map(e => e.description)
      .filter(d => d.startsWith('Alert '));
    expect(notes).toEqual([
      expect.stringMatching(
        /^Alert ContainerMemoryNearLimit \(warning\) firing since .* for checkout-api-v1-abc and checkout-api-v1-xyz \(a symptom/,
      ),
      expect.stringMatching(
        /^Alert KubePodCrashLooping \(warning\) firing since .* for checkout-api-v1-abc and checkout-api-v1-xyz \(a symptom/,
      ),
    ]);
    const cpu = body.hypotheses.find(h => h.id === 'cpu-throttling')!;
    expect(
      cpu.supporting.filter(e => e.description.startsWith('Alert ')),
    ).toEqual([]);
    const healthy = body.hypotheses.find(h => h.id === 'healthy')!;
    expect(
      healthy.contradicting.filter(e => e.description.startsWith('Alert ')),
    ).toHaveLength(2);
  });

  it('answers with Prometheus’ alerts and the error when Alertmanager is down', async () => {
    const closed = await startStubServer(() => undefined);
    const closedUrl = closed.url;
    await closed.close();
    const get = await startPlugin(
      [checkoutApiEntity],
      clustersConfig(
        sandboxUrls(sandbox).map(c => ({ ...c, alertmanagerUrl: closedUrl })),
        { token: sandbox.token, upstreamTimeout: '2s' },
      ),
    );

    const { status, body } = await get('component:default/checkout-api');

    expect(status).toBe(200);
    expect(
      namesAndPods(body.alerts.filter(a => a.state === 'firing')),
    ).toHaveLength(4);
    for (const alert of body.alerts) {
      expect(alert.origins).not.toContain('alertmanager');
    }
    expect(statusOf(body, 'alertmanager')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('Alertmanager of cluster'),
    });
    expect(statusOf(body, 'prometheus')?.status).toBe('ok');
  });

  it('answers with Alertmanager’s alerts and the error when Prometheus is down', async () => {
    const closed = await startStubServer(() => undefined);
    const closedUrl = closed.url;
    await closed.close();
    const get = await startPlugin(
      [checkoutApiEntity],
      clustersConfig(
        sandboxUrls(sandbox).map(c => ({ ...c, prometheusUrl: closedUrl })),
        { token: sandbox.token, upstreamTimeout: '2s' },
      ),
    );

    const { status, body } = await get('component:default/checkout-api');

    expect(status).toBe(200);
    expect(namesAndPods(body.alerts)).toEqual(
      LAB_ALERTS.flatMap(name => LAB_PODS.map(pod => `${name} ${pod}`)),
    );
    for (const alert of body.alerts) {
      expect(alert.state).toBe('firing');
      expect(alert.origins).toEqual(['alertmanager']);
    }
    expect(statusOf(body, 'prometheus')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('Prometheus of cluster'),
    });
    expect(statusOf(body, 'alertmanager')?.status).toBe('ok');
  });

  it('sends annotation text to PromQL and Alertmanager only escaped, and refuses a namespace that is not one', async () => {
    const hostile = 'x"} or vector(1) or ALERTS{a="';
    const alertmanager = await startStubServer(() => ({
      status: 200,
      body: [],
    }));
    try {
      const injected = {
        ...checkoutApiEntity,
        metadata: {
          ...checkoutApiEntity.metadata,
          name: 'checkout-api-injected',
          annotations: {
            ...checkoutApiEntity.metadata.annotations,
            'observability-ir.io/prometheus-matchers': `{team=${JSON.stringify(
              hostile,
            )}}`,
          },
        },
      };
      const badNamespace = {
        ...checkoutApiEntity,
        metadata: {
          ...checkoutApiEntity.metadata,
          name: 'checkout-api-bad-namespace',
          annotations: {
            ...checkoutApiEntity.metadata.annotations,
            'backstage.io/kubernetes-namespace': 'finance",alertname!="x',
          },
        },
      };
      const get = await startPlugin(
        [injected, badNamespace],
        clustersConfig(
          sandboxUrls(sandbox).map(c => ({
            ...c,
            alertmanagerUrl: alertmanager.url,
          })),
          { token: sandbox.token },
        ),
      );

      const { status, body } = await get(
        'component:default/checkout-api-injected',
      );

      expect(status).toBe(200);
      // The text selects only alerts labelled with it: none.
      expect(body.alerts).toEqual([]);
      const promql = body.queries.filter(q => q.name === 'firing alerts');
      expect(promql.length).toBeGreaterThan(0);
      for (const { query } of promql) {
        const { selectors } = readQuery(query, 'promql');
        expect(selectors.length).toBeGreaterThan(0);
        for (const selector of selectors) {
          expect(selector.metric).toBe('ALERTS');
          expect(selector.matchers).toContainEqual({
            name: 'team',
            op: '=',
            value: hostile,
          });
        }
      }
      expect(alertmanager.requests.map(r => r.params.getAll('filter'))).toEqual(
        [['namespace="finance"']],
      );

      const refused = await get('component:default/checkout-api-bad-namespace');
      expect(refused.status).toBe(400);
      expect(alertmanager.requests).toHaveLength(1);
    } finally {
      await alertmanager.close();
    }
  });
});

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

const LEAK = {
  type: 'memory-leak',
  baselineMemory: '120Mi',
  demandMemory: '600Mi',
  rampSeconds: 120,
  startupSeconds: 30,
  restartDelaySeconds: 20,
  cpuCores: 0.1,
};

function deployment(
  name: string,
  namespace: string,
  replicaSet: string,
  podSuffixes: string[],
  behavior: object,
) {
  return {
    name,
    namespace,
    labels: { app: name, 'backstage.io/kubernetes-id': name },
    replicaSet,
    pods: podSuffixes.map((suffix, i) => ({
      name: `${replicaSet}-${suffix}`,
      node: `worker-${i + 1}`,
      createdAt: '-3d',
    })),
    containers: [
      {
        name,
        image: `registry.example.com/${namespace}/${name}:1.0.0`,
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: {
          requests: { cpu: '250m', memory: '128Mi' },
          limits: { cpu: '1', memory: '256Mi' },
        },
        behavior,
      },
    ],
  };
}

const CRASH_LOOPING = {
  alert: 'KubePodCrashLooping',
  expr: 'increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[10m]) > 0',
  for: '15m',
  labels: { severity: 'warning' },
  annotations: { summary: 'Pod is crash looping.' },
};

/**
 * checkout-api is healthy; a sibling Deployment in its namespace whose
 * name extends its own, and a Deployment of the same name in another
 * namespace, are OOM-looping and their alerts fire.
 */
const NEIGHBOURS_SCENARIO = {
  name: 'alerting-neighbours',
  description: 'checkout-api healthy next to alerting neighbours',
  seed: 7,
  historyHours: 2,
  clusters: [
    {
      name: 'sandbox',
      nodes: NODES,
      namespaces: ['finance', 'payments', 'monitoring'],
      deployments: [
        deployment(
          'checkout-api',
          'finance',
          'checkout-api-5d7f9c8b6d',
          ['b7kzd', 'q4wvn'],
          { type: 'steady', memory: '100Mi', cpuCores: 0.1 },
        ),
        deployment(
          'checkout-api-worker',
          'finance',
          'checkout-api-worker-6c9d8b7f4d',
          ['x2x9q', 'z8m2p'],
          LEAK,
        ),
        deployment(
          'checkout-api',
          'payments',
          'checkout-api-7f8b9c6d5',
          ['m4n5p', 'r7s8t'],
          LEAK,
        ),
      ],
    },
  ],
  alertRules: [
    { name: 'kubernetes-apps', interval: '30s', rules: [CRASH_LOOPING] },
  ],
};

describe('alerts of neighbours', () => {
  let sandbox: Sandbox;
  let get: Get;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: NEIGHBOURS_SCENARIO,
      speed: 0,
      kubeconfigPath: false,
    });
    const worker = {
      ...checkoutApiEntity,
      metadata: {
        ...checkoutApiEntity.metadata,
        name: 'checkout-api-worker',
        annotations: {
          ...checkoutApiEntity.metadata.annotations,
          'backstage.io/kubernetes-id': 'checkout-api-worker',
        },
      },
    };
    get = await startPlugin(
      [checkoutApiEntity, worker],
      clustersConfig(sandboxUrls(sandbox), { token: sandbox.token }),
    );
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('fires for the neighbours, so there is something to keep out', async () => {
    const { body } = await get('component:default/checkout-api-worker');

    expect(namesAndPods(body.alerts.filter(a => a.state === 'firing'))).toEqual(
      [
        'KubePodCrashLooping checkout-api-worker-6c9d8b7f4d-x2x9q',
        'KubePodCrashLooping checkout-api-worker-6c9d8b7f4d-z8m2p',
      ],
    );
  });

  it('never shows a sibling workload’s alerts, nor those of another namespace', async () => {
    const { status, body } = await get('component:default/checkout-api');

    expect(status).toBe(200);
    expect(body.alerts).toEqual([]);
    expect(body.sources.every(s => s.status === 'ok')).toBe(true);
  });
});
