import {
  describeWithPrometheus,
  LabPrometheus,
  startLabPrometheus,
} from '../__testUtils__/labPrometheus';
import * as promql from '../queries/promql';
import { PodScope } from '../queries';
import { ResolvedRange, resolveRange } from '../service/fanout/timeRange';
import { MetricSeries } from '@observability-ir/plugin-observability-ir-common';
import {
  CollectedMetrics,
  collectMetrics,
} from '../service/metrics/collectMetrics';
import { LocatedWorkload } from '../service/fanout/locatePods';
import { KubernetesClient } from './KubernetesClient';
import { PrometheusClient } from './PrometheusClient';
import { defaultClientLimits } from '../__testUtils__/fixtures';
import { mockServices } from '@backstage/backend-test-utils';

// Every query builder, run through the client against a real Prometheus
// loaded with the lab scenario's samples, answers what the evidence code
// reads; the sandbox's Prometheus answers the same.

// A fixed past moment, so the exported samples land in persisted blocks.
const START = Date.parse('2025-06-02T12:00:00Z');
const MEMORY_LIMIT = 536870912; // 512Mi
const MEMORY_REQUEST = 402653184; // 384Mi
const PODS = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
const CONTAINER = 'checkout-api';

const SCOPES: Array<[string, PodScope]> = [
  ['pod names', { namespace: 'finance', pods: { names: PODS } }],
  [
    'pods and their Deployment',
    {
      namespace: 'finance',
      pods: {
        owners: [{ kind: 'Deployment', name: 'checkout-api' }],
        names: PODS,
      },
    },
  ],
];

/** A range the evidence endpoints ask about, as collectMetrics asks. */
type Window = {
  name: string;
  range: ResolvedRange;
  /** The rate window collectMetrics derives from the step. */
  rateWindowSeconds: number;
  spanSeconds: number;
  /** Points of each range series: one per step. */
  points: number;
};

