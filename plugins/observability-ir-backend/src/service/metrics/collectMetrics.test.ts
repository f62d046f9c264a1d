import type { V1Pod } from '@kubernetes/client-node';
import {
  rangeBetween,
  testConnection,
} from '../../__testUtils__/clusterConnections';
import { answerFromSeries, HeldSeries } from '../../__testUtils__/heldSeries';
import { barePod, deploymentPod } from '../../__testUtils__/kubernetesObjects';
import { fullyMatches, readQuery } from '../../__testUtils__/queries/queryTree';
import {
  emptyAnswer,
  startStubServer,
  StubAnswer,
  StubRequest,
} from '../../__testUtils__/stubServer';
import { UpstreamError } from '../../clients/UpstreamError';
import { ClusterConnection } from '../fanout/ClusterConnections';
import { locatePods } from '../fanout/locatePods';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { collectMetrics } from './collectMetrics';

const MI = 2 ** 20;
const START = '2026-11-25T13:05:00Z';
const END = '2026-11-25T14:05:00Z';
const range = rangeBetween(START, END);

const workload: ResolvedWorkload = {
  entityRef: 'component:default/checkout-api',
  kubernetesId: 'checkout-api',
  labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  namespace: 'finance',
};

const abc = deploymentPod('finance', 'checkout-api', 'abcde');
const xyz = deploymentPod('finance', 'checkout-api', 'fghij');
const payments = deploymentPod('finance', 'payments', 'abcde');

/** Three samples over the range, each `value` plus its index. */
function samples(value: number): Array<[number, number]> {
  return [0, 1, 2].map(i => [
    range.startSeconds + i * range.stepSeconds,
    value + i,
  ]);
}

/** What kube-state-metrics and cAdvisor report for one container. */
function containerSeries(
  pod: V1Pod,
  base: number,
  container = 'checkout-api',
): HeldSeries[] {
  const labels = {
    namespace: pod.metadata!.namespace!,
    pod: pod.metadata!.name!,
    container,
  };
  const held = (
    metric: string,
    value: number,
    extra: Record<string, string> = {},
  ): HeldSeries => ({
    metric,
    labels: { ...labels, ...extra },
    samples: samples(value),
  });
  // Each kind of series has its own magnitude, so a misplaced one shows.
  return [
    held('container_memory_working_set_bytes', base + 400 * MI),
    held('kube_pod_container_resource_limits', base + 512 * MI, {
      resource: 'memory',
    }),
    held('kube_pod_container_resource_requests', base + 384 * MI, {
      resource: 'memory',
    }),
    held('kube_pod_container_resource_limits', base + 1000, {
      resource: 'cpu',
    }),
    held('container_cpu_usage_seconds_total', base + 2000),
    held('container_cpu_cfs_throttled_periods_total', base + 3000),
    held('kube_pod_container_status_restarts_total', base + 4000),
    held('kube_pod_container_status_ready', base + 5000),
    held('kube_pod_container_status_last_terminated_reason', base + 6000, {
      reason: 'OOMKilled',
    }),
  ];
}

