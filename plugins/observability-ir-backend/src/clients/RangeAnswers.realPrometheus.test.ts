import { defaultClientLimits } from '../__testUtils__/fixtures';
import {
  describeWithPrometheus,
  LabPrometheus,
  startLabPrometheus,
} from '../__testUtils__/labPrometheus';
import { resolveRange } from '../service/fanout/timeRange';
import { PrometheusClient, PrometheusMatrixSeries } from './PrometheusClient';
import {
  FRESH_SECONDS,
  GridRange,
  MAX_KEPT_POINTS,
  RangeAnswers,
} from './RangeAnswers';

// A range answer completed from a kept one equals what a real Prometheus
// answers for the whole window.

// A fixed past moment, so the exported samples land in persisted blocks.
const START = Date.parse('2025-06-02T12:00:00Z');
// The last hour before 20 minutes before START, as the tab asks (15 s step).
const FIRST = resolveRange({}, START - 20 * 60_000);
const STEP = FIRST.stepSeconds;
const moved = (range: GridRange, seconds: number): GridRange => ({
  ...range,
  startSeconds: range.startSeconds + seconds,
  endSeconds: range.endSeconds + seconds,
});

const QUERIES = [
  'container_memory_working_set_bytes{namespace="finance",container!=""}',
  'sum by (pod, container) (rate(container_cpu_usage_seconds_total{namespace="finance",container!=""}[1m]))',
  'kube_pod_container_status_restarts_total{namespace="finance"}',
];

const sorted = (series: PrometheusMatrixSeries[]) =>
  [...series].sort((a, b) =>
    JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1,
  );

describeWithPrometheus(
  'range answers reused as the window moves on, on a real Prometheus',
  () => {
    jest.setTimeout(120_000);
    let lab: LabPrometheus | undefined;

    beforeAll(async () => {
      lab = await startLabPrometheus({
        nowMs: START,
        fromMs: (FIRST.startSeconds - 3600) * 1000,
      });
    }, 120_000);

    afterAll(async () => {
      await lab?.close();
    });

    function client(rangeAnswers?: RangeAnswers, url = lab!.prometheus.url) {
      return new PrometheusClient({
        ...defaultClientLimits('prometheus'),
        cluster: 'real',
        source: { url, headers: {} },
        timeoutMs: 30_000,
        ...(rangeAnswers ? { rangeAnswers } : {}),
      });
    }

    it('asks only for the new end of a window that moved on, and answers what Prometheus answers for the whole window', async () => {
      // Read long after the window: every point had settled.
      const answers = new RangeAnswers(() => START / 1000);
      const plans = jest.spyOn(answers, 'plan');
      const reusing = client(answers);
      const whole = client();
      const later = moved(FIRST, 4 * STEP);
      for (const query of QUERIES) {
        plans.mockClear();
        await reusing.queryRange(query, FIRST);
        expect(plans.mock.results[0].value.ask).toEqual(FIRST);

        const { data, warnings } = await reusing.queryRange(query, later);
        expect(warnings).toEqual([]);
        // Four new steps asked, not the 241 of the window.
        expect(plans.mock.results[1].value.ask).toEqual({
          startSeconds: FIRST.endSeconds + STEP,
          endSeconds: later.endSeconds,
          stepSeconds: STEP,
        });
        const expected = (await whole.queryRange(query, later)).data;
        expect(expected.length).toBeGreaterThan(0);
        expect(sorted(data)).toEqual(sorted(expected));
      }
    });

    it('asks again for the points that were fresh when read', async () => {
      // Read 30 s after the window's end, asked again a minute later.
      let now = FIRST.endSeconds + 30;
      const answers = new RangeAnswers(() => now);
      const plans = jest.spyOn(answers, 'plan');
      const reusing = client(answers);
      const query = QUERIES[0];
      await reusing.queryRange(query, FIRST);
      now += 60;
      const later = moved(FIRST, 4 * STEP);
      const { data } = await reusing.queryRange(query, later);

      const asked = plans.mock.results[1].value.ask as GridRange;
      // Nothing read less than FRESH_SECONDS before the first answer reused.
      expect(asked.startSeconds).toBeLessThanOrEqual(
        FIRST.endSeconds + 30 - FRESH_SECONDS + STEP,
      );
      expect(asked.startSeconds).toBeGreaterThan(FIRST.startSeconds);
      expect(asked.endSeconds).toBe(later.endSeconds);
      expect(sorted(data)).toEqual(
        sorted((await client().queryRange(query, later)).data),
      );
    });

    it('asks for the whole of a window off the kept grid, or of a query not asked before', async () => {
      const answers = new RangeAnswers(() => START / 1000);
      const plans = jest.spyOn(answers, 'plan');
      const reusing = client(answers);
      await reusing.queryRange(QUERIES[0], FIRST);
      const offGrid = moved(FIRST, 7);
      await reusing.queryRange(QUERIES[0], offGrid);
      expect(plans.mock.results[1].value.ask).toEqual(offGrid);
      await reusing.queryRange(QUERIES[1], moved(FIRST, STEP));
      expect(plans.mock.results[2].value.ask).toEqual(moved(FIRST, STEP));
    });

    it('keeps no answer whose series were cut at the limit', async () => {
      const answers = new RangeAnswers(() => START / 1000);
      const plans = jest.spyOn(answers, 'plan');
      const capped = new PrometheusClient({
        ...defaultClientLimits('prometheus'),
        maxSeries: 1,
        cluster: 'real',
        source: { url: lab!.prometheus.url, headers: {} },
        timeoutMs: 30_000,
        rangeAnswers: answers,
      });
      const first = await capped.queryRange(QUERIES[0], FIRST);
      expect(first.warnings.join()).toMatch(/only the first 1 are used/);
      await capped.queryRange(QUERIES[0], moved(FIRST, STEP));
      expect(plans.mock.results[1].value.ask).toEqual(moved(FIRST, STEP));
      expect(answers.keptPoints).toBe(0);
    });

    it('fails when the new end cannot be read, rather than answering with the old points', async () => {
      const answers = new RangeAnswers(() => START / 1000);
      await client(answers).queryRange(QUERIES[0], FIRST);
      // The same Prometheus, no longer reachable.
      const gone = client(answers, 'http://127.0.0.1:9');
      await expect(
        gone.queryRange(QUERIES[0], moved(FIRST, STEP)),
      ).rejects.toThrow(/prometheus/i);
    });
  },
);

