import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { SilentOutagesResponse } from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const PATH = '/api/observability-ir/v1/fleet/silent-outages';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    scenario: 'checkout-oom',
    port: 0,
    speed: 0,
    kubeconfigPath: false,
  });
});

afterAll(() => sandbox?.close());

async function startBackend(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    fleet?: { enabled?: boolean };
  } = {},
) {
  const config = sandboxConfig(sandbox);
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({
        entities: [
          {
            ...checkoutApiEntity,
            metadata: { ...checkoutApiEntity.metadata, title: 'Checkout API' },
          },
        ],
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          observabilityIr: {
            ...config.observabilityIr,
            ...(options.fleet ? { fleet: options.fleet } : {}),
          },
        },
      }),
    ],
  });
  return server;
}

/** Asks until the first sweep has answered. */
async function swept(
  server: Awaited<ReturnType<typeof startBackend>>,
  range?: string,
): Promise<SilentOutagesResponse> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await request(server)
      .get(PATH)
      .query(range ? { range } : {});
    expect(response.status).toBe(200);
    if (!response.body.pending) return response.body;
    if (Date.now() > deadline) throw new Error('The sweep never answered');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('GET /v1/fleet/silent-outages', () => {
  it('answers pending before the first sweep, then the sweep of every namespace', async () => {
    const server = await startBackend();

    const first = await request(server).get(PATH);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      range: '1h',
      podsScanned: 0,
      findings: [],
      nearOom: [],
      nearOomShare: 0.9,
      topRestarters: [],
      sources: [],
      pending: true,
    });

    const result = await swept(server);
    expect(result.range).toBe('1h');
    expect(result.podsScanned).toBe(3);
    expect(result.sources.every(s => s.status === 'ok')).toBe(true);
    for (const finding of result.findings) {
      expect(finding).toMatchObject({
        namespace: 'finance',
        reason: 'OOMKilled',
        exitCode: 137,
        owner: {
          entityRef: 'component:default/checkout-api',
          title: 'Checkout API',
          ownerRef: 'group:default/finance-team',
        },
      });
    }
    expect(result.findings.map(f => f.pod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);

    // The same sweep serves every range.
    const day = await swept(server, '24h');
    expect(day.range).toBe('24h');
    expect(day.sweptAt).toBe(result.sweptAt);
  });

  it('refuses a user without the fleet permission', async () => {
    const server = await startBackend({ permission: AuthorizeResult.DENY });
    const response = await request(server).get(PATH);
    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(
      /observability-ir\.fleet\.read/,
    );
  });

  it('refuses a range that is not a preset, naming the field', async () => {
    const server = await startBackend();
    const response = await request(server).get(PATH).query({ range: '2h' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^Invalid request: range: /);

    const extra = await request(server)
      .get(PATH)
      .query({ range: '1h', entityRef: 'component:default/checkout-api' });
    expect(extra.status).toBe(400);
  });

  it('answers 503 when the sweep is turned off', async () => {
    const server = await startBackend({ fleet: { enabled: false } });
    const response = await request(server).get(PATH);
    expect(response.status).toBe(503);
    expect(response.body.error.message).toMatch(
      /observabilityIr\.fleet\.enabled/,
    );
  });
});
