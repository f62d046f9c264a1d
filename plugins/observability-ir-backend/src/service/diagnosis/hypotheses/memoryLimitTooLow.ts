import { DiagnosisContext } from '../context';
import { describeDuration, percent, plural } from '../format';
import {
  MIN_CYCLE_POINTS,
  NEAR_LIMIT_SHARE,
  SLOW_CLIMB_MS,
} from '../../metrics/memoryCycles';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceScore } from '../score';
import {
  afterRaise,
  describeForensics,
  describeAffectedReplicas,
  describeEarlierKills,
  describeLogGroup,
  describeTermination,
  limitBySources,
  memoryErrorExits,
  memoryOf,
  oomKilled,
  oomKilledBeforeRange,
  timelineOomKills,
  supportEach,
} from './common';

/** Points each fact for a too-low limit adds. */
export const SUPPORT = {
  /** A container last terminated OOMKilled. */
  oomKilled: 1.5,
  /**
   * A container exited with a failure code after its runtime's memory
   * error (its own heap cap reached), none OOMKilled.
   */
  memoryErrorExits: 1.5,
  /** OOMKilled terminations on the timeline, none seen on the containers. */
  oomKilledOnTimeline: 1.2,
  /** `OOMKilling` events of the kernel. */
  oomKillingEvents: 0.3,
  /** The working set at 90% of the limit or more (timeline or series). */
  workingSetNearLimit: 1,
  /** Runs reach 90% of the limit soon after the start. */
  quickToLimit: 0.3,
  /** After a raise of the limit, the working set stays below 90% of it. */
  belowRaisedLimit: 0.5,
  /** Out-of-memory error lines, of any runtime. */
  oomLogs: 0.5,
  /** The timeline correlates the kills with memory and errors: strongly. */
  strongCorrelation: 0.5,
  /** … or moderately. */
  moderateCorrelation: 0.25,
  /**
   * Node forensics: nothing listens on the expected ports and the memory
   * cgroup recorded OOM kills (the process dies before it is Ready).
   */
  forensicsOomBeforeReady: 1,
} as const;

/** Points each fact against a too-low limit takes away. */
export const CONTRADICT = {
  /** No container was OOMKilled. */
  noOomKill: 1.5,
  /** The working set peaked far below the limit. */
  farBelowLimit: 1,
  /** The container has no memory limit to be killed at. */
  noMemoryLimit: 2,
  /** The working set climbs steadily, as a leak does. */
  steadyClimbs: 1.2,
  /** After a raise, the working set climbs to the new limit too. */
  nearRaisedLimit: 1,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Below this share of the limit the working set is far from it. */
  farBelowLimitShare: 0.7,
  /** Runs needed before their shapes count. */
  minRuns: 2,
  /** Share of the runs that reach the limit quickly. */
  quickRunsShare: 0.5,
  /** Share of the runs that climb steadily. */
  steadyRunsShare: 0.6,
  /** OOM log lines per OOM kill, at least, to be "about one per kill". */
  oomLinesPerKillMin: 0.5,
  /** … and at most. */
  oomLinesPerKillMax: 2,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.6,
  prometheus: 0.85,
  loki: 0.9,
} as const;

/**
 * The container's memory limit is below what the workload needs: OOM kills
 * at the limit, the working set at the limit before each kill, reached
 * quickly after each start.
 */
