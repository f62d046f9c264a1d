import {
  CLUSTER,
  cpuThrottling,
  MINUTE,
  NOW,
  replica,
  series,
} from '../../__testUtils__/evidence';
import { analyseCpu, THROTTLED_SHARE } from './cpuFacts';

const END = NOW.getTime();
const POD = 'checkout-api-v1-abc';

describe('analyseCpu', () => {
  it('a pod wanting 1.6 cores under a 1 core limit: usage at the limit, throttled in 60% of periods', () => {
    const input = cpuThrottling();
    const cpu = analyseCpu(input.replicas, input.metrics.cpu);
    expect(cpu.map(c => c.pod)).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const c of cpu) {
      expect(c.cluster).toBe(CLUSTER);
      expect(c.limit).toBe(1);
      expect(c.meanUsage).toBeCloseTo(0.98, 2);
      expect(c.meanThrottled).toBeCloseTo(0.6, 2);
      expect(c.sustainedThrottled).toBe(1);
    }
  });

  it('counts the samples throttled above 25% of periods, not at it', () => {
    const throttled = [0.1, THROTTLED_SHARE, 0.3, 0.9].map(
      (v, i): [number, number] => [END - (4 - i) * MINUTE, v],
    );
    const [cpu] = analyseCpu([], {
      usage: [],
      limit: [],
      throttledShare: [series(POD, throttled)],
    });
    expect(cpu.sustainedThrottled).toBe(0.5);
    expect(cpu.meanThrottled).toBeCloseTo(0.3875, 6);
    expect(cpu.meanUsage).toBeUndefined();
  });

  it('takes the limit from Kubernetes when Prometheus has no limit series', () => {
    const [cpu] = analyseCpu([replica(POD, { limits: { cpuCores: 2 } })], {
      usage: [series(POD, [[END, 1.2]])],
      limit: [],
      throttledShare: [],
    });
    expect(cpu).toMatchObject({ pod: POD, meanUsage: 1.2, limit: 2 });
    expect(cpu.meanThrottled).toBeUndefined();
  });

  it('prefers the newest point of the limit series to the pod spec', () => {
    const [cpu] = analyseCpu([replica(POD, { limits: { cpuCores: 2 } })], {
      usage: [],
      limit: [
        series(POD, [
          [END - MINUTE, 0.5],
          [END, 1],
        ]),
      ],
      throttledShare: [],
    });
    expect(cpu.limit).toBe(1);
  });
});
