import { IncidentAlert } from '@observability-ir/plugin-observability-ir-common';
import {
  labMetrics,
  LIMIT_BYTES,
  oomEvent,
  LAB_START,
} from '../../__testUtils__/fixtures';
import { formatBytes } from '../../format';
import {
  alertBands,
  buildChart,
  byteTicks,
  downsample,
  eventsByRow,
  logsAtMoment,
  markerEvents,
  timeTickCount,
  timeTicks,
} from './chartData';

describe('downsample', () => {
  const sawtooth: Array<[number, number]> = Array.from(
    { length: 5000 },
    (_, i) => [i * 1000, i % 170],
  );

  it('keeps at most the given number of points', () => {
    const out = downsample(sawtooth, 0, 5_000_000, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.length).toBeGreaterThan(400);
  });

  it('keeps the peaks and troughs of each slice', () => {
    const out = downsample(sawtooth, 0, 5_000_000, 500);
    expect(Math.max(...out.map(p => p[1]))).toBe(169);
    expect(Math.min(...out.map(p => p[1]))).toBe(0);
  });

  it('leaves short series alone when building a chart', () => {
    const metrics = labMetrics({}, 60_000);
    const chart = buildChart({
      values: metrics.memory.workingSet,
      limits: metrics.memory.limit,
      requests: metrics.memory.request,
      start: Date.parse(metrics.range.start),
      end: Date.parse(metrics.range.end),
      describe: formatBytes,
    });
    expect(chart.rows).toHaveLength(61);
    expect(chart.lines.map(l => l.label)).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
      'limit 512Mi',
      'request 384Mi',
    ]);
    expect(chart.rows[0].limit).toBe(LIMIT_BYTES);
  });

  it('draws only the pods closest to their limit', () => {
    const metrics = labMetrics({}, 60_000);
    const chart = buildChart({
      values: metrics.memory.workingSet,
      limits: metrics.memory.limit,
      start: Date.parse(metrics.range.start),
      end: Date.parse(metrics.range.end),
      describe: formatBytes,
      maxPods: 1,
    });
    expect(chart.podsShown).toBe(1);
    expect(chart.podsTotal).toBe(2);
  });
});

describe('eventsByRow', () => {
  it('puts each event on the nearest row', () => {
    const rows = [0, 60_000, 120_000].map(t => ({ t: LAB_START + t })) as any;
    const at = eventsByRow(rows, [oomEvent(LAB_START + 100_000)]);
    expect([...at.keys()]).toEqual([LAB_START + 120_000]);
  });
});

describe('timeTicks', () => {
  it('spreads round instants over the whole range', () => {
    const end = Date.parse('2026-11-25T14:00:00Z');
    const start = end - 6 * 3600 * 1000;
    const ticks = timeTicks(start, end);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(10);
    expect(ticks[0] - start).toBeLessThan(3600 * 1000);
    expect(end - ticks[ticks.length - 1]).toBeLessThan(3600 * 1000);
    expect(new Date(ticks[0]).getMinutes()).toBe(0);
  });
});