export function memoryLimitTooLow(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore(
    'memory-limit-too-low',
    'Memory limit too low',
  );
  const { input } = ctx;
  const oom = oomKilled(ctx);
  const timelineOom = ctx.timelineTerminations.get('OOMKilled') ?? 0;
  const kernelOom = input.events.filter(e => e.reason === 'OOMKilling');

  if (oom.length) {
    supportEach(
      score,
      SUPPORT.oomKilled,
      'kubernetes',
      oom.map(r => describeTermination(ctx, r)),
      n => `${plural(n, 'more container')} last terminated OOMKilled`,
    );
    const affected = describeAffectedReplicas(ctx, oom);
    if (affected) {
      score.note('kubernetes', affected);
    }
  }
  const earlier = oomKilledBeforeRange(ctx);
  if (earlier.length) {
    score.note('kubernetes', describeEarlierKills(ctx, earlier));
  }
  if (timelineOom) {
    const total = [...ctx.timelineTerminations.values()].reduce(
      (a, b) => a + b,
      0,
    );
    const sentence = `${timelineOom} of ${plural(
      total,
      'termination',
    )} in the range were OOMKilled`;
    const source = ctx.unavailable.kubernetes ? 'prometheus' : 'kubernetes';
    if (oom.length) {
      score.note(source, sentence);
    } else {
      score.support(SUPPORT.oomKilledOnTimeline, source, sentence);
    }
  }
  if (kernelOom.length) {
    score.support(
      SUPPORT.oomKillingEvents,
      'kubernetes',
      `${plural(kernelOom.length, 'OOMKilling event')}: ${
        kernelOom[0].message
      }`,
    );
  }
  const anyOom = oom.length > 0 || timelineOom > 0 || kernelOom.length > 0;
  const heapCapExits = anyOom ? [] : memoryErrorExits(ctx);
  if (heapCapExits.length) {
    supportEach(
      score,
      SUPPORT.memoryErrorExits,
      'kubernetes',
      heapCapExits.map(
        r =>
          `${describeTermination(
            ctx,
            r,
          )}, after its runtime's memory error: it ran out of the memory its runtime may use, below the container's limit`,
      ),
      n =>
        `${plural(
          n,
          'more container',
        )} exited after its runtime's memory error`,
    );
  }
  if (!anyOom && heapCapExits.length === 0 && !ctx.unavailable.kubernetes) {
    const terminated = input.replicas.filter(
      r => r.lastTermination && ctx.terminatedInRange(r),
    );
    score.contradict(
      CONTRADICT.noOomKill,
      'kubernetes',
      terminated.length
        ? `No container was OOMKilled in the range: last terminations were ${[
            ...new Set(
              terminated.map(
                r =>
                  `${r.lastTermination!.reason} (exit ${
                    r.lastTermination!.exitCode
                  })`,
              ),
            ),
          ].join(', ')}`
        : 'No container was OOMKilled or terminated in the range',
    );
  }

  // The working set against the limit.
  const memory = memoryOf(ctx, [...oom, ...timelineOomKills(ctx)]);
  const correlation = input.timeline.correlation;
  let nearLimit = false;
  if (correlation.terminations > 0 && correlation.withMemoryNearLimit > 0) {
    nearLimit = true;
    score.support(
      SUPPORT.workingSetNearLimit,
      'prometheus',
      `${correlation.withMemoryNearLimit} of ${plural(
        correlation.terminations,
        'termination',
      )} had the working set at 90% of the memory limit or more one minute before`,
    );
  }
  for (const m of memory) {
    if (!m.peak) {
      continue;
    }
    const limit = m.peak.limit ?? m.currentLimit;
    if (!limit) {
      continue;
    }
    const share = m.peak.bytes / limit;
    const sentence = `${ctx.label({
      cluster: m.cluster,
      pod: m.peak.pod,
      container: m.container,
    })}: working set peaked at ${describeBytes(m.peak.bytes)}, ${percent(
      share,
    )} of the ${describeBytes(limit)} limit`;
    if (share >= NEAR_LIMIT_SHARE) {
      if (nearLimit) {
        score.note('prometheus', sentence);
      } else {
        nearLimit = true;
        score.support(SUPPORT.workingSetNearLimit, 'prometheus', sentence);
      }
    } else if (
      share < THRESHOLDS.farBelowLimitShare &&
      heapCapExits.length === 0
    ) {
      score.contradict(
        CONTRADICT.farBelowLimit,
        'prometheus',
        `${sentence}: far below it`,
      );
    }
  }
  for (const m of memory) {
    if (
      m.currentLimit === undefined &&
      input.replicas.some(
        r =>
          r.cluster === m.cluster &&
          r.container === m.container &&
          r.limits.memoryBytes === undefined,
      ) &&
      !ctx.unavailable.kubernetes
    ) {
      score.contradict(
        CONTRADICT.noMemoryLimit,
        'kubernetes',
        `Container ${m.container} has no memory limit: it cannot be killed at one`,
      );
    }
  }

  // How the working set reaches the limit, over the look-back when it
  // resolves the runs.
  const shapes = ctx.runShapes.filter(s =>
    memory.some(m => m.cluster === s.cluster && m.container === s.container),
  );
  for (const m of shapes) {
    // Runs the series resolves: started by a restart, 3 points or more.
    const cycles = m.resolved
      ? m.cycles.filter(c => c.startedByRestart && c.points >= MIN_CYCLE_POINTS)
      : [];
    const quick = cycles.filter(c => c.shape === 'quick-to-limit');
    const steady = cycles.filter(c => c.shape === 'steady-climb');
    if (
      cycles.length >= THRESHOLDS.minRuns &&
      quick.length / cycles.length >= THRESHOLDS.quickRunsShare
    ) {
      const times = quick.map(c => c.msToNearLimit ?? 0).sort((a, b) => a - b);
      score.support(
        SUPPORT.quickToLimit,
        'prometheus',
        `${m.name}: in ${quick.length} of ${plural(cycles.length, 'run')} ${
          m.over
        } the working set reached 90% of the limit within ${describeDuration(
          times[Math.floor(times.length / 2)],
        )} of the start (median): the workload needs more than the limit from the start`,
      );
    } else if (
      cycles.length < THRESHOLDS.minRuns &&
      m.runs &&
      m.runs.everyMs < SLOW_CLIMB_MS &&
      anyOom &&
      nearLimit
    ) {
      // Runs too short for the series to resolve: the restart rate tells.
      score.support(
        SUPPORT.quickToLimit,
        'prometheus',
        `${m.runs.pod}: ${plural(
          m.runs.restarts,
          'restart',
        )} in the range, one every ${describeDuration(
          m.runs.everyMs,
        )}: the limit is reached soon after each start`,
      );
    }
    if (
      cycles.length >= THRESHOLDS.minRuns &&
      steady.length / cycles.length >= THRESHOLDS.steadyRunsShare
    ) {
      score.contradict(
        CONTRADICT.steadyClimbs,
        'prometheus',
        `${m.name}: the working set climbed steadily in ${
          steady.length
        } of ${plural(cycles.length, 'run')} ${
          m.over
        } before reaching the limit, as a leak does; a larger limit only delays the kill`,
      );
    }
    const after = afterRaise(ctx, m);
    if (after) {
      const reached = `${describeBytes(after.peak)} (${percent(
        after.peak / after.newLimit,
      )})`;
      if (after.peak >= NEAR_LIMIT_SHARE * after.newLimit) {
        score.contradict(
          CONTRADICT.nearRaisedLimit,
          'prometheus',
          `${m.name}: ${after.raised} the working set reached ${reached} again: the larger limit did not help`,
        );
      } else if (after.cycles.length && after.peak > 0) {
        score.support(
          SUPPORT.belowRaisedLimit,
          'prometheus',
          `${m.name}: ${after.raised} the working set stayed at or below ${reached}`,
        );
      }
    }
  }

  // Logs and their correlation with the kills.
  const memoryLogs = ctx.logs.memory;
  if (memoryLogs.length) {
    const top = memoryLogs[0];
    const kills = Math.max(
      timelineOom,
      oom.reduce((sum, r) => sum + ctx.restarts(r), 0),
    );
    const matching =
      kills > 0 &&
      top.count >= kills * THRESHOLDS.oomLinesPerKillMin &&
      top.count <= kills * THRESHOLDS.oomLinesPerKillMax
        ? `, about one per OOM kill (${kills})`
        : '';
    score.support(
      SUPPORT.oomLogs,
      'loki',
      `${describeLogGroup(top)}${matching}`,
    );
    for (const group of memoryLogs.slice(1, 3)) {
      score.note('loki', describeLogGroup(group));
    }
  }
  if (anyOom && correlation.strength === 'strong') {
    score.support(
      SUPPORT.strongCorrelation,
      'loki',
      `Timeline: ${correlation.summary}`,
    );
  } else if (anyOom && correlation.strength === 'moderate') {
    score.support(
      SUPPORT.moderateCorrelation,
      'loki',
      `Timeline: ${correlation.summary}`,
    );
  }

  if (input.forensics?.verdict.kind === 'oom-before-ready') {
    score.support(
      SUPPORT.forensicsOomBeforeReady,
      'forensics',
      describeForensics(ctx)!,
    );
  }

  limitBySources(ctx, score, {
    kubernetes: [
      SOURCE_FACTORS.kubernetes,
      'terminations and limits could not be read',
    ],
    prometheus: [
      SOURCE_FACTORS.prometheus,
      'the working set could not be compared with the memory limit',
    ],
    loki: [
      SOURCE_FACTORS.loki,
      'out-of-memory error lines could not be looked for',
    ],
  });
  return score;
}
