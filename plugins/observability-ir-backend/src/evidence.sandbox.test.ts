import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  DiagnosisResponse,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

// The first request loads the Kubernetes client and reads the catalog; on a
// cold or busy machine that alone can pass Jest's 5 s default.
jest.setTimeout(60_000);

describe('evidence of the lab incident, from the sandbox cluster', () => {
  let sandbox: Sandbox;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
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

  async function get<T>(path: string): Promise<T> {
    const response = await request(server)
      .get(`/api/observability-ir/v1/${path}`)
      .query({ entityRef: 'component:default/checkout-api' });
    expect(response.status).toBe(200);
    return response.body as T;
  }

  it('lists both replicas, OOMKilled with exit 137, with the lab restart counts', async () => {
    const body = await get<ReplicasResponse>('replicas');

    expect(
      body.replicas.map(r => [
        r.pod,
        r.node,
        r.restartCount,
        r.lastTermination?.reason,
        r.lastTermination?.exitCode,
        r.limits.memoryBytes,
      ]),
    ).toEqual([
      ['checkout-api-v1-abc', 'worker-1', 45, 'OOMKilled', 137, 512 * 2 ** 20],
      ['checkout-api-v1-xyz', 'worker-2', 42, 'OOMKilled', 137, 512 * 2 ** 20],
    ]);
    for (const replica of body.replicas) {
      expect(replica.memoryWorkingSetBytes).toBeGreaterThan(0);
      expect(replica.memoryLimitShare).toBeLessThanOrEqual(1.01);
    }
    expect(body.nodes.map(n => n.name).sort()).toEqual([
      'worker-1',
      'worker-2',
    ]);
    expect(body.kubectlCommands[0]).toContain(
      "-n 'finance' -l 'backstage.io/kubernetes-id=checkout-api'",
    );
    expect(body.sources.every(s => s.status === 'ok')).toBe(true);
  });

  it('shows memory creeping to the 512Mi limit while CPU stays flat', async () => {
    const body = await get<MetricsResponse>('metrics');

    const limit = 512 * 2 ** 20;
    const peaks = body.memory.workingSet.map(s =>
      Math.max(...s.points.map(([, v]) => v)),
    );
    expect(peaks.length).toBeGreaterThanOrEqual(2);
    for (const peak of peaks) {
      expect(peak / limit).toBeGreaterThan(0.9);
    }
    expect(body.memory.limit[0].points[0][1]).toBe(limit);
    const cpu = body.cpu.usage.flatMap(s => s.points.map(([, v]) => v));
    expect(Math.max(...cpu)).toBeLessThan(0.5);
    expect(body.queries.map(q => q.name)).toContain('memory working set');
  });

  it('groups the OutOfMemoryError lines from Loki, with their stack trace', async () => {
    const body = await get<LogsResponse>('logs');

    const [top] = body.groups;
    expect(top.signature).toBe('java.lang.OutOfMemoryError: Java heap space');
    expect(top.count).toBeGreaterThan(5);
    expect(top.pods).toEqual(['checkout-api-v1-abc', 'checkout-api-v1-xyz']);
    expect(top.sample.stackTrace).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\s*at java\.base/)]),
    );
    expect(body.queries[0].query).toContain('namespace="finance"');
  });

  it('lines up each OOM kill with memory at the limit and the error lines before it', async () => {
    const body = await get<TimelineResponse>('timeline');

    const kills = body.events.filter(e => e.kind === 'termination');
    expect(kills.length).toBeGreaterThan(5);
    expect(kills.every(k => k.reason === 'OOMKilled')).toBe(true);
    expect(body.correlation.strength).toBe('strong');
    expect(kills[kills.length - 1].summary).toMatch(
      /OOMKilled at \d\d:\d\d:\d\d; working set \d+% of 512Mi in the minute before; \d+ error lines? in the 30 s before/,
    );
  });

  it('diagnoses a memory limit that is too low and proposes 1Gi', async () => {
    const body = await get<DiagnosisResponse>('diagnosis');

    expect(body.hypotheses[0].id).toBe('memory-limit-too-low');
    expect(body.recommendation?.memoryLimit).toMatchObject({
      current: '512Mi',
      proposed: '1Gi',
    });
  });
});
