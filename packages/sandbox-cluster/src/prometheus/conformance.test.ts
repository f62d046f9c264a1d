import { loadScenario } from '../scenario/loader';
import { World } from '../world/world';
import {
  findPrometheusBinaries,
  RealPrometheus,
  startRealPrometheus,
} from '../testing/realPrometheus';
import { metricsStore } from './storage';
import { parsePromQL } from './promql/parse';
import { instantQuery, QueryResult, rangeQuery } from './promql/evaluate';

const maybe = findPrometheusBinaries() ? describe : describe.skip;

// A fixed past moment, so the exported samples land in persisted blocks.
const START = Date.parse('2025-06-02T12:00:00Z');
const HOURS = 3;

const QUERIES = [
  'container_memory_working_set_bytes{namespace="finance"}',
  'container_memory_working_set_bytes{namespace="finance"} offset 10m',
  'rate(container_cpu_usage_seconds_total{namespace="finance"}[5m])',
  'irate(container_cpu_usage_seconds_total[2m])',
  'increase(kube_pod_container_status_restarts_total{namespace="finance"}[1h])',
  'max_over_time(container_memory_working_set_bytes{pod=~"checkout-.*"}[10m])',
  'min_over_time(container_memory_working_set_bytes{pod=~"checkout-.*"}[10m])',
  'avg_over_time(container_memory_working_set_bytes{namespace!="finance"}[10m])',
  'last_over_time(kube_pod_container_status_ready[1m])',
  'changes(kube_pod_container_status_restarts_total[30m])',
  'resets(container_cpu_usage_seconds_total[30m])',
  'deriv(container_memory_working_set_bytes{namespace="finance"}[5m])',
  'sum by (pod) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))',
  'max by (namespace) (container_memory_working_set_bytes) / 1024 / 1024',
  'count without (phase) (kube_pod_status_phase == 1)',
  'avg(container_memory_working_set_bytes)',
  'min without (instance) (container_memory_working_set_bytes)',
  'container_memory_working_set_bytes{namespace="finance"} / on(namespace, pod, container) kube_pod_container_resource_limits{resource="memory"}',
  'sum(increase(kube_pod_container_status_restarts_total[1h])) > 10',
  'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1',
  'clamp_max(rate(container_cpu_cfs_throttled_periods_total[5m]) / rate(container_cpu_cfs_periods_total[5m]), 1)',
  'up == bool 0',
  'kube_node_status_condition{condition="Ready",status="true"}',
  '2 * clamp_min(container_memory_working_set_bytes{namespace="finance"} - 400 * 1024 * 1024, 0)',
  'rate(container_cpu_usage_seconds_total{pod!~"checkout.*"}[5m])',
  'sum without (instance, job) (rate(container_cpu_usage_seconds_total[5m]))',
  'count(up{job="checkout-api"} == 0)',
  '1 - avg by (pod) (kube_pod_container_status_ready)',
  // A postfix modifier binds to the last operand: a - (b offset 10m).
  'container_memory_working_set_bytes - container_memory_working_set_bytes offset 10m',
  'max by (namespace, pod, container) ((kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 1h) or kube_pod_container_status_restarts_total) > 0',
  '2 * rate(container_cpu_usage_seconds_total[5m] offset 10m)',
];

type Series = Map<string, Array<[number, number]>>;

function toSeries(data: QueryResult): Series {
  const out: Series = new Map();
  if (data.resultType === 'matrix') {
    for (const s of data.result)
      out.set(
        JSON.stringify(Object.entries(s.metric).sort()),
        s.values.map(([t, v]) => [t, Number(v)]),
      );
  } else if (data.resultType === 'vector') {
    for (const s of data.result)
      out.set(JSON.stringify(Object.entries(s.metric).sort()), [
        [s.value[0], Number(s.value[1])],
      ]);
  } else {
    out.set('scalar', [[data.result[0], Number(data.result[1])]]);
  }
  return out;
}