describe('RangeAnswers', () => {
  const range = (start: number): GridRange => ({
    startSeconds: start,
    endSeconds: start + 3600,
    stepSeconds: 15,
  });
  const answer = (points: number, pod = 'a') => [
    {
      metric: { pod },
      values: Array.from(
        { length: points },
        (_, i) => [i * 15, i] as [number, number],
      ),
    },
  ];

  it(`keeps at most ${MAX_KEPT_POINTS} points, forgetting the least recently used first`, () => {
    const answers = new RangeAnswers(() => 10_000);
    const third = Math.floor(MAX_KEPT_POINTS / 3) + 1;
    answers.keep('q1', range(0), answer(third));
    answers.keep('q2', range(0), answer(third));
    // q1 used again: q2 is now the least recently used.
    expect(answers.plan('q1', range(15)).ask).not.toEqual(range(15));
    answers.keep('q3', range(0), answer(third));
    expect(answers.keptPoints).toBeLessThanOrEqual(MAX_KEPT_POINTS);
    expect(answers.plan('q2', range(15)).ask).toEqual(range(15));
    expect(answers.plan('q1', range(15)).ask).not.toEqual(range(15));
    expect(answers.plan('q3', range(15)).ask).not.toEqual(range(15));
  });

  it('keeps the points of a series that ended and adds one that began, in Prometheus order', () => {
    const answers = new RangeAnswers(() => 100_000);
    answers.keep('q', range(0), [
      {
        metric: { pod: 'old' },
        values: [
          [0, 1],
          [15, 2],
        ],
      },
      {
        metric: { pod: 'stays' },
        values: [
          [0, 5],
          [3600, 6],
        ],
      },
    ]);
    const plan = answers.plan('q', range(15));
    expect(plan.ask).toEqual({
      startSeconds: 3615,
      endSeconds: 3615,
      stepSeconds: 15,
    });
    expect(
      plan.complete([
        { metric: { pod: 'new' }, values: [[3615, 9]] },
        { metric: { pod: 'stays' }, values: [[3615, 7]] },
      ]),
    ).toEqual([
      { metric: { pod: 'new' }, values: [[3615, 9]] },
      { metric: { pod: 'old' }, values: [[15, 2]] },
      {
        metric: { pod: 'stays' },
        values: [
          [3600, 6],
          [3615, 7],
        ],
      },
    ]);
  });
});
