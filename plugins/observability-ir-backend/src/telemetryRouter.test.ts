import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  LogsPipelineAudit,
  MetricsPipelineAudit,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { clustersConfig, sandboxConfig } from './__testUtils__/fixtures';
import { startStubServer } from './__testUtils__/stubServer';

jest.setTimeout(60_000);

/** The demo catalog's Components, as `npm start` loads them. */
const catalog = YAML.parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../catalog/components.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS())
  .filter(d => d?.kind === 'Component')
  .map(e => ({ ...e, metadata: { namespace: 'default', ...e.metadata } }));

type Server = Parameters<typeof request>[0];

async function startPlugin(
  sandbox: Sandbox,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
): Promise<Server> {
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities: catalog }),
      mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      mockServices.permissions.factory({ result }),
    ],
  });
  return server;
}

async function telemetry(server: Server, name: string) {
  const response = await request(server)
    .get('/api/observability-ir/v1/telemetry')
    .query({ entityRef: `component:default/${name}` });
  expect(response.status).toBe(200);
  const body = response.body as TelemetryResponse;
  expect(body.metrics).toHaveLength(1);
  expect(body.logs).toHaveLength(1);
  return { body, metrics: body.metrics[0], logs: body.logs[0] };
}

function statuses(audit: MetricsPipelineAudit | LogsPipelineAudit) {
  return Object.fromEntries(audit.checks.map(c => [c.id, c.status]));
}

function detail(audit: MetricsPipelineAudit | LogsPipelineAudit, id: string) {
  return audit.checks.find(c => c.id === id)?.detail ?? '';
}

