import { behaviorSchema, ContainerSpec } from '../scenario/schema';
import { ContainerModel } from './containerModel';
import { runLogRecords } from './logs';
import { ContainerTimeline } from './timeline';

/** The lab's JVM: its heap outgrows the 512Mi limit every few minutes. */
function leakingContainer() {
  const spec: ContainerSpec = {
    name: 'checkout-api',
    image: 'registry.example.com/finance/checkout-api:1.8.2',
    ports: [{ name: 'http', containerPort: 8080 }],
    resources: { limits: { memory: '512Mi' } },
    behavior: behaviorSchema.parse({
      type: 'memory-leak',
      baselineMemory: '180Mi',
      demandMemory: '700Mi',
      rampSeconds: 120,
      startupSeconds: 20,
      restartDelaySeconds: 20,
      logs: { intervalSeconds: 10 },
    }),
  };
  const model = new ContainerModel(spec, spec.behavior, 'seed');
  const startMs = Date.parse('2026-12-03T00:00:00Z');
  const timeline = new ContainerTimeline(model, {
    restartsAtStart: 40,
    scenarioStartMs: startMs,
  });
  return { model, timeline, startMs };
}

describe('runLogRecords', () => {
  it('gives the records of an ended run read in parts as read whole, however often it is read', () => {
    const { model, timeline, startMs } = leakingContainer();
    const run = timeline
      .runsBetween(startMs - 3_600_000, startMs)
      .find(r => r.endMs !== undefined)!;
    const seed = 'pod-uid/checkout-api';
    const whole = runLogRecords(model, run, seed, run.startMs, run.endMs!);
    const middle = Math.round((run.startMs + run.endMs!) / 2);

    const parts = [
      ...runLogRecords(model, run, seed, run.startMs, middle),
      ...runLogRecords(model, run, seed, middle + 1, run.endMs!),
    ];

    expect(whole.length).toBeGreaterThan(5);
    expect(parts).toEqual(whole);
    expect(runLogRecords(model, run, seed, run.startMs, run.endMs!)).toEqual(
      whole,
    );
    expect(whole.map(r => r.ms)).toEqual([...whole.map(r => r.ms)].sort());
    // What the JVM wrote before the kernel killed it is in the run's end.
    expect(whole.flatMap(r => r.lines).join('\n')).toContain(
      'java.lang.OutOfMemoryError',
    );
  });

  it('gives another pod of the same container its own records', () => {
    const { model, timeline, startMs } = leakingContainer();
    const run = timeline
      .runsBetween(startMs - 3_600_000, startMs)
      .find(r => r.endMs !== undefined)!;
    const read = (seed: string) =>
      runLogRecords(model, run, seed, run.startMs, run.endMs!).map(r => r.ms);

    expect(read('pod-a/checkout-api')).not.toEqual(read('pod-b/checkout-api'));
  });
});