describe('timeTickCount', () => {
  it('gives a narrow chart fewer ticks, so that their labels never touch', () => {
    // A 400 px chart's plot (304 px) holds five clock labels, two dated ones.
    expect(timeTickCount(304, false)).toBe(5);
    expect(timeTickCount(304, true)).toBe(2);
    // A wide one at most ten.
    expect(timeTickCount(2304, false)).toBe(10);
    expect(timeTickCount(40, false)).toBe(2);
    const end = Date.parse('2026-11-25T14:00:00Z');
    const ticks = timeTicks(end - 3600_000, end, timeTickCount(304, false));
    expect(ticks.length).toBeLessThanOrEqual(5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });
});

describe('byteTicks', () => {
  it('steps in round binary quantities up to above the limit', () => {
    expect(byteTicks(LIMIT_BYTES).map(formatBytes)).toEqual([
      '0',
      '128Mi',
      '256Mi',
      '384Mi',
      '512Mi',
      '640Mi',
    ]);
  });
});

describe('markerEvents', () => {
  const kill = (pod: string, minute: number) => ({
    kind: 'termination' as const,
    time: new Date(minute * 60_000).toISOString(),
    cluster: 'sandbox',
    pod,
    container: 'checkout-api',
    summary: 'OOMKilled',
  });

  it('marks only the containers the chart draws', () => {
    const shown = new Set(['sandbox/checkout-api-v1-abc/checkout-api']);
    const events = [
      kill('checkout-api-v1-abc', 1),
      kill('checkout-api-v1-xyz', 2),
    ];

    expect(markerEvents(events, shown, 0, 3_600_000).map(e => e.pod)).toEqual([
      'checkout-api-v1-abc',
    ]);
  });

  it('keeps at most one marker per kind and slice when there are thousands', () => {
    const pods = Array.from({ length: 8 }, (_, i) => `pod-${i}`);
    const shown = new Set(pods.map(p => `sandbox/${p}/checkout-api`));
    const events = pods.flatMap(p =>
      Array.from({ length: 600 }, (_, m) => kill(p, m / 10)),
    );

    const markers = markerEvents(events, shown, 0, 3_600_000, 120);

    expect(events).toHaveLength(4800);
    expect(markers.length).toBeLessThanOrEqual(120);
    expect(markers.length).toBeGreaterThan(100);
  });
});

describe('buildChart of a shaped answer', () => {
  const metrics = labMetrics();
  const [abc, xyz] = metrics.memory.workingSet;
  const others = {
    ...abc,
    pod: 'others',
    container: undefined,
    aggregate: { of: 'max' as const, containers: 198 },
  };
  const shared = {
    ...metrics.memory.limit[0],
    aggregate: { of: 'same' as const, containers: 200 },
  };

  it('draws the containers in the order sent, the others once, and each bound sent', () => {
    const chart = buildChart({
      // xyz first: the backend found it the more relevant.
      values: [xyz, abc, others],
      limits: [shared],
      start: LAB_START,
      end: LAB_START + 3_600_000,
      describe: formatBytes,
      shaped: true,
    });
    expect(chart.lines.map(l => [l.kind, l.label])).toEqual([
      ['value', 'checkout-api-v1-xyz'],
      ['value', 'checkout-api-v1-abc'],
      ['others', 'others (198, highest)'],
      ['limit', `limit ${formatBytes(LIMIT_BYTES)}`],
    ]);
    expect(chart.podsShown).toBe(2);
    expect(chart.podsTotal).toBe(200);
    // The others are not a pod to open logs of or to focus.
    expect(chart.lines[2].container).toBeUndefined();
    expect(chart.shown).toEqual(
      new Set([
        'sandbox/checkout-api-v1-xyz/checkout-api',
        'sandbox/checkout-api-v1-abc/checkout-api',
      ]),
    );
  });

  it('keeps every point the backend sent, already fitted to the width', () => {
    const long = {
      ...abc,
      points: Array.from({ length: 1600 }, (_, i): [number, number] => [
        LAB_START + i * 2000,
        i % 97,
      ]),
    };
    const chart = buildChart({
      values: [long],
      limits: [],
      start: LAB_START,
      end: LAB_START + 3_200_000,
      describe: formatBytes,
      shaped: true,
    });
    expect(chart.rows).toHaveLength(1600);
  });
});

describe('alertBands', () => {
  const start = Date.parse('2026-11-25T13:00:00Z');
  const end = start + 3600_000;
  const at = (minutes: number) =>
    new Date(start + minutes * 60_000).toISOString();
  const alert = (
    name: string,
    pod: string,
    startsAt: string,
    endsAt?: string,
    state: IncidentAlert['state'] = endsAt ? 'resolved' : 'firing',
  ): IncidentAlert => ({
    name,
    state,
    startsAt,
    ...(endsAt ? { endsAt } : {}),
    cluster: 'sandbox',
    namespace: 'shop',
    pod,
    labels: {},
    origins: ['history'],
  });

  it('merges overlapping intervals of one alert, keeps separate ones apart, clips to the range and leaves pending ones out', () => {
    const bands = alertBands(
      [
        alert('HighErrorRate', 'cart-0', at(-30), at(10)),
        alert('HighErrorRate', 'cart-1', at(5), at(20)),
        alert('HighErrorRate', 'cart-0', at(40)),
        alert('SlowRequests', 'cart-0', at(50), undefined, 'pending'),
        alert('Old', 'cart-0', at(-60), at(-10)),
      ],
      start,
      end,
    );

    expect(bands.map(b => [b.name, b.x1, b.x2, b.open, b.subjects])).toEqual([
      [
        'HighErrorRate',
        start,
        start + 20 * 60_000,
        false,
        ['cart-0', 'cart-1'],
      ],
      ['HighErrorRate', start + 40 * 60_000, end, true, ['cart-0']],
    ]);
  });
});

describe('logsAtMoment', () => {
  const metrics = labMetrics();
  const chart = () =>
    buildChart({
      values: metrics.memory.workingSet,
      limits: metrics.memory.limit,
      start: LAB_START,
      end: LAB_START + 3_600_000,
      describe: formatBytes,
    });

  it('opens the logs before the kill marked at the row clicked', () => {
    const model = chart();
    const kill = oomEvent(LAB_START + 1_500_000, 'checkout-api-v1-xyz');
    const at = eventsByRow(model.rows, [kill]);
    const [row] = [...at.keys()];
    expect(logsAtMoment(model, at, row)).toEqual({
      cluster: 'sandbox',
      pod: 'checkout-api-v1-xyz',
      container: 'checkout-api',
      at: kill.time,
      atLabel: 'OOMKilled',
    });
  });

  it('elsewhere opens the container highest at that moment, or the pod in focus', () => {
    const model = chart();
    const row = model.rows[Math.floor(model.rows.length / 2)];
    const values = model.lines.filter(l => l.kind === 'value');
    const highest = [...values].sort((a, b) => row[b.key] - row[a.key])[0];
    const other = values.find(l => l !== highest)!;

    expect(logsAtMoment(model, new Map(), row.t)).toEqual({
      ...highest.container,
      at: new Date(row.t).toISOString(),
      atLabel: 'the moment clicked',
    });
    expect(
      logsAtMoment(model, new Map(), row.t, other.container!.pod)?.pod,
    ).toBe(other.container!.pod);
  });
});