describe('GET /v1/telemetry on telemetry-gaps', () => {
  let sandbox: Sandbox;
  let server: Server;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'telemetry-gaps',
      speed: 0,
      kubeconfigPath: false,
    });
    server = await startPlugin(sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  }, 30_000);

  it('finds checkout-api observed end to end', async () => {
    const { body, metrics, logs } = await telemetry(server, 'checkout-api');
    expect(body.entityRef).toBe('component:default/checkout-api');
    expect(metrics).toMatchObject({
      cluster: 'sandbox',
      services: ['checkout-api'],
      serviceMonitors: ['monitoring/backend-telemetry'],
    });
    expect(statuses(metrics)).toEqual({
      service: 'ok',
      'service-monitor': 'ok',
      'namespace-selected': 'ok',
      'endpoint-port': 'ok',
      'target-up': 'ok',
      'series-present': 'ok',
    });
    expect(detail(metrics, 'endpoint-port')).toMatch(/http-metrics/);
    expect(detail(metrics, 'target-up')).toMatch(/^2 targets up/);
    expect(metrics.likelyCause).toBeUndefined();
    expect(metrics.suggestedServiceMonitor).toBeUndefined();

    expect(statuses(logs)).toEqual({
      'log-streams': 'ok',
      'log-recent': 'ok',
      'log-kubernetes-labels': 'ok',
    });
    expect(logs.labels).toEqual(
      expect.arrayContaining(['namespace', 'pod', 'container', 'node', 'app']),
    );
    expect(Date.parse(logs.newestEntryAt!)).not.toBeNaN();
    expect(logs.suggestedFluentBitFilter).toBeUndefined();
    expect(body.sources.map(s => [s.source, s.status]).sort()).toEqual([
      ['kubernetes', 'ok'],
      ['loki', 'ok'],
      ['prometheus', 'ok'],
    ]);
  });

  it('names the label the ServiceMonitor misses on payment-gateway and suggests one that selects it', async () => {
    const { metrics, logs } = await telemetry(server, 'payment-gateway');
    expect(statuses(metrics)).toMatchObject({
      service: 'ok',
      'service-monitor': 'missing',
      'target-up': 'missing',
      'series-present': 'missing',
    });
    expect(metrics.serviceMonitors).toEqual([]);
    expect(metrics.likelyCause).toBe(
      'Label mismatch: ServiceMonitor monitoring/backend-telemetry selects tier=backend, but Service finance/payment-gateway has tier=api.',
    );
    const suggested = YAML.parse(metrics.suggestedServiceMonitor!);
    expect(suggested).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: 'payment-gateway',
        namespace: 'finance',
        labels: { release: 'kube-prometheus-stack' },
      },
      spec: {
        selector: { matchLabels: { app: 'payment-gateway', tier: 'api' } },
        namespaceSelector: { matchNames: ['finance'] },
        endpoints: [
          { port: 'http-metrics', interval: '30s', path: '/metrics' },
        ],
      },
    });
    expect(statuses(logs)['log-kubernetes-labels']).toBe('ok');
  });

  it('gives payment-gateway a ServiceMonitor that, applied, has it scraped', async () => {
    const { metrics } = await telemetry(server, 'payment-gateway');
    const suggested = YAML.parse(metrics.suggestedServiceMonitor!);
    const scenario = YAML.parse(
      fs.readFileSync(
        path.resolve(
          __dirname,
          '../../../packages/sandbox-cluster/scenarios/telemetry-gaps.yaml',
        ),
        'utf8',
      ),
    );
    scenario.clusters[0].serviceMonitors.push({
      name: suggested.metadata.name,
      namespace: suggested.metadata.namespace,
      labels: suggested.metadata.labels,
      selector: suggested.spec.selector.matchLabels,
      namespaceSelector: suggested.spec.namespaceSelector,
      endpoints: suggested.spec.endpoints,
    });
    const applied = await startSandbox({
      scenario,
      speed: 0,
      kubeconfigPath: false,
    });
    try {
      const after = await telemetry(
        await startPlugin(applied),
        'payment-gateway',
      );
      expect(after.metrics.serviceMonitors).toEqual([
        'finance/payment-gateway',
      ]);
      expect(statuses(after.metrics)).toEqual({
        service: 'ok',
        'service-monitor': 'ok',
        'namespace-selected': 'ok',
        'endpoint-port': 'ok',
        'target-up': 'ok',
        'series-present': 'ok',
      });
      expect(after.metrics.suggestedServiceMonitor).toBeUndefined();
    } finally {
      await applied.close();
    }
  });

  it('names the port ledger-worker lacks and suggests its own metrics port', async () => {
    const { metrics } = await telemetry(server, 'ledger-worker');
    expect(statuses(metrics)).toMatchObject({
      'service-monitor': 'ok',
      'namespace-selected': 'ok',
      'endpoint-port': 'missing',
      'target-up': 'missing',
    });
    expect(detail(metrics, 'endpoint-port')).toBe(
      'monitoring/backend-telemetry scrapes the port http-metrics, which Service finance/ledger-worker does not have (its ports: metrics).',
    );
    expect(metrics.likelyCause).toBe(
      'Port name mismatch: ServiceMonitor monitoring/backend-telemetry scrapes the port named http-metrics, but Service finance/ledger-worker names its ports metrics.',
    );
    const suggested = YAML.parse(metrics.suggestedServiceMonitor!);
    expect(suggested.spec.endpoints).toEqual([
      { port: 'metrics', interval: '30s', path: '/metrics' },
    ]);
    expect(suggested.spec.selector.matchLabels).toEqual({
      app: 'ledger-worker',
      tier: 'backend',
    });
  });

  it("reports cart-service's targets down with the scrape error", async () => {
    const { metrics } = await telemetry(server, 'cart-service');
    expect(statuses(metrics)).toMatchObject({
      'service-monitor': 'ok',
      'namespace-selected': 'ok',
      'endpoint-port': 'ok',
      'target-up': 'missing',
      // up is scraped (as 0); the series exists.
      'series-present': 'ok',
    });
    expect(detail(metrics, 'target-up')).toMatch(
      /^2 of 2 targets down: cart-service-6f9d8c7b5-\w+ \(http:\/\/[\d.]+:9102\/metrics\) Get "http:\/\/[\d.]+:9102\/metrics": dial tcp [\d.]+:9102: connect: connection refused, last scrape \d{4}-/,
    );
    expect(metrics.likelyCause).toMatch(
      /^Target down: the scrape of http:\/\/[\d.]+:9102\/metrics fails with Get .*connection refused\.$/,
    );
    // A ServiceMonitor scrapes it already: none to apply.
    expect(metrics.suggestedServiceMonitor).toBeUndefined();
  });

  it("finds auth-service's logs only by file, without Kubernetes labels, and gives the Fluent Bit filter", async () => {
    const { metrics, logs } = await telemetry(server, 'auth-service');
    expect(statuses(metrics)['target-up']).toBe('ok');
    expect(statuses(logs)).toEqual({
      'log-streams': 'warning',
      'log-recent': 'ok',
      'log-kubernetes-labels': 'missing',
    });
    expect(logs.labels).toEqual(['filename', 'job']);
    expect(detail(logs, 'log-kubernetes-labels')).toBe(
      'The streams carry filename, job; namespace, pod, container, node, app are missing.',
    );
    expect(logs.likelyCause).toMatch(/miss Fluent Bit's kubernetes filter/);
    expect(logs.suggestedFluentBitFilter).toMatch(
      /\[FILTER\]\n\s+Name\s+kubernetes\n\s+Match\s+kube\.\*/,
    );
    expect(logs.suggestedFluentBitFilter).toMatch(/Merge_Log\s+On/);
    expect(logs.suggestedFluentBitFilter).toMatch(/Keep_Log\s+Off/);
  });

  it('says the ServiceMonitor CRD is not installed where the API answers 404 for it', async () => {
    const lab = sandbox.clusters[0];
    // The sandbox's API, without the Prometheus Operator's CRD.
    const api = await startStubServer(async req => {
      if (req.path.includes('/monitoring.coreos.com/')) {
        return {
          status: 404,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'the server could not find the requested resource',
            reason: 'NotFound',
            code: 404,
          },
        };
      }
      const query = req.method === 'GET' ? `?${req.params}` : '';
      const answer = await fetch(`${lab.kubernetesUrl}${req.path}${query}`, {
        headers: { authorization: String(req.headers.authorization) },
      });
      return { status: answer.status, body: await answer.json() };
    });
    try {
      const { server: backend } = await startTestBackend({
        features: [
          observabilityIrPlugin,
          catalogServiceMock.factory({ entities: catalog }),
          mockServices.rootConfig.factory({
            data: clustersConfig([{ ...lab, kubernetesUrl: api.url }], {
              token: sandbox.token,
            }),
          }),
        ],
      });
      const { metrics, body } = await telemetry(backend, 'checkout-api');
      expect(metrics.checks.find(c => c.id === 'service-monitor')).toEqual({
        id: 'service-monitor',
        title: 'A ServiceMonitor selects the Service',
        status: 'unknown',
        detail:
          'The ServiceMonitor CRD (monitoring.coreos.com/v1) is not installed in cluster sandbox: the API answered 404 for servicemonitors, so the Prometheus Operator cannot be scraping the Service.',
      });
      // The rest is still audited; the API itself answered.
      expect(statuses(metrics)).toMatchObject({
        service: 'ok',
        'target-up': 'ok',
      });
      expect(body.sources.find(s => s.source === 'kubernetes')?.status).toBe(
        'ok',
      );
    } finally {
      await api.close();
    }
  });

  it('answers 400 for an entity reference that is not one', async () => {
    const response = await request(server)
      .get('/api/observability-ir/v1/telemetry')
      .query({ entityRef: '' });
    expect(response.status).toBe(400);
    const unknownParam = await request(server)
      .get('/api/observability-ir/v1/telemetry')
      .query({ entityRef: 'component:default/checkout-api', range: '1h' });
    expect(unknownParam.status).toBe(400);
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const response = await request(server)
      .get('/api/observability-ir/v1/telemetry')
      .query({ entityRef: 'component:default/no-such-service' });
    expect(response.status).toBe(404);
  });

  it("answers 403 without the entity's incident read permission", async () => {
    const denied = await startPlugin(sandbox, AuthorizeResult.DENY);
    const response = await request(denied)
      .get('/api/observability-ir/v1/telemetry')
      .query({ entityRef: 'component:default/checkout-api' });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'You are not allowed to read the incident data of component:default/checkout-api',
    );
  });
});

describe('GET /v1/telemetry on checkout-oom', () => {
  let sandbox: Sandbox;
  let server: Server;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    server = await startPlugin(sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  }, 30_000);

  it("finds the lab's backend-telemetry ServiceMonitor scraping checkout-api", async () => {
    const { metrics, logs } = await telemetry(server, 'checkout-api');
    expect(metrics.serviceMonitors).toEqual(['monitoring/backend-telemetry']);
    expect(statuses(metrics)).toMatchObject({
      service: 'ok',
      'service-monitor': 'ok',
      'namespace-selected': 'ok',
      'endpoint-port': 'ok',
      'series-present': 'ok',
    });
    expect(detail(metrics, 'namespace-selected')).toMatch(/any namespace/);
    expect(statuses(logs)['log-kubernetes-labels']).toBe('ok');
  });
});
