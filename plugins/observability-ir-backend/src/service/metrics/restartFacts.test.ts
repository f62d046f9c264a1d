import {
  appCrash,
  counter,
  HOUR,
  MINUTE,
  NOW,
  replica,
  series,
} from '../../__testUtils__/evidence';
import { analyseRestarts } from './restartFacts';

const END = NOW.getTime();

describe('analyseRestarts', () => {
  it('counts restarts within the range from the restart counters', () => {
    const input = appCrash();
    const restarts = analyseRestarts(input.replicas, input.metrics.restarts);
    expect(restarts.fromRange).toBe(true);
    // Each pod crashed 4 times in the hour; the restart counts are 12 and 11.
    expect(input.replicas.map(r => restarts.of(r))).toEqual([4, 4]);
    expect(restarts.total).toBe(8);
  });

  it('falls back to the restart counts without counters', () => {
    const replicas = [
      replica('checkout-api-v1-abc', { restartCount: 45 }),
      replica('checkout-api-v1-xyz', { restartCount: 42 }),
    ];
    const restarts = analyseRestarts(replicas, []);
    expect(restarts.fromRange).toBe(false);
    expect(restarts.of(replicas[1])).toBe(42);
    expect(restarts.total).toBe(87);
  });

  it('uses the restart count of a container whose pod has no counter', () => {
    const replicas = [
      replica('checkout-api-v1-abc', { restartCount: 9 }),
      replica('checkout-api-v1-new', { restartCount: 1 }),
    ];
    const restarts = analyseRestarts(replicas, [
      series(
        'checkout-api-v1-abc',
        counter(END - HOUR, END, MINUTE, 7, [END - 10 * MINUTE]),
      ),
    ]);
    expect(replicas.map(r => restarts.of(r))).toEqual([1, 1]);
    expect(restarts.total).toBe(2);
  });

  it('without Kubernetes, adds up the counters', () => {
    const input = appCrash();
    const restarts = analyseRestarts([], input.metrics.restarts);
    expect(restarts.total).toBe(8);
  });
});
