import {
  GI,
  HOUR,
  inCluster,
  labOom,
  memoryLeak,
  merged,
  healthyService,
  MI,
  MINUTE,
  NOW,
  replica,
  sample,
  series,
  steady,
} from '../../__testUtils__/evidence';
import { analyseMemory } from './memoryFacts';

const END = NOW.getTime();

describe('analyseMemory', () => {
  it('the lab: runs quick to the 512Mi limit, a peak at 99.5% of it, a restart every 3 minutes', () => {
    const input = labOom();
    const [memory, ...others] = analyseMemory(input.replicas, input.metrics);
    expect(others).toEqual([]);
    expect(memory.name).toBe('checkout-api');
    expect(memory.currentLimit).toBe(512 * MI);
    expect(memory.peak?.limit).toBe(512 * MI);
    expect(memory.peak?.share).toBeCloseTo(0.995, 3);
    expect(memory.runs).toEqual({
      pod: 'checkout-api-v1-xyz',
      restarts: 20,
      everyMs: 3 * MINUTE,
    });
    expect(memory.resolved).toBe(true);
    expect(memory.raise).toBeUndefined();
    const quick = memory.cycles.filter(c => c.shape === 'quick-to-limit');
    expect(quick.length / memory.cycles.length).toBeGreaterThan(0.9);
    const starts = memory.cycles.map(c => c.startMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('does not resolve runs shorter than three scrape steps', () => {
    const input = labOom({ stepMs: 2 * MINUTE });
    const [memory] = analyseMemory(input.replicas, input.metrics);
    expect(memory.runs?.everyMs).toBe(3 * MINUTE);
    expect(memory.resolved).toBe(false);
  });

  it('a leak: a raise of the limit in place from 512Mi to 768Mi, then steady climbs to it', () => {
    const input = memoryLeak();
    const [memory] = analyseMemory(input.replicas, input.metrics);
    expect(memory.raise).toEqual({
      from: 512 * MI,
      to: 768 * MI,
      atMs: END - 2 * HOUR,
    });
    expect(memory.currentLimit).toBe(768 * MI);
    const afterRaise = memory.cycles.filter(c => c.startMs > END - 2 * HOUR);
    expect(afterRaise.length).toBeGreaterThan(0);
    expect(afterRaise.every(c => c.limit === 768 * MI)).toBe(true);
    expect(
      memory.cycles.filter(c => c.shape === 'steady-climb').length,
    ).toBeGreaterThanOrEqual(memory.cycles.length - 2);
  });

  it('without Kubernetes, takes the limit from the newest limit series point', () => {
    const input = labOom();
    const [memory] = analyseMemory([], input.metrics);
    expect(memory.currentLimit).toBe(512 * MI);
    expect(memory.peak?.share).toBeCloseTo(0.995, 3);
  });

  it('sees a raise across pods from the replicas when there is no limit series', () => {
    const from = END - HOUR;
    const input = {
      replicas: [
        replica('checkout-api-v1-abc', {
          limits: { memoryBytes: 512 * MI },
        }),
        replica('checkout-api-v2-def', {
          limits: { memoryBytes: 768 * MI },
        }),
      ],
      metrics: {
        memory: {
          workingSet: [
            series(
              'checkout-api-v1-abc',
              sample(from, END - 30 * MINUTE, MINUTE, steady(400 * MI)),
            ),
            series(
              'checkout-api-v2-def',
              sample(END - 29 * MINUTE, END, MINUTE, steady(420 * MI)),
            ),
          ],
          limit: [],
          request: [],
        },
        restarts: [],
      },
    };
    const [memory] = analyseMemory(input.replicas, input.metrics);
    expect(memory.raise).toEqual({
      from: 512 * MI,
      to: 768 * MI,
      atMs: END - 29 * MINUTE,
    });
    expect(memory.currentLimit).toBe(768 * MI);
    expect(memory.runs).toBeUndefined();
    expect(memory.resolved).toBe(true);
  });

  it('keeps clusters apart and names the cluster when there are several', () => {
    const input = merged(labOom(), inCluster(healthyService(), 'eu-west'));
    const memory = analyseMemory(input.replicas, input.metrics);
    expect(memory.map(m => [m.name, m.currentLimit])).toEqual([
      ['checkout-api in cluster eu-west', GI],
      ['checkout-api in cluster sandbox', 512 * MI],
    ]);
    expect(memory[0].peak?.share).toBeLessThan(0.7);
  });

  it('lists a container without series, and nothing when there is neither', () => {
    const memory = analyseMemory([replica('checkout-api-v1-abc')], {
      memory: { workingSet: [], limit: [], request: [] },
      restarts: [],
    });
    expect(memory).toEqual([
      expect.objectContaining({
        name: 'checkout-api',
        currentLimit: GI,
        cycles: [],
        peak: undefined,
      }),
    ]);
    expect(
      analyseMemory([], {
        memory: { workingSet: [], limit: [], request: [] },
        restarts: [],
      }),
    ).toEqual([]);
  });
});