function windowOf(name: string, range: ResolvedRange): Window {
  const spanSeconds = range.endSeconds - range.startSeconds;
  return {
    name,
    range,
    rateWindowSeconds: Math.max(60, 2 * range.stepSeconds),
    spanSeconds,
    points: Math.floor(spanSeconds / range.stepSeconds) + 1,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

const WINDOWS: Window[] = [
  // The default: the last hour, 15 s step.
  windowOf('the last hour', resolveRange({}, START)),
  // An explicit range off the step grid, 30 s step. (The pods are about
  // two hours old: a longer range starts before them.)
  windowOf(
    'ninety minutes ending at an odd second',
    resolveRange(
      { start: iso(START - 5_400_000 - 37_000), end: iso(START - 37_000) },
      START,
    ),
  ),
];

type Builder = keyof typeof promql;

/** A range series or instant sample, as `[seconds, value]` points. */
type Answer = {
  metric: Record<string, string>;
  values: Array<[number, number]>;
};

type Check = {
  builder: Builder;
  /** How the backend asks: over the range, or at its end. */
  kind: 'range' | 'instant';
  build: (scope: PodScope) => string;
  /** What the backend relies on, asserted on real Prometheus' answer. */
  expectAnswer: (answer: Answer[]) => void;
};

function byPod(answer: Answer[]) {
  expect(answer.map(s => s.metric.pod).sort()).toEqual(PODS);
  return answer;
}

function allValues(answer: Answer[]) {
  const values = answer.flatMap(s => s.values.map(([, v]) => v));
  expect(values.length).toBeGreaterThan(0);
  return values;
}

function expectContainerSeries(answer: Answer[]) {
  for (const s of byPod(answer)) {
    expect(s.metric).toMatchObject({
      namespace: 'finance',
      container: CONTAINER,
    });
  }
}

// After `sum by (pod, container)` / `max by (pod, container)`.
function expectAggregatedSeries(answer: Answer[]) {
  for (const s of byPod(answer)) {
    expect(s.metric).toEqual({ pod: s.metric.pod, container: CONTAINER });
  }
}

function expectConstant(answer: Answer[], value: number, resource: string) {
  expectContainerSeries(answer);
  for (const s of answer) expect(s.metric.resource).toBe(resource);
  for (const v of allValues(answer)) expect(v).toBe(value);
}

function expectBetween(answer: Answer[], min: number, max: number) {
  for (const v of allValues(answer)) {
    expect(v).toBeGreaterThanOrEqual(min);
    expect(v).toBeLessThanOrEqual(max);
  }
}

function expectWorkingSetRange(answer: Answer[], points: number) {
  expectContainerSeries(answer);
  for (const s of answer) {
    expect(s.values).toHaveLength(points);
    const values = s.values.map(([, v]) => v);
    // The sawtooth climbs to ~99% of the limit and is killed there.
    expect(Math.max(...values)).toBeGreaterThan(0.95 * MEMORY_LIMIT);
    expect(Math.max(...values)).toBeLessThanOrEqual(MEMORY_LIMIT);
    expect(Math.min(...values)).toBeGreaterThan(0);
  }
}

function expectWorkingSetNow(answer: Answer[]) {
  expectContainerSeries(answer);
  expectBetween(answer, 1, MEMORY_LIMIT);
}

function expectRestartCounters(answer: Answer[]) {
  expectContainerSeries(answer);
  for (const s of answer) {
    const values = s.values.map(([, v]) => v);
    expect(values.every(Number.isInteger)).toBe(true);
    expect(values.every((v, i) => i === 0 || v >= values[i - 1])).toBe(true);
    expect(values[values.length - 1]).toBeGreaterThan(values[0]);
  }
}

function expectRestartIncrease(answer: Answer[], hours: number) {
  byPod(answer);
  for (const s of answer) {
    expect(s.metric).toMatchObject({
      namespace: 'finance',
      container: CONTAINER,
    });
    expect(s.metric.__name__).toBeUndefined();
  }
  // A kill every few minutes: well over ten an hour.
  expectBetween(answer, 10 * hours, 60 * hours);
}

function expectOomKilled(answer: Answer[], points: number) {
  const oomKilled = answer.filter(s => s.metric.reason === 'OOMKilled');
  expectContainerSeries(oomKilled);
  // Only the last reason is reported, with value 1, all along the range.
  expect(oomKilled.map(s => s.values.length)).toEqual([points, points]);
  expect(new Set(allValues(answer))).toEqual(new Set([1]));
}

function expectReadiness(answer: Answer[]) {
  expectContainerSeries(answer);
  expect(allValues(answer).every(v => v === 0 || v === 1)).toBe(true);
}

function expectPeakNearLimit(answer: Answer[]) {
  expectAggregatedSeries(answer);
  expectBetween(answer, 0.95 * MEMORY_LIMIT, MEMORY_LIMIT);
}

function checksFor(w: Window): Check[] {
  return [
    {
      builder: 'memoryWorkingSet',
      kind: 'range',
      build: promql.memoryWorkingSet,
      expectAnswer: answer => expectWorkingSetRange(answer, w.points),
    },
    {
      // collectReplicas reads the working set at the range's end.
      builder: 'memoryWorkingSet',
      kind: 'instant',
      build: promql.memoryWorkingSet,
      expectAnswer: expectWorkingSetNow,
    },
    {
      builder: 'memoryLimit',
      kind: 'range',
      build: promql.memoryLimit,
      expectAnswer: answer => expectConstant(answer, MEMORY_LIMIT, 'memory'),
    },
    {
      builder: 'memoryRequest',
      kind: 'range',
      build: promql.memoryRequest,
      expectAnswer: answer => expectConstant(answer, MEMORY_REQUEST, 'memory'),
    },
    {
      builder: 'cpuUsage',
      kind: 'range',
      build: scope => promql.cpuUsage(scope, w.rateWindowSeconds),
      expectAnswer: answer => {
        expectAggregatedSeries(answer);
        expectBetween(answer, 0.05, 0.5);
      },
    },
    {
      builder: 'cpuLimit',
      kind: 'range',
      build: promql.cpuLimit,
      expectAnswer: answer => expectConstant(answer, 1, 'cpu'),
    },
    {
      builder: 'cpuThrottledShare',
      kind: 'range',
      build: scope => promql.cpuThrottledShare(scope, w.rateWindowSeconds),
      expectAnswer: answer => {
        expectAggregatedSeries(answer);
        expectBetween(answer, 0, 1);
      },
    },
    {
      builder: 'restarts',
      kind: 'range',
      build: promql.restarts,
      expectAnswer: expectRestartCounters,
    },
    {
      builder: 'restartIncrease',
      kind: 'instant',
      build: scope => promql.restartIncrease(scope, w.spanSeconds),
      expectAnswer: answer =>
        expectRestartIncrease(answer, w.spanSeconds / 3600),
    },
    {
      builder: 'lastTerminatedReason',
      kind: 'range',
      build: promql.lastTerminatedReason,
      expectAnswer: answer => expectOomKilled(answer, w.points),
    },
    {
      builder: 'ready',
      kind: 'range',
      build: promql.ready,
      expectAnswer: expectReadiness,
    },
    {
      // The diagnosis' peak over the whole range.
      builder: 'peakWorkingSet',
      kind: 'instant',
      build: scope => promql.peakWorkingSet(scope, w.spanSeconds),
      expectAnswer: expectPeakNearLimit,
    },
    {
      builder: 'peakWorkingSet',
      kind: 'range',
      build: scope => promql.peakWorkingSet(scope, 600),
      expectAnswer: expectPeakNearLimit,
    },
  ];
}

function casesOf(checks: Check[]) {
  return checks.flatMap(check =>
    SCOPES.map(([scopeName, scope]) => ({
      name: `${check.builder} (${check.kind}, ${scopeName})`,
      check,
      scope,
    })),
  );
}

// Valid scopes whose values are full of quotes, backslashes, regex
// metacharacters and selector syntax, and match nothing.
const HOSTILE_SCOPES: Array<[string, PodScope]> = [
  [
    'container with quotes and backslashes',
    {
      namespace: 'finance',
      pods: { names: PODS },
      container: 'checkout-api"} or vector(1) or up{job="\\\\',
    },
  ],
  [
    'container ending in a backslash',
    {
      namespace: 'finance',
      pods: { owners: [{ kind: 'Deployment', name: 'checkout-api' }] },
      container: `a\\"b'c\`d\\`,
    },
  ],
  [
    'pod names with regex metacharacters',
    {
      namespace: 'finance',
      pods: { names: ['.*', 'checkout-api-v1-abc|.+', 'a"b\\c', '(?i)X)'] },
    },
  ],
  [
    'workload names with regex metacharacters',
    {
      namespace: 'finance',
      pods: {
        owners: [
          { kind: 'Deployment', name: '.*"}\\' },
          { kind: 'StatefulSet', name: 'checkout-api|.+' },
        ],
      },
    },
  ],
];

const ONE_CHECK_PER_BUILDER = checksFor(WINDOWS[0]).filter(
  (c, i, all) => all.findIndex(o => o.builder === c.builder) === i,
);

const HOSTILE_CASES = HOSTILE_SCOPES.flatMap(([scopeName, scope]) =>
  ONE_CHECK_PER_BUILDER.map(check => ({
    name: `${check.builder} (${scopeName})`,
    query: check.build(scope),
  })),
);

function sameNumber(actual: number, expected: number) {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return (
    Math.abs(actual - expected) <= Math.max(1e-12, Math.abs(expected) * 1e-6)
  );
}

function key(metric: Record<string, string>) {
  return JSON.stringify(
    Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/** Compares two answers: same label sets, timestamps and values (1e-6 relative). */
function expectSameAnswer(query: string, actual: Answer[], expected: Answer[]) {
  const ours = new Map(actual.map(s => [key(s.metric), s.values]));
  expect({ query, series: [...ours.keys()].sort() }).toEqual({
    query,
    series: expected.map(s => key(s.metric)).sort(),
  });
  const differences: string[] = [];
  for (const s of expected) {
    const mine = ours.get(key(s.metric))!;
    expect({
      query,
      series: key(s.metric),
      times: mine.map(([t]) => t),
    }).toEqual({
      query,
      series: key(s.metric),
      times: s.values.map(([t]) => t),
    });
    s.values.forEach(([t, v], i) => {
      if (!sameNumber(mine[i][1], v)) {
        differences.push(
          `${key(s.metric)} @${t}: sandbox ${mine[i][1]}, prometheus ${v}`,
        );
      }
    });
  }
  if (differences.length) {
    throw new Error(
      `${query}: ${differences.length} points differ:\n${differences
        .slice(0, 10)
        .join('\n')}`,
    );
  }
}

/** What collectMetrics found for one scope, as one Kubernetes-less cluster. */
function located(
  prometheus: PrometheusClient,
  scope: PodScope,
): LocatedWorkload[] {
  return [
    {
      connection: {
        name: 'sandbox',
        // collectMetrics only asks Prometheus.
        kubernetes: {} as KubernetesClient,
        prometheus,
        logger: mockServices.logger.mock(),
      },
      pods: [],
      scopes: [scope],
      kubernetes: { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
    },
  ];
}

function seriesLists(
  collected: CollectedMetrics,
): Array<[string, Array<MetricSeries & { reason?: string }>]> {
  return [
    ['working set', collected.memory.workingSet],
    ['memory limit', collected.memory.limit],
    ['memory request', collected.memory.request],
    ['CPU usage', collected.cpu.usage],
    ['CPU limit', collected.cpu.limit],
    ['throttled share', collected.cpu.throttledShare],
    ['restarts', collected.restarts],
    ['ready', collected.ready],
    ['termination reasons', collected.terminationReasons],
  ];
}

function asAnswer(series: Array<MetricSeries & { reason?: string }>): Answer[] {
  return series.map(({ points, ...labels }) => ({
    metric: Object.fromEntries(
      Object.entries(labels).map(([k, v]) => [k, String(v)]),
    ),
    values: points,
  }));
}

describeWithPrometheus('query builders against a real Prometheus', () => {
  jest.setTimeout(120_000);
  let lab: LabPrometheus | undefined;
  let real: PrometheusClient;
  let simulated: PrometheusClient;
  const realAnswers = new Map<string, Answer[]>();

  beforeAll(async () => {
    lab = await startLabPrometheus({
      nowMs: START,
      // Every sample the longest window of the checks can reach.
      fromMs:
        Math.min(
          ...WINDOWS.map(w => w.range.startSeconds - w.spanSeconds - 600),
        ) * 1000,
    });
    const { sandbox, prometheus } = lab;
    const client = (cluster: string, url: string) =>
      new PrometheusClient({
        ...defaultClientLimits('prometheus'),
        cluster,
        source: { url, headers: {} },
        timeoutMs: 30_000,
      });
    real = client('real', prometheus.url);
    simulated = client('sandbox', sandbox.clusters[0].prometheusUrl);
  });

  afterAll(async () => {
    await lab?.close();
  });

  async function ask(
    client: PrometheusClient,
    kind: Check['kind'],
    query: string,
    range: ResolvedRange,
  ): Promise<Answer[]> {
    if (kind === 'range') {
      const { data, warnings } = await client.queryRange(query, range);
      expect(warnings).toEqual([]);
      return data;
    }
    const { data, warnings } = await client.query(query, range.endSeconds);
    expect(warnings).toEqual([]);
    return data.map(s => ({ metric: s.metric, values: [s.value] }));
  }

  async function askReal(
    kind: Check['kind'],
    query: string,
    range: ResolvedRange,
  ) {
    const cacheKey = `${kind} ${query} ${JSON.stringify(range)}`;
    let answer = realAnswers.get(cacheKey);
    if (!answer) {
      answer = await ask(real, kind, query, range);
      realAnswers.set(cacheKey, answer);
    }
    return answer;
  }

  it('checks every PromQL builder over the default range', () => {
    expect(new Set(ONE_CHECK_PER_BUILDER.map(c => c.builder))).toEqual(
      new Set(Object.keys(promql)),
    );
    expect(WINDOWS.map(w => w.range)).toEqual([
      {
        startSeconds: START / 1000 - 3600,
        endSeconds: START / 1000,
        stepSeconds: 15,
      },
      {
        startSeconds: START / 1000 - 5400 - 37,
        endSeconds: START / 1000 - 37,
        stepSeconds: 30,
      },
    ]);
  });

  describe.each(WINDOWS)('over $name', w => {
    const cases = casesOf(checksFor(w));

    it.each(cases)(
      'real Prometheus answers $name as the backend expects',
      async ({ check, scope }) => {
        expect.hasAssertions();
        check.expectAnswer(
          await askReal(check.kind, check.build(scope), w.range),
        );
      },
    );

    it.each(checksFor(w))(
      'real Prometheus answers $builder ($kind) alike for pod names and their Deployment',
      async check => {
        expect.hasAssertions();
        const [[, names], [, owned]] = SCOPES;
        expectSameAnswer(
          check.build(owned),
          await askReal(check.kind, check.build(owned), w.range),
          await askReal(check.kind, check.build(names), w.range),
        );
      },
    );

    it.each(cases)(
      'the sandbox answers $name like real Prometheus',
      async ({ check, scope }) => {
        expect.hasAssertions();
        const query = check.build(scope);
        expectSameAnswer(
          query,
          await ask(simulated, check.kind, query, w.range),
          await askReal(check.kind, query, w.range),
        );
      },
    );
  });

  it.each(SCOPES)(
    'collectMetrics reads real Prometheus into per-pod series, as from the sandbox (%s)',
    async (_, scope) => {
      const { range } = WINDOWS[0];
      const fromReal = await collectMetrics(located(real, scope), range);
      expect(fromReal.sources).toEqual([
        { cluster: 'sandbox', source: 'prometheus', status: 'ok' },
      ]);
      expect(fromReal.queries).toHaveLength(9);
      for (const [name, series] of seriesLists(fromReal)) {
        expect({
          name,
          series: series.map(s => `${s.pod}/${s.container}`).sort(),
        }).toEqual({ name, series: PODS.map(p => `${p}/${CONTAINER}`) });
        for (const s of series) {
          expect(s.points.length).toBeGreaterThan(0);
          // Milliseconds, on the step grid of the range.
          expect(s.points[0][0]).toBe(range.startSeconds * 1000);
        }
      }
      expect(fromReal.terminationReasons.map(s => s.reason)).toEqual([
        'OOMKilled',
        'OOMKilled',
      ]);
      const limits = fromReal.memory.limit.flatMap(s => s.points);
      expect(new Set(limits.map(([, v]) => v))).toEqual(
        new Set([MEMORY_LIMIT]),
      );

      const fromSandbox = await collectMetrics(
        located(simulated, scope),
        range,
      );
      expect(fromSandbox.sources).toEqual(fromReal.sources);
      expect(fromSandbox.queries).toEqual(fromReal.queries);
      const sandboxLists = seriesLists(fromSandbox);
      seriesLists(fromReal).forEach(([name, series], i) => {
        expectSameAnswer(name, asAnswer(sandboxLists[i][1]), asAnswer(series));
      });
    },
  );

  it.each(HOSTILE_CASES)(
    'real Prometheus parses $name and selects nothing',
    async ({ query }) => {
      for (const kind of ['range', 'instant'] as const) {
        const { range } = WINDOWS[0];
        await expect(ask(real, kind, query, range)).resolves.toEqual([]);
        await expect(ask(simulated, kind, query, range)).resolves.toEqual([]);
      }
    },
  );
});
