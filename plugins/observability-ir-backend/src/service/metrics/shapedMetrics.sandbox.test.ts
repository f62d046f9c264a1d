import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  loadScenario,
  Sandbox,
  startSandbox,
} from '@observability-ir/sandbox-cluster';
import {
  MetricSeries,
  MetricsResponse,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from '../../plugin';
import { checkoutApiEntity, sandboxConfig } from '../../__testUtils__/fixtures';

jest.setTimeout(60_000);

const REPLICAS = 30;

/** The lab's checkout-api with REPLICAS pods. */
function scaledScenario() {
  const scenario = loadScenario('checkout-oom');
  const deployment = scenario.clusters[0].deployments.find(
    d => d.name === 'checkout-api',
  )!;
  deployment.pods = Array.from({ length: REPLICAS }, (_, i) => ({
    ...deployment.pods[i % deployment.pods.length],
    name: `checkout-api-v1-${String(i).padStart(3, '0')}`,
    node: i % 2 ? 'worker-2' : 'worker-1',
  }));
  return scenario;
}

const peak = (s: MetricSeries) => Math.max(...s.points.map(([, v]) => v));
const key = (s: MetricSeries) => `${s.cluster}/${s.pod}/${s.container ?? ''}`;

describe('GET /v1/metrics shaped for a chart, from the sandbox cluster', () => {
  let sandbox: Sandbox;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: scaledScenario(),
      speed: 0,
      kubeconfigPath: false,
    });
    ({ server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
        mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      ],
    }));
  }, 60_000);

  afterAll(async () => {
    await sandbox.close();
  });

  async function metrics(query: Record<string, string> = {}) {
    const response = await request(server)
      .get('/api/observability-ir/v1/metrics')
      .query({ entityRef: 'component:default/checkout-api', ...query });
    expect(response.status).toBe(200);
    return response.body as MetricsResponse;
  }

  it('sends 8 containers and the others, at most width points each, every peak kept, and leaves the full answer whole', async () => {
    // Shaped first: the full answer read from the same cache afterwards
    // must still hold every series as scraped.
    const shaped = await metrics({ width: '100' });
    const full = await metrics();

    expect(full.shape).toBeUndefined();
    expect(full.memory.workingSet).toHaveLength(REPLICAS);
    expect(full.memory.limit).toHaveLength(REPLICAS);
    expect(full.memory.workingSet[0].points.length).toBeGreaterThan(100);

    expect(shaped.shape).toMatchObject({
      width: 100,
      downsampled: true,
      containersTotal: REPLICAS,
    });
    expect(shaped.shape!.shown).toHaveLength(8);
    expect(shaped.memory.workingSet).toHaveLength(9);
    expect(shaped.memory.limit).toHaveLength(1);
    expect(shaped.memory.limit[0].aggregate).toEqual({
      of: 'same',
      containers: REPLICAS,
    });
    for (const s of [
      ...shaped.memory.workingSet,
      ...shaped.cpu.usage,
      ...shaped.restarts,
      ...shaped.ready,
    ]) {
      expect(s.points.length).toBeLessThanOrEqual(100);
    }

    const byKey = new Map(full.memory.workingSet.map(s => [key(s), s]));
    const own = shaped.memory.workingSet.filter(s => !s.aggregate);
    for (const s of own) expect(peak(s)).toBe(peak(byKey.get(key(s))!));
    const drawn = new Set(own.map(key));
    const others = shaped.memory.workingSet.find(s => s.aggregate)!;
    expect(others.aggregate).toEqual({ of: 'max', containers: REPLICAS - 8 });
    expect(peak(others)).toBe(
      Math.max(
        ...full.memory.workingSet.filter(s => !drawn.has(key(s))).map(peak),
      ),
    );
    expect(JSON.stringify(shaped).length).toBeLessThan(
      JSON.stringify(full).length / 3,
    );
  });

  it('sends a pod asked for by name although it is not among the 8', async () => {
    const first = await metrics({ width: '1200' });
    const drawn = new Set(first.shape!.shown.map(c => c.pod));
    const other = Array.from(
      { length: REPLICAS },
      (_, i) => `checkout-api-v1-${String(i).padStart(3, '0')}`,
    ).find(pod => !drawn.has(pod))!;

    const shaped = await metrics({ width: '1200', pod: other });
    expect(shaped.shape!.shown.map(c => c.pod)).toContain(other);
    expect(
      shaped.memory.workingSet.find(s => s.pod === other)?.points.length,
    ).toBeGreaterThan(0);
  });

  it('refuses a width it cannot draw', async () => {
    const response = await request(server)
      .get('/api/observability-ir/v1/metrics')
      .query({ entityRef: 'component:default/checkout-api', width: '20' });
    expect(response.status).toBe(400);
  });
});