describe('collectMetrics', () => {
  let prometheus: Awaited<ReturnType<typeof startStubServer>>;
  /** How each cluster's Prometheus answers; the path starts with the cluster. */
  let answer: (cluster: string, request: StubRequest) => StubAnswer;
  const holding =
    (series: HeldSeries[]) => (_cluster: string, request: StubRequest) =>
      answerFromSeries(series, request);

  beforeAll(async () => {
    prometheus = await startStubServer(request =>
      answer(request.path.split('/')[1], request),
    );
  }, 30_000);
  afterAll(() => prometheus.close());
  beforeEach(() => {
    prometheus.requests.length = 0;
    answer = holding([]);
  });

  function cluster(
    name: string,
    pods: V1Pod[],
    options: { maxSeries?: number; prometheus?: boolean } = {},
  ): ClusterConnection {
    return testConnection({
      name,
      ...(options.prometheus === false
        ? {}
        : { prometheusUrl: `${prometheus.url}/${name}` }),
      maxSeries: options.maxSeries,
      kubernetes: { listPods: async () => pods },
    });
  }

  const locate = (
    connections: ClusterConnection[],
    of: ResolvedWorkload = workload,
  ) => Promise.all(connections.map(c => locatePods(c, of, 20)));

  const sent = () =>
    prometheus.requests.map(r => ({
      cluster: r.path.split('/')[1],
      query: r.params.get('query')!,
    }));

  it('puts each series where the charts read it, in milliseconds, per pod and container', async () => {
    answer = holding([...containerSeries(abc, 0), ...containerSeries(xyz, 10)]);

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc, xyz])]),
      range,
    );

    const t0 = range.startSeconds * 1000;
    const stepMs = range.stepSeconds * 1000;
    const expected = (pod: V1Pod, value: number) => ({
      cluster: 'eu',
      pod: pod.metadata!.name,
      container: 'checkout-api',
      points: [
        [t0, value],
        [t0 + stepMs, value + 1],
        [t0 + 2 * stepMs, value + 2],
      ],
    });
    const both = (value: number) => [
      expected(abc, value),
      expected(xyz, value + 10),
    ];
    expect(collected.memory).toEqual({
      workingSet: both(400 * MI),
      limit: both(512 * MI),
      request: both(384 * MI),
    });
    expect(collected.cpu).toEqual({
      usage: both(2000),
      limit: both(1000),
      throttledShare: both(3000),
    });
    expect(collected.restarts).toEqual(both(4000));
    expect(collected.ready).toEqual(both(5000));
    expect(collected.terminationReasons).toEqual(
      both(6000).map(s => ({ ...s, reason: 'OOMKilled' })),
    );
    expect(collected.sources).toEqual([
      { cluster: 'eu', source: 'prometheus', status: 'ok' },
    ]);
  });

  it('asks about the located pods only, over the range, and lists exactly the queries it ran', async () => {
    answer = holding([
      ...containerSeries(abc, 0),
      ...containerSeries(payments, 0),
      // cAdvisor's pod-level cgroup and pause container: not a container.
      ...containerSeries(abc, 0, '').slice(0, 1),
      ...containerSeries(abc, 0, 'POD').slice(0, 1),
    ]);

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc, xyz])]),
      range,
    );

    expect(prometheus.requests).toHaveLength(9);
    for (const request of prometheus.requests) {
      expect(request.path).toBe('/eu/api/v1/query_range');
      expect(request.params.get('start')).toBe(String(range.startSeconds));
      expect(request.params.get('end')).toBe(String(range.endSeconds));
      expect(request.params.get('step')).toBe(String(range.stepSeconds));
      for (const selector of readQuery(request.params.get('query')!, 'promql')
        .selectors) {
        expect(selector.matchers).toContainEqual({
          name: 'namespace',
          op: '=',
          value: 'finance',
        });
        const pod = selector.matchers.find(m => m.name === 'pod')!;
        expect(fullyMatches(pod.value, abc.metadata!.name!)).toBe(true);
        expect(fullyMatches(pod.value, payments.metadata!.name!)).toBe(false);
      }
    }
    expect(collected.memory.workingSet.map(s => [s.pod, s.container])).toEqual([
      [abc.metadata!.name, 'checkout-api'],
    ]);
    expect(
      collected.queries.map(q => ({ cluster: q.cluster, query: q.query })),
    ).toEqual(expect.arrayContaining(sent()));
    expect(collected.queries).toHaveLength(9);
    expect(new Set(collected.queries.map(q => q.name)).size).toBe(9);
  });

  it("adds the entity's extra Prometheus matchers to every selector", async () => {
    const narrowed: ResolvedWorkload = {
      ...workload,
      prometheusMatchers: '{cluster="eu-1"}',
      extraPrometheusMatchers: [{ name: 'cluster', op: '=', value: 'eu-1' }],
    };

    await collectMetrics(await locate([cluster('eu', [abc])], narrowed), range);

    const selectors = prometheus.requests.flatMap(
      r => readQuery(r.params.get('query')!, 'promql').selectors,
    );
    expect(selectors.length).toBeGreaterThanOrEqual(9);
    for (const selector of selectors) {
      expect(selector.matchers).toContainEqual({
        name: 'cluster',
        op: '=',
        value: 'eu-1',
      });
    }
  });

  it('widens the rate window on long ranges, so a CPU rate still spans several samples', async () => {
    const week = rangeBetween('2026-11-18T14:05:00Z', END);

    await collectMetrics(await locate([cluster('eu', [abc])]), week);
    await collectMetrics(await locate([cluster('eu', [abc])]), range);

    const windows = (step: number) =>
      prometheus.requests
        .filter(r => r.params.get('step') === String(step))
        .flatMap(r => [
          ...r.params.get('query')!.matchAll(/\[(\d+[smhdwy])\]/g),
        ])
        .map(m => m[1]);
    expect(week.stepSeconds).toBe(3600);
    expect(new Set(windows(3600))).toEqual(new Set(['2h']));
    expect(range.stepSeconds).toBe(15);
    expect(new Set(windows(15))).toEqual(new Set(['1m']));
  });

  it('asks once per scope when the pods span namespaces', async () => {
    const shopPod = barePod('shop', 'checkout-api-0');
    answer = holding([
      ...containerSeries(abc, 0),
      ...containerSeries(shopPod, 0),
    ]);
    const everywhere = { ...workload, namespace: undefined };

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc, shopPod])], everywhere),
      range,
    );

    expect(prometheus.requests).toHaveLength(18);
    expect(collected.queries).toHaveLength(18);
    expect(collected.memory.workingSet.map(s => s.pod).sort()).toEqual([
      'checkout-api-0',
      abc.metadata!.name,
    ]);
  });

  it("still reads metrics when Kubernetes is down, by the names a workload named by the kubernetes id gives its pods, and not a sibling Deployment's", async () => {
    const down = testConnection({
      name: 'eu',
      prometheusUrl: `${prometheus.url}/eu`,
      kubernetes: {
        listPods: async () => {
          throw new UpstreamError('kubernetes', 'eu', 'unreachable');
        },
      },
    });
    const replica = deploymentPod('finance', 'checkout-api', 'x2x9q');
    const ordinal = barePod('finance', 'checkout-api-0');
    const sibling = deploymentPod('finance', 'checkout-api-worker', 'x2x9q');
    answer = holding([
      ...containerSeries(replica, 0),
      ...containerSeries(ordinal, 0),
      ...containerSeries(sibling, 0),
      ...containerSeries(payments, 0),
    ]);

    const collected = await collectMetrics(await locate([down]), range);

    expect(collected.memory.workingSet.map(s => s.pod).sort()).toEqual([
      'checkout-api-0',
      replica.metadata!.name,
    ]);
    expect(collected.sources).toEqual([
      { cluster: 'eu', source: 'prometheus', status: 'ok' },
    ]);
  });

  it("keeps the other clusters' series when one Prometheus fails, and says which", async () => {
    answer = (name, request) =>
      name === 'eu'
        ? {
            status: 422,
            body: {
              status: 'error',
              errorType: 'execution',
              error: 'query processing would load too many samples',
            },
          }
        : answerFromSeries(containerSeries(abc, 0), request);

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc]), cluster('us', [abc])]),
      range,
    );

    expect(collected.memory.workingSet.map(s => s.cluster)).toEqual(['us']);
    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'prometheus',
        status: 'error',
        error: expect.stringContaining(
          'Prometheus of cluster eu: answered 422',
        ),
      },
      { cluster: 'us', source: 'prometheus', status: 'ok' },
    ]);
    expect(new Set(collected.queries.map(q => q.cluster))).toEqual(
      new Set(['us']),
    );
  });

  it('says when a cluster has no Prometheus configured', async () => {
    const collected = await collectMetrics(
      await locate([cluster('eu', [abc], { prometheus: false })]),
      range,
    );

    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'prometheus',
        status: 'not-configured',
        error: expect.stringContaining(
          'No prometheus is configured for cluster eu',
        ),
      },
    ]);
    expect(collected.memory.workingSet).toEqual([]);
    expect(prometheus.requests).toEqual([]);
  });

  it('keeps the first series up to the cap and warns once, not once per query', async () => {
    answer = holding([...containerSeries(abc, 0), ...containerSeries(xyz, 10)]);

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc, xyz], { maxSeries: 1 })]),
      range,
    );

    expect(collected.memory.workingSet.map(s => s.pod)).toEqual([
      abc.metadata!.name,
    ]);
    expect(collected.cpu.usage).toHaveLength(1);
    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'prometheus',
        status: 'ok',
        warnings: [
          '2 series answered, only the first 1 are used (observabilityIr.limits.seriesPerQuery)',
        ],
      },
    ]);
  });

  it('answers empty charts, not an error, when Prometheus has no data', async () => {
    answer = (_cluster, request) => emptyAnswer(request);

    const collected = await collectMetrics(
      await locate([cluster('eu', [abc])]),
      range,
    );

    expect(collected).toEqual({
      memory: { workingSet: [], limit: [], request: [] },
      cpu: { usage: [], limit: [], throttledShare: [] },
      restarts: [],
      ready: [],
      terminationReasons: [],
      queries: expect.any(Array),
      sources: [{ cluster: 'eu', source: 'prometheus', status: 'ok' }],
    });
    expect(collected.queries).toHaveLength(9);
  });
});
