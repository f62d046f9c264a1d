import { Replica } from '@observability-ir/plugin-observability-ir-common';
import { StoredIncident } from './IncidentStore';
import {
  evaluateVerification,
  mayOpenAgain,
  observedMemoryFix,
} from './verification';

const MiB = 1024 * 1024;
const settings = { windowSeconds: 600, maxWorkingSetShare: 0.9 };

function replica(overrides: Partial<Replica> = {}): Replica {
  return {
    cluster: 'sandbox',
    namespace: 'finance',
    pod: 'checkout-api-v2-aaaaa',
    container: 'checkout-api',
    phase: 'Running',
    ready: true,
    restartCount: 0,
    current: { state: 'running' },
    requests: { memoryBytes: 384 * MiB },
    limits: { memoryBytes: 1024 * MiB },
    memoryWorkingSetBytes: 700 * MiB,
    memoryLimitShare: 700 / 1024,
    ...overrides,
  };
}

const incident: StoredIncident = {
  id: 'i-1',
  entityRef: 'component:default/checkout-api',
  status: 'open',
  hypothesis: 'memory-limit-too-low',
  title: 'Memory limit too low',
  openedAt: '2026-12-02T06:00:00.000Z',
  actions: [],
  baseline: { 'checkout-api': 512 * MiB },
};

const at = (minutes: number) =>
  new Date(Date.parse('2026-12-02T06:10:00.000Z') + minutes * 60_000);

const fix = {
  seenAt: at(0).toISOString(),
  description: 'checkout-api: 512Mi → 1Gi',
  memoryLimits: { 'checkout-api': 1024 * MiB },
};

describe('observedMemoryFix', () => {
  it('sees the fix once every replica runs with the new limit', () => {
    const rolledOut = [replica(), replica({ pod: 'checkout-api-v2-bbbbb' })];
    expect(observedMemoryFix(incident, rolledOut, at(0))).toMatchObject({
      memoryLimits: { 'checkout-api': 1024 * MiB },
      description: 'checkout-api: memory limit 512Mi → 1Gi on 2 replicas',
    });
  });

  it('waits while an old replica still runs with the old limit, or nothing changed', () => {
    const midRollout = [
      replica(),
      replica({
        pod: 'checkout-api-v1-abc',
        limits: { memoryBytes: 512 * MiB },
      }),
    ];
    expect(observedMemoryFix(incident, midRollout, at(0))).toBeUndefined();
    expect(
      observedMemoryFix(
        incident,
        [replica({ limits: { memoryBytes: 512 * MiB } })],
        at(0),
      ),
    ).toBeUndefined();
    expect(observedMemoryFix(incident, [], at(0))).toBeUndefined();
  });
});

describe('evaluateVerification', () => {
  it('runs the window on while every check holds, and passes at its end', () => {
    const first = evaluateVerification({
      fix,
      replicas: [replica()],
      now: at(0),
      settings,
    });
    expect(first.passed).toBe(false);
    expect(first.progress.progress).toBe(0);
    expect(first.progress.checks.every(c => c.passed)).toBe(true);

    const half = evaluateVerification({
      fix,
      previous: first.state,
      replicas: [replica()],
      now: at(5),
      settings,
    });
    expect(half.progress.progress).toBeCloseTo(0.5);
    expect(half.progress.since).toBe(at(0).toISOString());

    const done = evaluateVerification({
      fix,
      previous: half.state,
      replicas: [replica()],
      now: at(10),
      settings,
    });
    expect(done.passed).toBe(true);
    expect(done.progress.passedAt).toBe(at(10).toISOString());
  });

  it('starts over when a replica restarts, saying which', () => {
    const first = evaluateVerification({
      fix,
      replicas: [replica()],
      now: at(0),
      settings,
    });
    const restarted = evaluateVerification({
      fix,
      previous: first.state,
      replicas: [
        replica({
          restartCount: 1,
          lastTermination: { reason: 'OOMKilled', exitCode: 137 },
        }),
      ],
      now: at(8),
      settings,
    });
    expect(restarted.passed).toBe(false);
    expect(restarted.progress.progress).toBe(0);
    expect(restarted.progress.since).toBe(at(8).toISOString());
    expect(restarted.restartedBecause).toBe(
      'checkout-api-v2-aaaaa restarted (0 → 1, OOMKilled)',
    );
    // The next look counts from the new restart count.
    const after = evaluateVerification({
      fix,
      previous: restarted.state,
      replicas: [replica({ restartCount: 1 })],
      now: at(9),
      settings,
    });
    expect(after.restartedBecause).toBeUndefined();
    expect(after.progress.checks.every(c => c.passed)).toBe(true);
  });

  it.each([
    ['a replica is not Ready', { ready: false }, 'Ready'],
    [
      'the working set is near the limit',
      { memoryLimitShare: 0.95, memoryWorkingSetBytes: 973 * MiB },
      'Memory below the limit',
    ],
    [
      'no working set is known',
      { memoryLimitShare: undefined, memoryWorkingSetBytes: undefined },
      'Memory below the limit',
    ],
    [
      'a replica still has the old limit',
      { limits: { memoryBytes: 512 * MiB } },
      'Fix rolled out',
    ],
  ])('holds the window at 0 when %s', (_name, overrides, failing) => {
    const outcome = evaluateVerification({
      fix,
      previous: { since: at(0).toISOString(), restarts: {} },
      replicas: [replica(overrides as Partial<Replica>)],
      now: at(20),
      settings,
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.progress.progress).toBe(0);
    expect(
      outcome.progress.checks.filter(c => !c.passed).map(c => c.name),
    ).toEqual([failing]);
  });

  it('fails when no replica runs', () => {
    const outcome = evaluateVerification({
      fix,
      replicas: [],
      now: at(0),
      settings,
    });
    expect(outcome.progress.checks[0]).toMatchObject({
      name: 'Replicas running',
      passed: false,
    });
  });
});

describe('mayOpenAgain', () => {
  const resolved: StoredIncident = {
    ...incident,
    status: 'resolved',
    closedAt: at(20).toISOString(),
    verified: { memoryLimits: { 'checkout-api': 1024 * MiB } },
  };

  it('does not reopen on the kills from before the fix', () => {
    expect(
      mayOpenAgain({
        resolved,
        replicas: [
          replica({
            lastTermination: {
              reason: 'OOMKilled',
              exitCode: 137,
              finishedAt: at(-5).toISOString(),
            },
          }),
        ],
        rangeStart: at(-40),
      }),
    ).toBe(false);
  });

  it('reopens on a kill after it closed, a limit other than the verified one, or a range after it', () => {
    const killedAfter = replica({
      lastTermination: {
        reason: 'OOMKilled',
        exitCode: 137,
        finishedAt: at(25).toISOString(),
      },
    });
    expect(
      mayOpenAgain({ resolved, replicas: [killedAfter], rangeStart: at(-40) }),
    ).toBe(true);
    expect(
      mayOpenAgain({
        resolved,
        replicas: [replica({ limits: { memoryBytes: 512 * MiB } })],
        rangeStart: at(-40),
      }),
    ).toBe(true);
    expect(
      mayOpenAgain({ resolved, replicas: [replica()], rangeStart: at(21) }),
    ).toBe(true);
  });
});
