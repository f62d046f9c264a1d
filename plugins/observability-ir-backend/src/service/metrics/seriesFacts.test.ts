import {
  CLUSTER,
  CONTAINER,
  evidence,
  MINUTE,
  NOW,
  series,
} from '../../__testUtils__/evidence';
import {
  counterIncrease,
  isSeriesOf,
  valueAtTime,
  withFinitePoints,
} from './seriesFacts';

const END = NOW.getTime();

describe('isSeriesOf', () => {
  const pod = 'checkout-api-v1-abc';

  it('matches the container of the pod in its cluster', () => {
    expect(
      isSeriesOf(series(pod, []), {
        cluster: CLUSTER,
        pod,
        container: CONTAINER,
      }),
    ).toBe(true);
    expect(
      isSeriesOf(series(pod, []), { cluster: 'eu', pod, container: CONTAINER }),
    ).toBe(false);
    expect(
      isSeriesOf(series(pod, []), {
        cluster: CLUSTER,
        pod,
        container: 'istio-proxy',
      }),
    ).toBe(false);
  });

  it('matches every container of the pod when one side names none', () => {
    const podLevel = { cluster: CLUSTER, pod, points: [] };
    expect(
      isSeriesOf(podLevel, { cluster: CLUSTER, pod, container: 'istio-proxy' }),
    ).toBe(true);
    expect(isSeriesOf(series(pod, []), { cluster: CLUSTER, pod })).toBe(true);
  });
});

describe('counterIncrease', () => {
  it('adds up the increases of a restart counter', () => {
    expect(
      counterIncrease([
        [END - 3 * MINUTE, 41],
        [END - 2 * MINUTE, 42],
        [END - MINUTE, 42],
        [END, 45],
      ]),
    ).toBe(4);
  });

  it('counts from zero after a reset (a new pod, a restarted kube-state-metrics)', () => {
    expect(
      counterIncrease([
        [END - 2 * MINUTE, 12],
        [END - MINUTE, 1],
        [END, 2],
      ]),
    ).toBe(2);
  });

  it('is zero for fewer than two points', () => {
    expect(counterIncrease([])).toBe(0);
    expect(counterIncrease([[END, 7]])).toBe(0);
  });
});

describe('valueAtTime', () => {
  const limit = series('checkout-api-v1-abc', [
    [END - 60 * MINUTE, 512],
    [END - 30 * MINUTE, 768],
  ]);

  it('gives the value in force: the last point at or before the moment', () => {
    expect(valueAtTime(limit, END - 45 * MINUTE)).toBe(512);
    expect(valueAtTime(limit, END - 30 * MINUTE)).toBe(768);
    expect(valueAtTime(limit, END)).toBe(768);
  });

  it('gives the first value before the series starts, nothing without points', () => {
    expect(valueAtTime(limit, END - 90 * MINUTE)).toBe(512);
    expect(valueAtTime(series('x', []), END)).toBeUndefined();
    expect(valueAtTime(undefined, END)).toBeUndefined();
  });
});

describe('withFinitePoints', () => {
  it('drops the NaN and ±Inf points Prometheus answers for 0/0, in every series', () => {
    const { metrics } = evidence();
    const pod = 'checkout-api-v1-abc';
    const dirty = {
      ...metrics,
      memory: {
        ...metrics.memory,
        workingSet: [
          series(pod, [
            [END - MINUTE, NaN],
            [END, 300],
          ]),
        ],
      },
      cpu: {
        ...metrics.cpu,
        throttledShare: [
          series(pod, [
            [END - MINUTE, 0.2],
            [END, Infinity],
          ]),
        ],
      },
      ready: [series(pod, [[NaN, 1]])],
    };
    const clean = withFinitePoints(dirty);
    expect(clean.memory.workingSet[0].points).toEqual([[END, 300]]);
    expect(clean.cpu.throttledShare[0].points).toEqual([[END - MINUTE, 0.2]]);
    expect(clean.ready[0].points).toEqual([]);
    expect(dirty.memory.workingSet[0].points).toHaveLength(2);
  });
});
