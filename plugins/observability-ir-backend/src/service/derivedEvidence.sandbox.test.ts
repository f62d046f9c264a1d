import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { ClusterAccess } from '../clusters/ClusterAccess';
import { readObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { checkoutApiEntity, sandboxConfig } from '../__testUtils__/fixtures';
import { DefaultIncidentService } from './DefaultIncidentService';
import { diagnose } from './diagnosis';
import type { ForensicsRun } from './forensics/store/ForensicsRunStore';
import { shapeMetrics } from './metrics/shapeMetrics';
import { buildTimeline } from './timeline/buildTimeline';

jest.setTimeout(60_000);

/** The moment every request of this file is made at: the sandbox's now. */
const NOW = Date.now();
const minutesAgo = (minutes: number) =>
  new Date(NOW - minutes * 60_000).toISOString();

// Counted, not replaced.
jest.mock('./timeline/buildTimeline', () => {
  const actual = jest.requireActual('./timeline/buildTimeline');
  return { ...actual, buildTimeline: jest.fn(actual.buildTimeline) };
});
jest.mock('./metrics/shapeMetrics', () => {
  const actual = jest.requireActual('./metrics/shapeMetrics');
  return { ...actual, shapeMetrics: jest.fn(actual.shapeMetrics) };
});
jest.mock('./diagnosis', () => {
  const actual = jest.requireActual('./diagnosis');
  return { ...actual, diagnose: jest.fn(actual.diagnose) };
});

/**
 * The Incident tab asks for the timeline, the diagnosis and the runbook
 * (which reads the diagnosis again) at once; while their evidence is
 * cached, what is derived from it is built once, and anything that is not
 * cached (a forensics verdict) is still read at every request.
 */
describe('evidence derived from cached answers', () => {
  let sandbox: Sandbox;
  let rootConfig: ConfigReader;

  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0, kubeconfigPath: false });
    rootConfig = new ConfigReader(sandboxConfig(sandbox));
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  function service(options: {
    cacheTtlMs: number;
    runs?: () => ForensicsRun[];
  }) {
    const catalog = { getEntityByRef: async () => checkoutApiEntity } as any;
    const logger = mockServices.rootLogger({ level: 'error' });
    return new DefaultIncidentService({
      catalog,
      config: {
        ...readObservabilityIrConfig(rootConfig),
        cacheTtlMs: options.cacheTtlMs,
      },
      logger,
      clusterAccess: new ClusterAccess({
        config: rootConfig,
        catalog,
        auth: mockServices.auth(),
        logger,
      }),
      forensicsRuns: {
        listForEntity: async () => options.runs?.() ?? [],
      },
      // One moment, so the range is the same for every request.
      now: () => NOW,
    });
  }

  const options = { credentials: mockCredentials.user() };
  const query = { entityRef: 'component:default/checkout-api' };

  it('builds the timeline and the diagnosis once while the evidence is cached, and again without a cache', async () => {
    for (const [cacheTtlMs, built] of [
      [15_000, 1],
      [0, 2],
    ]) {
      jest.mocked(buildTimeline).mockClear();
      jest.mocked(diagnose).mockClear();
      const incidents = service({ cacheTtlMs });

      const first = await incidents.getDiagnosis(query, options);
      await incidents.getTimeline(query, options);
      const second = await incidents.getDiagnosis(query, options);

      expect(second).toEqual(first);
      expect(first.hypotheses[0].id).toBe('memory-limit-too-low');
      expect(diagnose).toHaveBeenCalledTimes(built);
      // The timeline endpoint reads the one the diagnosis built.
      expect(buildTimeline).toHaveBeenCalledTimes(built === 1 ? 1 : 3);
    }
  });

  it('shapes the metrics for a chart once per width while they are cached', async () => {
    jest.mocked(shapeMetrics).mockClear();
    const incidents = service({ cacheTtlMs: 15_000 });

    const first = await incidents.getMetrics({ ...query, width: 600 }, options);
    const again = await incidents.getMetrics({ ...query, width: 600 }, options);
    const wider = await incidents.getMetrics(
      { ...query, width: 1200 },
      options,
    );

    expect(again).toEqual(first);
    expect(first.shape).toBeDefined();
    expect(first.memory.workingSet.length).toBeGreaterThan(0);
    expect(wider.memory.workingSet[0].points.length).toBeGreaterThanOrEqual(
      first.memory.workingSet[0].points.length,
    );
    expect(shapeMetrics).toHaveBeenCalledTimes(2);
  });

  it('weighs a node-forensics verdict that arrives while the evidence is cached', async () => {
    let runs: ForensicsRun[] = [];
    const incidents = service({ cacheTtlMs: 15_000, runs: () => runs });
    const before = await incidents.getDiagnosis(query, options);
    const supportedByForensics = (d: typeof before) =>
      d.hypotheses
        .find(h => h.id === 'memory-limit-too-low')!
        .supporting.filter(s => s.source === 'forensics');
    expect(supportedByForensics(before)).toEqual([]);

    runs = [
      {
        id: 'run-1',
        jobName: 'obsir-forensics-run-1',
        requestedBy: 'user:default/guest',
        entityRef: 'component:default/checkout-api',
        cluster: sandbox.clusters[0].name,
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        container: 'checkout-api',
        status: 'succeeded',
        createdAt: minutesAgo(3),
        updatedAt: minutesAgo(2),
        finishedAt: minutesAgo(2),
        rawOutputTruncated: false,
        verdict: {
          kind: 'oom-before-ready',
          sentence: 'Nothing listens on 8080; the cgroup recorded 46 OOM kills',
          expectedPorts: [8080],
          listeningPorts: [],
        },
      },
    ];
    const after = await incidents.getDiagnosis(query, options);

    expect(supportedByForensics(after)).toEqual([
      expect.objectContaining({
        description: expect.stringContaining('Nothing listens on 8080'),
      }),
    ]);
  });
});