function expectSameSeries(query: string, ours: Series, theirs: Series) {
  expect({ query, labels: [...ours.keys()].sort() }).toEqual({
    query,
    labels: [...theirs.keys()].sort(),
  });
  for (const [key, points] of theirs) {
    const mine = ours.get(key)!;
    expect({ query, key, times: mine.map(p => p[0]) }).toEqual({
      query,
      key,
      times: points.map(p => p[0]),
    });
    points.forEach(([, v], i) => {
      const m = mine[i][1];
      const tolerance = Math.max(1e-9, Math.abs(v) * 1e-9);
      if (Number.isNaN(v)) {
        expect(Number.isNaN(m)).toBe(true);
      } else if (Math.abs(m - v) > tolerance) {
        throw new Error(
          `${query} ${key} @${points[i][0]}: sandbox ${m} != prometheus ${v}`,
        );
      }
    });
  }
}

maybe('PromQL conformance with real Prometheus', () => {
  jest.setTimeout(180_000);
  let prometheus: RealPrometheus | undefined;
  let baseUrl: string;
  let world: World;
  let evalStart: number;
  let evalEnd: number;

  beforeAll(async () => {
    world = new World(loadScenario('checkout-oom'), {
      startMs: START,
      speed: 0,
    });
    const cluster = world.defaultCluster;
    prometheus = await startRealPrometheus({
      world,
      fromMs: START - HOURS * 3_600_000,
      toMs: START,
    });
    baseUrl = prometheus.url;
    // Evaluate where no scrape phase coincides with a step, so the closed
    // (2.x) and left-open (3.x) range boundaries select the same samples.
    const phases = new Set(
      metricsStore(cluster)
        .matching([{ name: '__name__', op: '!=', value: '' }])
        .map(s => s.offsetMs),
    );
    const clashes = (candidate: number) =>
      [...phases].some(p => Math.abs(p - candidate) < 2);
    let phase = 500;
    while (clashes(phase)) phase += 7;
    evalStart =
      START - 2 * 3_600_000 - ((START - 2 * 3_600_000) % 15_000) + phase;
    evalEnd = evalStart + 90 * 60_000;
  });

  afterAll(async () => {
    await prometheus?.close();
  });

  async function prometheusQuery(
    endpoint: string,
    params: Record<string, string>,
  ) {
    const response = await fetch(`${baseUrl}/api/v1/${endpoint}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    const body = await response.json();
    if (body.status !== 'success')
      throw new Error(`${params.query}: ${body.error}`);
    return body.data as QueryResult;
  }

  it('has the exported samples loaded', async () => {
    const data = await prometheusQuery('query', {
      query: 'count(up)',
      time: String(evalEnd / 1000),
    });
    expect(data.resultType).toBe('vector');
    expect(Number((data as any).result[0].value[1])).toBeGreaterThan(3);
  });

  it.each(QUERIES)('range query %s matches', async query => {
    const store = metricsStore(world.defaultCluster);
    const ours = rangeQuery(store, parsePromQL(query), {
      startMs: evalStart,
      endMs: evalEnd,
      stepMs: 60_000,
    });
    const theirs = await prometheusQuery('query_range', {
      query,
      start: String(evalStart / 1000),
      end: String(evalEnd / 1000),
      step: '60',
    });
    expect(theirs.resultType).toBe('matrix');
    expect((theirs as any).result.length).toBeGreaterThan(0);
    expectSameSeries(query, toSeries(ours), toSeries(theirs));
  });

  it.each(QUERIES.slice(0, 12))('instant query %s matches', async query => {
    const store = metricsStore(world.defaultCluster);
    const ts = evalEnd - 17 * 60_000;
    const ours = instantQuery(store, parsePromQL(query), ts);
    const theirs = await prometheusQuery('query', {
      query,
      time: String(ts / 1000),
    });
    expect(ours.resultType).toBe(theirs.resultType);
    expectSameSeries(query, toSeries(ours), toSeries(theirs));
  });
});
