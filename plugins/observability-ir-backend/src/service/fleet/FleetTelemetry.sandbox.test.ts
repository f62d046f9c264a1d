import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { FleetTelemetryResponse } from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from '../../plugin';
import { sandboxConfig } from '../../__testUtils__/fixtures';

jest.setTimeout(60_000);

const PATH = '/api/observability-ir/v1/fleet/telemetry';

/** The demo catalog's Components, as `npm start` loads them. */
const catalog = YAML.parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../../catalog/components.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS())
  .filter(d => d?.kind === 'Component')
  .map(e => ({ ...e, metadata: { namespace: 'default', ...e.metadata } }));

/** A Component whose label selector cannot be parsed: its audit fails. */
const brokenSelector = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'broken-selector',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector': 'app in (',
      'backstage.io/kubernetes-namespace': 'finance',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'finance-team' },
};

type Server = Parameters<typeof request>[0];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    scenario: 'telemetry-gaps',
    port: 0,
    speed: 0,
    kubeconfigPath: false,
  });
}, 60_000);

afterAll(() => sandbox?.close(), 30_000);

async function startBackend(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    telemetry?: { enabled?: boolean };
  } = {},
): Promise<Server> {
  const config = sandboxConfig(sandbox);
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({
        entities: [...catalog, brokenSelector],
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          observabilityIr: {
            ...config.observabilityIr,
            // Only what a request asks for runs while the test runs.
            fleet: {
              sweep: { initialDelay: { hours: 1 } },
              telemetry: { initialDelay: { hours: 1 }, ...options.telemetry },
            },
          },
        },
      }),
    ],
  });
  return server;
}

/** Asks until the first audit has answered. */
async function audited(server: Server): Promise<FleetTelemetryResponse> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const response = await request(server).get(PATH);
    expect(response.status).toBe(200);
    if (!response.body.pending) return response.body;
    if (Date.now() > deadline) throw new Error('The audit never answered');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

function row(result: FleetTelemetryResponse, name: string) {
  const found = result.rows.find(
    r => r.owner.entityRef === `component:default/${name}`,
  );
  if (!found) throw new Error(`No row for ${name}`);
  return found;
}

describe('GET /v1/fleet/telemetry on telemetry-gaps', () => {
  let server: Server;
  let result: FleetTelemetryResponse;

  beforeAll(async () => {
    server = await startBackend();
  }, 60_000);

  it('answers pending at once before the first audit, then the audit', async () => {
    const started = Date.now();
    const first = await request(server).get(PATH);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ rows: [], sources: [], pending: true });
    expect(Date.now() - started).toBeLessThan(5_000);

    result = await audited(server);
    expect(Date.parse(result.auditedAt!)).toBeGreaterThanOrEqual(
      started - 1_000,
    );
    expect(result.pending).toBeUndefined();
    expect(result.sources.map(s => [s.source, s.status])).toEqual([
      ['kubernetes', 'ok'],
      ['loki', 'ok'],
      ['prometheus', 'ok'],
    ]);
    // Every Component with Kubernetes annotations, once; recommendations
    // and storefront-web have none.
    expect(result.rows.map(r => r.owner.entityRef)).toEqual([
      'component:default/auth-service',
      'component:default/broken-selector',
      'component:default/cart-service',
      'component:default/checkout-api',
      'component:default/ledger-worker',
      'component:default/payment-gateway',
      'component:default/search-indexer',
    ]);

    // Later requests answer the same audit from the cache.
    const again = await request(server).get(PATH);
    expect(again.body.auditedAt).toBe(result.auditedAt);
  });

  it('finds checkout-api observed end to end', () => {
    expect(row(result, 'checkout-api')).toEqual({
      owner: {
        entityRef: 'component:default/checkout-api',
        title: 'Checkout API',
        ownerRef: 'group:default/finance-team',
      },
      metrics: 'ok',
      logs: 'ok',
    });
  });

  it("names the label payment-gateway's Service lacks for the ServiceMonitor", () => {
    expect(row(result, 'payment-gateway')).toMatchObject({
      metrics: 'missing',
      logs: 'ok',
      problem:
        'No ServiceMonitor selects Service finance/payment-gateway (labels app=payment-gateway, tier=api); the closest, monitoring/backend-telemetry, selects tier=backend.',
    });
  });

  it("names the port ledger-worker's Service lacks", () => {
    expect(row(result, 'ledger-worker')).toMatchObject({
      metrics: 'missing',
      logs: 'ok',
      problem:
        'monitoring/backend-telemetry scrapes the port http-metrics, which Service finance/ledger-worker does not have (its ports: metrics).',
    });
  });

  it("reports cart-service's targets down with the scrape error", () => {
    const cart = row(result, 'cart-service');
    expect(cart).toMatchObject({ metrics: 'missing', logs: 'ok' });
    expect(cart.problem).toMatch(
      /^2 of 2 targets down: cart-service-6f9d8c7b5-\w+ \(http:\/\/[\d.]+:9102\/metrics\) .*connection refused/,
    );
  });

  it("finds auth-service's logs only by file, without the Kubernetes labels", () => {
    const auth = row(result, 'auth-service');
    expect(auth).toMatchObject({ metrics: 'ok', logs: 'missing' });
    // The missing labels, not the warning that found the streams by file.
    expect(auth.problem).toMatch(
      /^The streams carry filename, job; .*namespace.* missing\.$/,
    );
  });

  it('gives an entity whose audit fails a row of unknowns saying why, and audits the rest', () => {
    const broken = row(result, 'broken-selector');
    expect(broken).toMatchObject({ metrics: 'unknown', logs: 'unknown' });
    expect(broken.problem).toMatch(
      /^The audit of component:default\/broken-selector failed: .+/,
    );
  });
});

describe('GET /v1/fleet/telemetry refused', () => {
  it('refuses a user without the fleet permission', async () => {
    const server = await startBackend({ permission: AuthorizeResult.DENY });
    const response = await request(server).get(PATH);
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'You are not allowed to read the fleet pages (observability-ir.fleet.read)',
    );
  });

  it('refuses a query, naming it', async () => {
    const server = await startBackend();
    const response = await request(server)
      .get(PATH)
      .query({ entityRef: 'component:default/checkout-api' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^Invalid request: query: /);
  });

  it('answers 503 when the audit is turned off', async () => {
    const off = await startBackend({
      telemetry: { enabled: false },
    });
    const response = await request(off).get(PATH);
    expect(response.status).toBe(503);
    expect(response.body.error.message).toMatch(
      /observabilityIr\.fleet\.telemetry\.enabled/,
    );
    // The silent-outage sweep stays on: it answers, then sweeps.
    const deadline = Date.now() + 45_000;
    let outages = await request(off).get(
      '/api/observability-ir/v1/fleet/silent-outages',
    );
    while (outages.body.pending && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 100));
      outages = await request(off).get(
        '/api/observability-ir/v1/fleet/silent-outages',
      );
    }
    expect(outages.status).toBe(200);
    expect(outages.body.pending).toBeUndefined();
    expect(outages.body.podsScanned).toBeGreaterThan(0);
  });
});
