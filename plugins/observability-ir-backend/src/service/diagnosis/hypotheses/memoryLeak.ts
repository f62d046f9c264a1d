import { PodCycle } from '../../metrics/memoryFacts';
import { DiagnosisContext } from '../context';
import { describeDuration, listNames, percent } from '../format';
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
  limitBySources,
  oomKilled,
} from './common';

/** A single climb without restart counts from this long on. */
const LONG_CLIMB_MS = 30 * 60_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function describeClimb(cycles: PodCycle[], withReach = true): string {
  const slope = median(cycles.map(c => c.slopePerMinute));
  const duration = median(cycles.map(c => c.endMs - c.startMs));
  const shares = cycles
    .map(c => c.peakShare)
    .filter((s): s is number => s !== undefined);
  const reach =
    withReach && shares.length
      ? `, to ${percent(Math.max(...shares))} of the limit`
      : '';
  return `about +${describeBytes(slope)}/min over ${describeDuration(
    duration,
  )}${reach}`;
}

/**
 * The process leaks memory: the working set climbs steadily through every
 * run until the limit, and climbs again after the limit is raised.
 */
export function memoryLeak(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore('memory-leak', 'Memory leak');
  const withSeries = ctx.memory.filter(m => m.cycles.length > 0);
  let steadyAnywhere = false;

  for (const m of withSeries) {
    if (!m.resolved && m.runs) {
      if (m.runs.everyMs < SLOW_CLIMB_MS) {
        score.contradict(
          1.2,
          'prometheus',
          `${m.runs.pod}: ${
            m.runs.restarts
          } restarts in the range, one every ${describeDuration(
            m.runs.everyMs,
          )}: the limit is reached far too soon after each start for a slow leak`,
        );
      }
      continue;
    }
    // Runs the series resolves (3 points or more), started by a restart
    // unless there is no such run.
    const resolved = m.cycles.filter(c => c.points >= MIN_CYCLE_POINTS);
    const complete = resolved.filter(c => c.startedByRestart);
    const cycles = complete.length ? complete : resolved;
    if (cycles.length === 0) {
      continue;
    }
    const by = (shape: PodCycle['shape']) =>
      cycles.filter(c => c.shape === shape);
    const steady = by('steady-climb');
    const quick = by('quick-to-limit');
    const plateau = by('plateau');
    const flat = by('flat');
    const pods = (cs: PodCycle[]) => listNames(cs.map(c => c.pod));

    if (steady.length && steady.length / cycles.length >= 0.6) {
      steadyAnywhere = true;
      const reachesLimit = steady.some(
        c => (c.peakShare ?? 0) >= NEAR_LIMIT_SHARE,
      );
      const longest = Math.max(...steady.map(c => c.endMs - c.startMs));
      if (complete.length === 0 && longest >= LONG_CLIMB_MS) {
        // No restart seen: a leak in progress, or one that just reached
        // the limit.
        score.support(
          reachesLimit ? 1.5 : 1.2,
          'prometheus',
          `${pods(steady)}: the working set climbed steadily, ${describeClimb(
            steady,
          )}${reachesLimit ? '' : ', and is still climbing'}`,
        );
      } else if (steady.length >= 2) {
        score.support(
          2,
          'prometheus',
          `${pods(steady)}: the working set climbed steadily in ${
            steady.length
          } of ${cycles.length} runs, ${describeClimb(steady)}`,
        );
      } else {
        score.support(
          0.6,
          'prometheus',
          `${pods(
            steady,
          )}: the working set climbed steadily in one run, ${describeClimb(
            steady,
          )}`,
        );
      }
    }
    if (quick.length && quick.length / cycles.length >= 0.5) {
      score.contradict(
        1.2,
        'prometheus',
        `${m.name}: in ${quick.length} of ${
          cycles.length
        } runs the working set reached 90% of the limit within ${describeDuration(
          median(quick.map(c => c.msToNearLimit ?? 0)),
        )} of the start: a quick rise to the limit, as an undersized limit gives, not a slow leak`,
      );
    }
    if (plateau.length && plateau.length / cycles.length >= 0.5) {
      score.contradict(
        1,
        'prometheus',
        `${m.name}: in ${plateau.length} of ${
          cycles.length
        } runs the working set rose early and then stayed flat, around ${describeBytes(
          median(plateau.map(c => c.peak)),
        )}`,
      );
    }
    if (flat.length && flat.length / cycles.length >= 0.5) {
      score.contradict(
        1,
        'prometheus',
        `${m.name}: the working set stayed flat, around ${describeBytes(
          median(flat.map(c => c.peak)),
        )}${
          flat[0].limit ? ` of the ${describeBytes(flat[0].limit)} limit` : ''
        }`,
      );
    }

    const after = afterRaise(ctx, m);
    if (after) {
      const climbing = after.cycles.filter(c => c.shape === 'steady-climb');
      const reached = `${describeBytes(after.peak)} (${percent(
        after.peak / after.newLimit,
      )} of the new limit)`;
      if (after.peak >= NEAR_LIMIT_SHARE * after.newLimit || climbing.length) {
        score.support(
          1,
          'prometheus',
          `${m.name}: ${
            after.raised
          } the working set climbed again, to ${reached}${
            climbing.length ? `, ${describeClimb(climbing, false)}` : ''
          }`,
        );
      } else if (after.cycles.length) {
        score.contradict(
          1,
          'prometheus',
          `${m.name}: ${after.raised} the working set stayed at or below ${reached}`,
        );
      }
    }
  }

  if (steadyAnywhere) {
    const oom = oomKilled(ctx);
    if (oom.length) {
      score.support(
        0.3,
        'kubernetes',
        `The climbs end in OOM kills: ${listNames(
          oom.map(r => ctx.label(r)),
        )} last terminated OOMKilled`,
      );
    }
    if (ctx.logs.memory.length) {
      score.support(0.2, 'loki', describeLogGroup(ctx.logs.memory[0]));
    }
  }

  if (withSeries.length === 0) {
    if (ctx.unavailable.prometheus) {
      score.limit(
        0.5,
        'prometheus',
        `${ctx.unavailable.prometheus}: the working set between restarts could not be examined`,
      );
    } else {
      score.contradict(
        0.5,
        'prometheus',
        'No working set series: the climb between restarts could not be examined',
      );
    }
  } else {
    limitBySources(ctx, score, {
      prometheus: [0.85, 'some working set series are missing'],
    });
  }
  return score;
}
