import {
  Hypothesis,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import { diagnose } from '.';
import { DiagnosisInput } from './types';
import {
  appCrash,
  counter,
  GI,
  healthyService,
  HOUR,
  labOom,
  logGroup,
  memoryRuns,
  MI,
  MINUTE,
  NOW,
  replica,
  sample,
  series,
} from '../../__testUtils__/evidence';

const END = NOW.getTime();
const START = new Date(END - HOUR);

function find(hypotheses: Hypothesis[], id: HypothesisId): Hypothesis {
  const h = hypotheses.find(x => x.id === id);
  if (!h) {
    throw new Error(`no hypothesis ${id}`);
  }
  return h;
}

function sentences(items: Array<{ description: string }>): string {
  return items.map(i => i.description).join('\n');
}

describe('terminations before the range', () => {
  /** Healthy now; the containers were OOMKilled three hours ago. */
  function killedHoursAgo(): DiagnosisInput {
    const input = healthyService();
    input.replicas = input.replicas.map(r => ({
      ...r,
      restartCount: 3,
      lastTermination: {
        reason: 'OOMKilled',
        exitCode: 137,
        startedAt: '2026-11-25T08:00:00Z',
        finishedAt: '2026-11-25T11:04:30Z',
      },
    }));
    return input;
  }

  it('are context, not evidence, when the range start is known', () => {
    const { hypotheses } = diagnose(killedHoursAgo(), {
      now: NOW,
      start: START,
    });
    const tooLow = find(hypotheses, 'memory-limit-too-low');
    expect(tooLow.confidence).toBeLessThan(0.3);
    expect(sentences(tooLow.supporting)).toMatch(
      /checkout-api-v1-abc and checkout-api-v1-xyz were last OOMKilled at 11:04:30Z, before the range: context, not evidence/,
    );
    expect(sentences(tooLow.contradicting)).toMatch(
      /No container was OOMKilled or terminated in the range/,
    );
    expect(hypotheses[0].id).not.toBe('memory-limit-too-low');
  });

  it('count as evidence without a range start (every termination counts)', () => {
    const withStart = find(
      diagnose(killedHoursAgo(), { now: NOW, start: START }).hypotheses,
      'memory-limit-too-low',
    );
    const without = find(
      diagnose(killedHoursAgo(), { now: NOW }).hypotheses,
      'memory-limit-too-low',
    );
    expect(sentences(without.supporting)).toMatch(
      /checkout-api-v1-abc: 3 restarts \(0 in the range\), last terminated OOMKilled \(exit 137\)/,
    );
    expect(without.confidence).toBeGreaterThan(withStart.confidence + 0.1);
  });
});

describe('one replica of several', () => {
  it('is named as the one affected, in the evidence and the recommendation', () => {
    const input = labOom();
    const spared = input.replicas[1].pod;
    input.replicas[1] = replica(spared, {
      limits: input.replicas[1].limits,
    });
    const { hypotheses, recommendation } = diagnose(input, {
      now: NOW,
      start: START,
    });
    expect(hypotheses[0].id).toBe('memory-limit-too-low');
    const affected =
      /Only checkout-api-v1-abc of 2 replicas of container checkout-api was OOMKilled; the others peaked at \d+(\.\d)?Mi: the affected replica needs more memory than the others/;
    expect(sentences(hypotheses[0].supporting)).toMatch(affected);
    expect(recommendation?.summary).toMatch(affected);
  });

  it('is not singled out when every replica was killed', () => {
    const { hypotheses, recommendation } = diagnose(labOom(), {
      now: NOW,
      start: START,
    });
    expect(sentences(hypotheses[0].supporting)).not.toMatch(/Only /);
    expect(recommendation?.summary).not.toMatch(/Only /);
  });
});

describe('the memory proposal', () => {
  it('proposes from the plateau of another replica that ran under a higher limit', () => {
    const input = labOom();
    const canary = 'checkout-api-v1-canary';
    const from = END - HOUR;
    input.metrics.memory.workingSet.push(
      series(
        canary,
        sample(
          from,
          END,
          15_000,
          t => 150 * MI + 320 * MI * (1 - Math.exp(-(t - from) / (2 * MINUTE))),
        ),
      ),
    );
    input.metrics.memory.limit.push(
      series(
        canary,
        sample(from, END, 15_000, () => GI),
      ),
    );
    const { hypotheses, recommendation } = diagnose(input, {
      now: NOW,
      start: START,
    });
    expect(hypotheses[0].id).toBe('memory-limit-too-low');
    expect(recommendation?.memoryLimit?.proposed).toBe('768Mi');
    expect(recommendation?.memoryLimit?.basis).toMatch(
      /^Killed at its 512Mi limit, but a run of checkout-api-v1-canary in the range levelled off at 470Mi below a higher limit/,
    );
    // Without that run the kill level is the basis.
    expect(
      diagnose(labOom(), { now: NOW, start: START }).recommendation?.memoryLimit
        ?.proposed,
    ).toBe('1Gi');
  });
});

describe('the look-back', () => {
  const pods = ['orders-7c9f8d6b5-k2x7p', 'orders-7c9f8d6b5-q9w4n'];
  const LIMIT = 1 * GI;

  /**
   * A slow leak: each run starts at 200Mi and gains 3.5Mi a minute until
   * the 1Gi limit kills it, about four hours later. The last kills were an
   * hour and a half ago, so the one-hour range shows part of one run.
   */
  function slowLeak(withLookback: boolean): DiagnosisInput {
    const from = END - 24 * HOUR;
    const runs = pods.map((_, i) =>
      memoryRuns({
        fromMs: from,
        toMs: END,
        stepMs: 15_000,
        baseline: 200 * MI,
        grow: t => (3.5 * MI * t) / MINUTE,
        limitAt: () => LIMIT,
        restartDelayMs: 30_000,
        // The last kill about 90 minutes before the end.
        firstRunAgeMs: ((24 * 60 - 90) % 235) * MINUTE + i * 2 * MINUTE,
      }),
    );
    const inRange = (points: Array<[number, number]>) =>
      points.filter(([t]) => t >= START.getTime());
    const coarse = (points: Array<[number, number]>) =>
      points.filter(([t]) => (END - t) % (10 * MINUTE) === 0);
    const input = healthyService();
    input.replicas = pods.map((pod, i) => {
      const last = runs[i].kills[runs[i].kills.length - 1];
      return replica(pod, {
        restartCount: runs[i].kills.length,
        lastTermination: {
          reason: 'OOMKilled',
          exitCode: 137,
          startedAt: new Date(last - 4 * HOUR).toISOString(),
          finishedAt: new Date(last).toISOString(),
        },
        limits: { memoryBytes: LIMIT, cpuCores: 1 },
      });
    });
    const restarts = (i: number, step: number, fromMs: number) =>
      series(pods[i], counter(fromMs, END, step, 0, runs[i].kills));
    input.metrics.memory.workingSet = pods.map((pod, i) =>
      series(pod, inRange(runs[i].points)),
    );
    input.metrics.memory.limit = pods.map(pod =>
      series(
        pod,
        sample(START.getTime(), END, 15_000, () => LIMIT),
      ),
    );
    input.metrics.restarts = pods.map((_, i) =>
      restarts(i, 15_000, START.getTime()),
    );
    if (withLookback) {
      input.lookback = {
        startMs: from,
        endMs: END,
        stepSeconds: 600,
        metrics: {
          memory: {
            workingSet: pods.map((pod, i) =>
              series(pod, coarse(runs[i].points)),
            ),
            limit: pods.map(pod =>
              series(
                pod,
                sample(from, END, 10 * MINUTE, () => LIMIT),
              ),
            ),
            request: [],
          },
          restarts: pods.map((_, i) => restarts(i, 10 * MINUTE, from)),
        },
      };
    }
    return input;
  }

  it('names a leak slower than the range, by a clear margin, and says which look-back it read', () => {
    const result = diagnose(slowLeak(true), { now: NOW, start: START });
    const [top, second] = result.hypotheses;
    expect(top.id).toBe('memory-leak');
    expect(top.confidence - second.confidence).toBeGreaterThanOrEqual(0.2);
    expect(sentences(top.supporting)).toMatch(
      /climbed steadily in \d+ of \d+ runs over the last 1d, about \+3\.5Mi\/min over 3h \d+m/,
    );
    expect(result.memoryLookback).toEqual({
      start: new Date(END - 24 * HOUR).toISOString(),
      end: new Date(END).toISOString(),
      description: 'the last 1d',
    });
    expect(result.recommendation?.summary).toMatch(/heap dump/);
    // The stopgap reads the kills at the limit in the look-back: killed at
    // 1Gi, so 1Gi × 1.25 × 1.5 → 2Gi, not the range's lower peak.
    expect(result.recommendation?.memoryLimit).toMatchObject({
      current: '1Gi',
      proposed: '2Gi',
    });
  });

  it('weighs more than the range alone, which sees part of one run', () => {
    const alone = diagnose(slowLeak(false), { now: NOW, start: START });
    const withLookback = diagnose(slowLeak(true), { now: NOW, start: START });
    expect(alone.memoryLookback).toBeUndefined();
    expect(sentences(find(alone.hypotheses, 'memory-leak').supporting)).toMatch(
      /climbed steadily in the range/,
    );
    expect(
      find(withLookback.hypotheses, 'memory-leak').confidence,
    ).toBeGreaterThan(find(alone.hypotheses, 'memory-leak').confidence);
  });

  it('says when Prometheus holds less than the look-back', () => {
    const input = slowLeak(true);
    const held = END - 9 * HOUR;
    const lookback = input.lookback!;
    lookback.metrics.memory.workingSet = lookback.metrics.memory.workingSet.map(
      s => ({ ...s, points: s.points.filter(([t]) => t >= held) }),
    );
    const result = diagnose(input, { now: NOW, start: START });
    expect(result.memoryLookback?.description).toBe(
      'the last 9h (all Prometheus holds of the 1d look-back)',
    );
    expect(result.memoryLookback?.start).toBe(new Date(held).toISOString());
  });

  it('leaves a loop of short runs to the finer range', () => {
    const input = labOom();
    const from = END - 24 * HOUR;
    input.lookback = {
      startMs: from,
      endMs: END,
      stepSeconds: 600,
      metrics: {
        memory: {
          workingSet: input.replicas.map(r =>
            series(
              r.pod,
              sample(
                from,
                END,
                10 * MINUTE,
                t => (t % 3 === 0 ? 500 : 300) * MI,
              ),
            ),
          ),
          limit: [],
          request: [],
        },
        // A restart every three minutes: runs far shorter than a step.
        restarts: input.replicas.map(r =>
          series(
            r.pod,
            sample(from, END, 10 * MINUTE, t =>
              Math.floor((t - from) / 180_000),
            ),
          ),
        ),
      },
    };
    const result = diagnose(input, { now: NOW, start: START });
    expect(result.hypotheses[0].id).toBe('memory-limit-too-low');
    expect(result.memoryLookback).toBeUndefined();
    expect(sentences(result.hypotheses[0].supporting)).toMatch(
      /runs in the range the working set reached 90% of the limit within/,
    );
  });
});

describe('the crash recommendation', () => {
  it('quotes the group that states the error, not a banner', () => {
    const input = appCrash();
    const pods = input.replicas.map(r => r.pod);
    const [carrying] = input.logGroups;
    input.logGroups = [
      logGroup(
        'ERROR <n> --- [ main] o.s.b.d.LoggingFailureAnalysisReporter :',
        30,
        pods,
      ),
      { ...carrying, count: 8 },
    ];
    const { recommendation, hypotheses } = diagnose(input, {
      now: NOW,
      start: START,
    });
    expect(hypotheses[0].id).toBe('application-crash');
    expect(recommendation?.summary).toMatch(
      /Fix the application error "java\.lang\.NullPointerException: Cannot invoke "String\.trim\(\)" because "gatewayUrl" is null" that ends the container with exit 1/,
    );
  });

  it.each<[string, string, string[], string]>([
    [
      'Spring Boot failure analysis',
      'ERROR <n> --- [ main] o.s.b.d.LoggingFailureAnalysisReporter :',
      [
        '***************************',
        'APPLICATION FAILED TO START',
        '***************************',
        'Description:',
        'Binding to target [Bindings@7d4f9aae] failed: Property: payment.gateway.url, Value: "null", Reason: must not be blank',
        'Action:',
        "Update your application's configuration",
      ],
      'Binding to target [Bindings@7d4f9aae] failed: Property: payment.gateway.url, Value: "null", Reason: must not be blank',
    ],
    [
      'a Go panic',
      'panic: runtime error: invalid memory address or nil pointer dereference',
      [
        '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b3f2a]',
        'goroutine 1 [running]:',
        'main.loadConfig(...)',
      ],
      'panic: runtime error: invalid memory address or nil pointer dereference',
    ],
    [
      'a Rust panic',
      "thread 'main' panicked at src/config.rs:42:10:",
      [
        'called `Option::unwrap()` on a `None` value',
        'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
      ],
      "thread 'main' panicked at src/config.rs:42:10:",
    ],
    [
      'a Python traceback',
      "AttributeError: 'NoneType' object has no attribute 'strip'",
      [
        '  File "/app/orders/config.py", line 18, in load',
        "    url = os.environ.get('PAYMENT_GATEWAY_URL').strip()",
        "AttributeError: 'NoneType' object has no attribute 'strip'",
      ],
      "AttributeError: 'NoneType' object has no attribute 'strip'",
    ],
  ])('quotes %s', (_, line, stackTrace, expected) => {
    const input = appCrash();
    const pods = input.replicas.map(r => r.pod);
    input.logGroups = [
      {
        ...logGroup(line, 12, pods),
        sample: {
          timestamp: '2026-11-25T14:00:09.898Z',
          cluster: 'sandbox',
          pod: pods[0],
          container: 'checkout-api',
          line,
          stackTrace,
        },
      },
    ];
    const { recommendation } = diagnose(input, { now: NOW, start: START });
    expect(recommendation?.summary).toContain(`"${expected}"`);
  });
});
