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
  describeLogGroup,
  describeTermination,
  limitBySources,
  memoryOf,
  oomKilled,
  timelineOomKills,
  supportEach,
} from './common';

/** Below this share of the limit the working set is far from it. */
export const FAR_BELOW_LIMIT_SHARE = 0.7;

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
      1.5,
      'kubernetes',
      oom.map(r => describeTermination(ctx, r)),
      n => `${plural(n, 'more container')} last terminated OOMKilled`,
    );
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
      score.support(1.2, source, sentence);
    }
  }
  if (kernelOom.length) {
    score.support(
      0.3,
      'kubernetes',
      `${plural(kernelOom.length, 'OOMKilling event')}: ${
        kernelOom[0].message
      }`,
    );
  }
  const anyOom = oom.length > 0 || timelineOom > 0 || kernelOom.length > 0;
  if (!anyOom && !ctx.unavailable.kubernetes) {
    const terminated = input.replicas.filter(r => r.lastTermination);
    score.contradict(
      1.5,
      'kubernetes',
      terminated.length
        ? `No container was OOMKilled: last terminations were ${[
            ...new Set(
              terminated.map(
                r =>
                  `${r.lastTermination!.reason} (exit ${
                    r.lastTermination!.exitCode
                  })`,
              ),
            ),
          ].join(', ')}`
        : 'No container was OOMKilled or terminated',
    );
  }

  // The working set against the limit.
  const memory = memoryOf(ctx, [...oom, ...timelineOomKills(ctx)]);
  const correlation = input.timeline.correlation;
  let nearLimit = false;
  if (correlation.terminations > 0 && correlation.withMemoryNearLimit > 0) {
    nearLimit = true;
    score.support(
      1,
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
        score.support(1, 'prometheus', sentence);
      }
    } else if (share < FAR_BELOW_LIMIT_SHARE) {
      score.contradict(1, 'prometheus', `${sentence}: far below it`);
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
        2,
        'kubernetes',
        `Container ${m.container} has no memory limit: it cannot be killed at one`,
      );
    }
  }

  // How the working set reaches the limit.
  for (const m of memory) {
    // Runs the series resolves: started by a restart, 3 points or more.
    const cycles = m.resolved
      ? m.cycles.filter(c => c.startedByRestart && c.points >= MIN_CYCLE_POINTS)
      : [];
    const quick = cycles.filter(c => c.shape === 'quick-to-limit');
    const steady = cycles.filter(c => c.shape === 'steady-climb');
    if (cycles.length >= 2 && quick.length / cycles.length >= 0.5) {
      const times = quick.map(c => c.msToNearLimit ?? 0).sort((a, b) => a - b);
      score.support(
        0.3,
        'prometheus',
        `${m.name}: in ${quick.length} of ${plural(
          cycles.length,
          'run',
        )} the working set reached 90% of the limit within ${describeDuration(
          times[Math.floor(times.length / 2)],
        )} of the start (median): the workload needs more than the limit from the start`,
      );
    } else if (
      cycles.length < 2 &&
      m.runs &&
      m.runs.everyMs < SLOW_CLIMB_MS &&
      anyOom &&
      nearLimit
    ) {
      // Runs too short for the series to resolve: the restart rate tells.
      score.support(
        0.3,
        'prometheus',
        `${m.runs.pod}: ${plural(
          m.runs.restarts,
          'restart',
        )} in the range, one every ${describeDuration(
          m.runs.everyMs,
        )}: the limit is reached soon after each start`,
      );
    }
    if (cycles.length >= 2 && steady.length / cycles.length >= 0.6) {
      score.contradict(
        1.2,
        'prometheus',
        `${m.name}: the working set climbed steadily in ${
          steady.length
        } of ${plural(
          cycles.length,
          'run',
        )} before reaching the limit, as a leak does; a larger limit only delays the kill`,
      );
    }
    const after = afterRaise(ctx, m);
    if (after) {
      const reached = `${describeBytes(after.peak)} (${percent(
        after.peak / after.newLimit,
      )})`;
      if (after.peak >= NEAR_LIMIT_SHARE * after.newLimit) {
        score.contradict(
          1,
          'prometheus',
          `${m.name}: ${after.raised} the working set reached ${reached} again: the larger limit did not help`,
        );
      } else if (after.cycles.length && after.peak > 0) {
        score.support(
          0.5,
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
      kills > 0 && top.count >= kills * 0.5 && top.count <= kills * 2
        ? `, about one per OOM kill (${kills})`
        : '';
    score.support(0.5, 'loki', `${describeLogGroup(top)}${matching}`);
    for (const group of memoryLogs.slice(1, 3)) {
      score.note('loki', describeLogGroup(group));
    }
  }
  if (anyOom && correlation.strength === 'strong') {
    score.support(0.5, 'loki', `Timeline: ${correlation.summary}`);
  } else if (anyOom && correlation.strength === 'moderate') {
    score.support(0.25, 'loki', `Timeline: ${correlation.summary}`);
  }

  limitBySources(ctx, score, {
    kubernetes: [0.6, 'terminations and limits could not be read'],
    prometheus: [
      0.85,
      'the working set could not be compared with the memory limit',
    ],
    loki: [0.9, 'OutOfMemoryError lines could not be looked for'],
  });
  return score;
}
