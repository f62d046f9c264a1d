import {
  MetricSeries,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import {
  CLUSTER,
  CONTAINER,
  counter,
  MI,
  NOW,
  replica,
  sample,
  series,
} from '../../__testUtils__/evidence';
import { errorSignature } from '../logs/errorSignature';
import { ErrorLogEntry, toErrorLogEntry } from '../logs/groupErrorLines';
import { CollectedMetrics } from '../metrics/collectMetrics';
import { buildTimeline } from './buildTimeline';

const STEP_SECONDS = 15;
const STEP = STEP_SECONDS * 1000;
const END = NOW.getTime();
const FROM = END - 10 * 60_000;
const LIMIT = 512 * MI;
const ABC = 'checkout-api-v1-abc';
const XYZ = 'checkout-api-v1-xyz';

/** Collected metrics with only the given series. */
function metrics(parts: Partial<CollectedMetrics> = {}): CollectedMetrics {
  return {
    memory: { workingSet: [], limit: [], request: [] },
    cpu: { usage: [], limit: [], throttledShare: [] },
    restarts: [],
    ready: [],
    terminationReasons: [],
    queries: [],
    sources: [],
    ...parts,
  };
}

/** A restart counter over the range that rises at each of `kills`. */
const restartsOf = (pod: string, kills: number[]) =>
  series(pod, counter(FROM, END, STEP, 10, kills));

/** A working set at `share` of the limit, every step over the range. */
const workingSetAt = (pod: string, share: (ms: number) => number) =>
  series(
    pod,
    sample(FROM, END, STEP, ms => Math.round(share(ms) * LIMIT)),
  );

const limitOf = (pod: string) =>
  series(
    pod,
    sample(FROM, END, STEP, () => LIMIT),
  );

function reasonSeries(
  pod: string,
  reason: string,
  fromMs: number,
): MetricSeries & { reason: string } {
  return {
    ...series(
      pod,
      sample(FROM, END, STEP, ms => (ms >= fromMs ? 1 : 0)),
    ),
    reason,
  };
}

function oomLine(pod: string, ms: number, cluster = CLUSTER): ErrorLogEntry {
  return toErrorLogEntry(
    { timeMs: ms, cluster, pod, container: CONTAINER },
    `${new Date(
      ms,
    ).toISOString()} ERROR 1 --- [ main] c.e.Catalog : java.lang.OutOfMemoryError: Java heap space`,
  );
}

function poolLine(pod: string, ms: number): ErrorLogEntry {
  return toErrorLogEntry(
    { timeMs: ms, cluster: CLUSTER, pod, container: CONTAINER },
    `${new Date(
      ms,
    ).toISOString()} ERROR 1 --- [ main] c.e.Db : HikariPool-1 - Connection is not available, request timed out after 30000ms`,
  );
}

const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

describe('buildTimeline', () => {
  // On a sample, four minutes into the range.
  const KILL = FROM + 16 * STEP;

  it('places an OOM kill where the restart counter rose, with the memory and error lines before it', () => {
    const timeline = buildTimeline({
      metrics: metrics({
        restarts: [restartsOf(ABC, [KILL])],
        memory: {
          workingSet: [
            workingSetAt(ABC, ms =>
              ms < KILL ? 0.5 + (ms - FROM) / 500_000 : 0.3,
            ),
          ],
          limit: [limitOf(ABC)],
          request: [],
        },
        terminationReasons: [reasonSeries(ABC, 'OOMKilled', KILL)],
      }),
      logEntries: [
        oomLine(ABC, KILL - 20_000),
        oomLine(ABC, KILL - 10_000),
        oomLine(ABC, KILL - 5_000),
        // Too early, another pod, and after: none of them lead to this kill.
        oomLine(ABC, KILL - 120_000),
        oomLine(XYZ, KILL - 4_000),
        oomLine(ABC, KILL + 10_000),
      ],
      replicas: [replica(ABC)],
      stepSeconds: STEP_SECONDS,
    });

    const [termination] = timeline.events.filter(e => e.kind === 'termination');
    const peak = Math.round((0.5 + (KILL - STEP - FROM) / 500_000) * LIMIT);
    expect(termination).toEqual({
      kind: 'termination',
      time: new Date(KILL).toISOString(),
      cluster: CLUSTER,
      pod: ABC,
      container: CONTAINER,
      reason: 'OOMKilled',
      workingSetBytesBefore: peak,
      memoryLimitBytes: LIMIT,
      errorLinesBefore: 3,
      summary: `OOMKilled at ${hhmmss(KILL)}; working set ${Math.round(
        (peak / LIMIT) * 100,
      )}% of 512Mi in the minute before; 3 error lines in the 30 s before`,
    });
    expect(peak / LIMIT).toBeGreaterThan(0.9);
    expect(timeline.correlation).toMatchObject({
      terminations: 1,
      withErrorsBefore: 1,
      withMemoryNearLimit: 1,
      strength: 'strong',
    });
  });

  it("takes Kubernetes' exact finish time, reason and exit code when they fall within the step", () => {
    const finishedAt = KILL - 7_000;
    const timeline = buildTimeline({
      metrics: metrics({ restarts: [restartsOf(XYZ, [KILL])] }),
      logEntries: [],
      replicas: [
        replica(XYZ, {
          lastTermination: {
            reason: 'Error',
            exitCode: 1,
            finishedAt: new Date(finishedAt).toISOString(),
          },
        }),
      ],
      stepSeconds: STEP_SECONDS,
    });

    expect(timeline.events).toEqual([
      expect.objectContaining({
        kind: 'termination',
        time: new Date(finishedAt).toISOString(),
        reason: 'Error',
        exitCode: 1,
        summary: `Error at ${hhmmss(
          finishedAt,
        )}; 0 error lines in the 30 s before`,
      }),
    ]);
  });

  it("does not lend the last termination's reason to an earlier one", () => {
    const earlier = FROM + 4 * STEP;
    const timeline = buildTimeline({
      metrics: metrics({ restarts: [restartsOf(XYZ, [earlier, KILL])] }),
      logEntries: [],
      replicas: [
        replica(XYZ, {
          lastTermination: {
            reason: 'Error',
            exitCode: 1,
            finishedAt: new Date(KILL - 3_000).toISOString(),
          },
        }),
      ],
      stepSeconds: STEP_SECONDS,
    });

    expect(
      timeline.events.map(e => [e.time, e.reason, e.exitCode, e.summary]),
    ).toEqual([
      [
        new Date(earlier).toISOString(),
        undefined,
        undefined,
        `Terminated at ${hhmmss(earlier)}; 0 error lines in the 30 s before`,
      ],
      [new Date(KILL - 3_000).toISOString(), 'Error', 1, expect.any(String)],
    ]);
  });

  it('marks a run of error lines close together as a burst, named by its most common error', () => {
    const at = FROM + 60_000;
    const pool = errorSignature(poolLine(ABC, at).line).signature;
    const timeline = buildTimeline({
      metrics: metrics(),
      logEntries: [
        // Each within 30 s of the one before: one burst of four.
        poolLine(ABC, at),
        oomLine(ABC, at + 20_000),
        poolLine(ABC, at + 45_000),
        poolLine(ABC, at + 70_000),
        // 31 s later: a new run, too short to be a burst.
        poolLine(ABC, at + 101_000),
        poolLine(ABC, at + 110_000),
        // Close in time, but another pod's: not part of ABC's burst.
        oomLine(XYZ, at + 5_000),
        oomLine(XYZ, at + 6_000),
      ],
      replicas: [],
      stepSeconds: STEP_SECONDS,
    });

    expect(timeline.events).toEqual([
      {
        kind: 'error-burst',
        time: new Date(at).toISOString(),
        cluster: CLUSTER,
        pod: ABC,
        container: CONTAINER,
        lineCount: 4,
        signature: pool,
        summary: `4 error lines in ${ABC} from ${hhmmss(at)}, mostly "${pool}"`,
      },
    ]);
    expect(timeline.correlation.terminations).toBe(0);
    expect(timeline.correlation.strength).toBe('none');
  });

  it('orders terminations and bursts of every pod in time, then by pod', () => {
    const a = FROM + 8 * STEP;
    const b = FROM + 24 * STEP;
    const timeline = buildTimeline({
      metrics: metrics({
        restarts: [restartsOf(XYZ, [a, b]), restartsOf(ABC, [b])],
      }),
      logEntries: [0, 1, 2].map(i => oomLine(ABC, a + 2 * STEP + i * 1000)),
      replicas: [],
      stepSeconds: STEP_SECONDS,
    });

    expect(timeline.events.map(e => [e.kind, e.pod, e.time])).toEqual([
      ['termination', XYZ, new Date(a).toISOString()],
      ['error-burst', ABC, new Date(a + 2 * STEP).toISOString()],
      ['termination', ABC, new Date(b).toISOString()],
      ['termination', XYZ, new Date(b).toISOString()],
    ]);
  });

  it("keeps clusters apart: another cluster's pod of the same name lends no errors or memory", () => {
    const other = (s: MetricSeries) => ({ ...s, cluster: 'us' });
    const timeline = buildTimeline({
      metrics: metrics({
        restarts: [restartsOf(ABC, [KILL])],
        memory: {
          workingSet: [
            workingSetAt(ABC, () => 0.4),
            other(workingSetAt(ABC, () => 0.99)),
          ],
          limit: [limitOf(ABC), other(limitOf(ABC))],
          request: [],
        },
      }),
      logEntries: [
        oomLine(ABC, KILL - 10_000, 'us'),
        oomLine(ABC, KILL - 5_000, 'us'),
      ],
      replicas: [],
      stepSeconds: STEP_SECONDS,
    });

    const [termination] = timeline.events.filter(e => e.kind === 'termination');
    expect(termination.cluster).toBe(CLUSTER);
    expect(termination.errorLinesBefore).toBe(0);
    expect(termination.workingSetBytesBefore! / LIMIT).toBeCloseTo(0.4);
    expect(timeline.correlation).toMatchObject({
      withErrorsBefore: 0,
      withMemoryNearLimit: 0,
      strength: 'none',
    });
  });

  describe('correlation', () => {
    /** Four kills of ABC, each with or without errors and memory before. */
    function fourKills(
      withErrors: boolean[],
      nearLimit: boolean[],
      replicas: Replica[] = [],
    ) {
      const kills = [8, 16, 24, 32].map(n => FROM + n * STEP);
      const share = (ms: number) => {
        const next = kills.findIndex(k => k >= ms);
        return next >= 0 && nearLimit[next] ? 0.95 : 0.6;
      };
      return buildTimeline({
        metrics: metrics({
          restarts: [restartsOf(ABC, kills)],
          memory: {
            workingSet: [workingSetAt(ABC, share)],
            limit: [limitOf(ABC)],
            request: [],
          },
        }),
        logEntries: kills.flatMap((k, i) =>
          withErrors[i] ? [oomLine(ABC, k - 8_000)] : [],
        ),
        replicas,
        stepSeconds: STEP_SECONDS,
      }).correlation;
    }

    it.each([
      [[true, true, true, true], [true, true, true, true], 4, 4, 'strong'],
      [[true, true, true, false], [true, true, true, false], 3, 3, 'strong'],
      [
        [true, true, true, true],
        [false, false, false, false],
        4,
        0,
        'moderate',
      ],
      [[true, false, false, false], [true, false, false, false], 1, 1, 'weak'],
      [
        [false, false, false, false],
        [false, false, false, false],
        0,
        0,
        'none',
      ],
    ] as const)(
      'errors before %j and memory near the limit %j: %i and %i of 4, %s',
      (errors, memory, withErrorsBefore, withMemoryNearLimit, strength) => {
        expect(fourKills([...errors], [...memory])).toEqual({
          terminations: 4,
          withErrorsBefore,
          withMemoryNearLimit,
          strength,
          summary: `${withErrorsBefore} of 4 terminations followed error lines in the 30 s before; ${withMemoryNearLimit} of 4 came with the working set at 90% of the memory limit or more`,
        });
      },
    );

    it('counts the working set as near the limit from 90% on', () => {
      const at = (share: number) =>
        buildTimeline({
          metrics: metrics({
            restarts: [restartsOf(ABC, [KILL])],
            memory: {
              workingSet: [workingSetAt(ABC, () => share)],
              limit: [limitOf(ABC)],
              request: [],
            },
          }),
          logEntries: [],
          replicas: [],
          stepSeconds: STEP_SECONDS,
        }).correlation.withMemoryNearLimit;

      expect(at(0.9)).toBe(1);
      expect(at(0.89)).toBe(0);
    });

    it('says there were no terminations when no counter rose', () => {
      const { correlation } = buildTimeline({
        metrics: metrics({ restarts: [restartsOf(ABC, [])] }),
        logEntries: [oomLine(ABC, KILL)],
        replicas: [],
        stepSeconds: STEP_SECONDS,
      });

      expect(correlation).toEqual({
        terminations: 0,
        withErrorsBefore: 0,
        withMemoryNearLimit: 0,
        strength: 'none',
        summary: 'No terminations in this range',
      });
    });
  });
});
