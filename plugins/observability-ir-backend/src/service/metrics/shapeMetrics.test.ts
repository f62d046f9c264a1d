import {
  MetricSeries,
  MetricsResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { downsampleExtremes, shapeMetrics } from './shapeMetrics';

const MI = 1024 * 1024;
const START = Date.parse('2026-11-25T08:00:00Z');
const STEP = 15_000;

/**
 * A working set climbing from 100Mi to a peak that differs per cycle, then
 * killed (back to 100Mi), every `cycle` samples; the kills' times and the
 * peaks before them.
 */
function sawtooth(samples: number, cycle: number, offset = 0) {
  const points: Array<[number, number]> = [];
  const kills: Array<{ at: number; peak: number }> = [];
  for (let i = 0; i < samples; i++) {
    const phase = (i + offset) % cycle;
    const n = Math.floor((i + offset) / cycle);
    // Each peak a little different, so a test can tell them apart.
    const top = 400 * MI + ((n * 7919) % 100) * 1024;
    const value = 100 * MI + ((top - 100 * MI) * phase) / (cycle - 1);
    points.push([START + i * STEP, value]);
    if (phase === cycle - 1 && i + 1 < samples) {
      kills.push({ at: START + (i + 1) * STEP, peak: value });
    }
  }
  return { points, kills };
}

describe('downsampleExtremes', () => {
  it('keeps the peak before every OOM kill of a day of 15 s samples', () => {
    // 24 h: 5,760 samples, a kill every 7 minutes (28 samples): 205 kills.
    const { points, kills } = sawtooth(5760, 28);
    const end = START + 24 * 3600 * 1000;
    const width = 600;
    const out = downsampleExtremes(points, START, end, width);

    expect(out.length).toBeLessThanOrEqual(width);
    expect(kills.length).toBeGreaterThan(200);
    const slice = (end - START) / (width / 2);
    for (const kill of kills) {
      // The peak's value, drawn at most one slice before the kill.
      const drawn = out.filter(
        ([t, v]) => v === kill.peak && t >= kill.at - 2 * slice && t <= kill.at,
      );
      expect(drawn.length).toBeGreaterThan(0);
    }
    // The troughs after the kills survive as well.
    expect(Math.min(...out.map(p => p[1]))).toBe(100 * MI);
    // Every value drawn is one that was scraped.
    const scraped = new Set(points.map(p => p[1]));
    expect(out.every(([, v]) => scraped.has(v))).toBe(true);
  });

  it('puts series reduced over the same range on the same instants', () => {
    const end = START + 6 * 3600 * 1000;
    const a = downsampleExtremes(sawtooth(1440, 28).points, START, end, 200);
    const b = downsampleExtremes(sawtooth(1440, 31, 5).points, START, end, 200);
    expect(a.map(p => p[0])).toEqual(b.map(p => p[0]));
  });

  it('keeps the order of a fall within a slice (high before low)', () => {
    const out = downsampleExtremes(
      [
        [0, 5],
        [1, 9],
        [2, 1],
        [3, 4],
      ],
      0,
      4,
      2,
    );
    expect(out.map(p => p[1])).toEqual([9, 1]);
  });
});

function series(
  pod: string,
  points: Array<[number, number]>,
  container = 'app',
): MetricSeries {
  return { cluster: 'sandbox', pod, container, points };
}

const flat = (value: number, samples: number): Array<[number, number]> =>
  Array.from({ length: samples }, (_, i) => [START + i * STEP, value]);

/** 200 replicas over an hour; replica 117 alone is near its memory limit. */
function manyReplicas(samples = 241): MetricsResponse {
  const pods = Array.from(
    { length: 200 },
    (_, i) => `checkout-api-${String(i).padStart(3, '0')}`,
  );
  const memory = (i: number) =>
    flat(i === 117 ? 500 * MI : 200 * MI + i * MI, samples) as Array<
      [number, number]
    >;
  return {
    entityRef: 'component:default/checkout-api',
    range: {
      start: new Date(START).toISOString(),
      end: new Date(START + (samples - 1) * STEP).toISOString(),
      stepSeconds: 15,
    },
    memory: {
      workingSet: pods.map((p, i) => series(p, memory(i))),
      limit: pods.map(p => series(p, flat(512 * MI, samples))),
      request: pods.map(p => series(p, flat(384 * MI, samples))),
    },
    cpu: {
      usage: pods.map(p => series(p, flat(0.2, samples))),
      limit: pods.map((p, i) => series(p, flat(i < 100 ? 1 : 2, samples))),
      throttledShare: pods.map(p => series(p, flat(0, samples))),
    },
    restarts: pods.map((p, i) =>
      series(
        p,
        flat(3, samples).map(([t], j) => [
          t,
          // Replica 42 restarts twice within the hour.
          i === 42 ? 3 + (j > 100 ? 1 : 0) + (j > 200 ? 1 : 0) : 3,
        ]),
      ),
    ),
    ready: pods.map(p => series(p, flat(1, samples))),
    queries: [],
    sources: [{ cluster: 'sandbox', source: 'prometheus', status: 'ok' }],
  };
}

describe('shapeMetrics', () => {
  it('sends the most relevant replicas, the others as one series, each limit once', () => {
    const full = manyReplicas();
    const before = JSON.stringify(full);
    const shaped = shapeMetrics(full, { width: 1200 });

    // The one that restarted first, then the one near its limit.
    expect(shaped.shape?.containersTotal).toBe(200);
    expect(shaped.shape?.shown).toHaveLength(8);
    expect(shaped.shape?.shown.slice(0, 2).map(c => c.pod)).toEqual([
      'checkout-api-042',
      'checkout-api-117',
    ]);
    const workingSet = shaped.memory.workingSet;
    expect(workingSet).toHaveLength(9);
    const others = workingSet[8];
    expect(others.pod).toBe('others');
    expect(others.aggregate).toEqual({ of: 'max', containers: 192 });
    // The highest of the replicas not drawn on their own.
    const drawn = new Set(shaped.shape!.shown.map(c => c.pod));
    const highestOther = Math.max(
      ...full.memory.workingSet
        .filter(s => !drawn.has(s.pod))
        .map(s => s.points[0][1]),
    );
    expect(others.points[0][1]).toBe(highestOther);

    // One memory limit and request for all; the CPU limit's two values.
    expect(shaped.memory.limit).toHaveLength(1);
    expect(shaped.memory.limit[0].aggregate).toEqual({
      of: 'same',
      containers: 200,
    });
    expect(shaped.memory.request).toHaveLength(1);
    expect(
      shaped.cpu.limit.map(s => [s.points[0][1], s.aggregate?.containers]),
    ).toEqual([
      [1, 100],
      [2, 100],
    ]);
    // The others' restarts add up.
    expect(shaped.restarts[8].points[0][1]).toBe(192 * 3);
    expect(shaped.ready[8].aggregate?.of).toBe('mean');

    // Short enough not to be downsampled; far smaller than the full answer.
    expect(shaped.shape?.downsampled).toBe(false);
    expect(workingSet[0].points).toHaveLength(241);
    expect(JSON.stringify(shaped).length).toBeLessThan(before.length / 10);
    // The full answer, which the diagnosis reads, is left as it was.
    expect(JSON.stringify(full)).toBe(before);
  });

  it('adds the pod asked for to those drawn', () => {
    const shaped = shapeMetrics(manyReplicas(), {
      width: 1200,
      pod: 'checkout-api-003',
    });
    expect(shaped.shape?.shown).toHaveLength(9);
    expect(shaped.shape?.shown[8].pod).toBe('checkout-api-003');
    expect(
      shaped.memory.workingSet.find(s => s.pod === 'checkout-api-003')?.points,
    ).toHaveLength(241);
    expect(shaped.memory.workingSet[9].aggregate?.containers).toBe(191);
  });

  it('downsamples every series to the width, on one grid, peaks kept', () => {
    // A day at 15 s.
    const full = manyReplicas(5761);
    const { points, kills } = sawtooth(5761, 28);
    full.memory.workingSet[117].points = points;
    const shaped = shapeMetrics(full, { width: 400 });

    expect(shaped.shape?.downsampled).toBe(true);
    const all = [
      ...shaped.memory.workingSet,
      ...shaped.memory.limit,
      ...shaped.cpu.usage,
      ...shaped.cpu.limit,
      ...shaped.restarts,
      ...shaped.ready,
    ];
    for (const s of all) expect(s.points.length).toBeLessThanOrEqual(400);
    const top = shaped.memory.workingSet.find(
      s => s.pod === 'checkout-api-117',
    )!;
    const values = new Set(top.points.map(p => p[1]));
    for (const kill of kills) expect(values.has(kill.peak)).toBe(true);
    // Every line on the same instants.
    expect(shaped.memory.limit[0].points.map(p => p[0])).toEqual(
      top.points.map(p => p[0]),
    );
  });

  it('sends the few containers of a small workload as they are', () => {
    const full = manyReplicas();
    for (const list of [
      full.memory.workingSet,
      full.memory.limit,
      full.memory.request,
      full.cpu.usage,
      full.cpu.limit,
      full.cpu.throttledShare,
      full.restarts,
      full.ready,
    ]) {
      list.splice(2);
    }
    const shaped = shapeMetrics(full, { width: 800 });
    expect(shaped.memory.workingSet.map(s => s.pod)).toEqual([
      'checkout-api-001',
      'checkout-api-000',
    ]);
    expect(shaped.memory.workingSet.some(s => s.aggregate)).toBe(false);
  });
});
