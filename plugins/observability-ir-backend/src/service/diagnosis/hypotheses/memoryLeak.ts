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

/** Points each fact for a leak adds. */
export const SUPPORT = {
  /** Most runs climb steadily, two or more of them. */
  steadyRuns: 2,
  /** Most runs climb steadily, one of them. */
  oneSteadyRun: 0.6,
  /** No restart seen, a long steady climb that has not reached the limit. */
  longClimb: 1.2,
  /** … that has reached 90% of the limit. */
  longClimbToLimit: 1.5,
  /** After a raise of the limit, the working set climbs again. */
  climbsAfterRaise: 1,
  /** The climbs end in OOM kills. */
  oomKills: 0.3,
  /** Out-of-memory error lines, of any runtime. */
  oomLogs: 0.2,
} as const;

/** Points each fact against a leak takes away. */
export const CONTRADICT = {
  /** Runs reach 90% of the limit soon after the start. */
  quickToLimit: 1.2,
  /** Runs rise early and then stay flat. */
  plateau: 1,
  /** The working set stays flat. */
  flat: 1,
  /** After a raise of the limit, the working set stays below it. */
  belowRaisedLimit: 1,
  /** No working set series to look at. */
  noSeries: 0.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Share of the runs that climb steadily. */
  steadyRunsShare: 0.6,
  /** Steady runs needed for the full weight. */
  minSteadyRuns: 2,
  /** Share of the runs with another shape (quick, plateau, flat). */
  shapeRunsShare: 0.5,
  /** A single climb without restart counts from this long on. */
  longClimbMs: 30 * 60_000,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  /** Some working set series are missing. */
  prometheus: 0.85,
  /** No working set series at all. */
  prometheusWithoutSeries: 0.5,
} as const;

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
  const withSeries = ctx.runShapes.filter(m => m.cycles.length > 0);
  let steadyAnywhere = false;

  for (const m of withSeries) {
    if (!m.resolved && m.runs) {
      if (m.runs.everyMs < SLOW_CLIMB_MS) {
        score.contradict(
          CONTRADICT.quickToLimit,
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

    if (
      steady.length &&
      steady.length / cycles.length >= THRESHOLDS.steadyRunsShare
    ) {
      steadyAnywhere = true;
      const reachesLimit = steady.some(
        c => (c.peakShare ?? 0) >= NEAR_LIMIT_SHARE,
      );
      const longest = Math.max(...steady.map(c => c.endMs - c.startMs));
      if (complete.length === 0 && longest >= THRESHOLDS.longClimbMs) {
        // No restart seen: a leak in progress, or one that just reached
        // the limit.
        score.support(
          reachesLimit ? SUPPORT.longClimbToLimit : SUPPORT.longClimb,
          'prometheus',
          `${pods(steady)}: the working set climbed steadily ${
            m.over
          }, ${describeClimb(steady)}${
            reachesLimit ? '' : ', and is still climbing'
          }`,
        );
      } else if (steady.length >= THRESHOLDS.minSteadyRuns) {
        score.support(
          SUPPORT.steadyRuns,
          'prometheus',
          `${pods(steady)}: the working set climbed steadily in ${
            steady.length
          } of ${cycles.length} runs ${m.over}, ${describeClimb(steady)}`,
        );
      } else {
        score.support(
          SUPPORT.oneSteadyRun,
          'prometheus',
          `${pods(steady)}: the working set climbed steadily in one run ${
            m.over
          }, ${describeClimb(steady)}`,
        );
      }
    }
    if (
      quick.length &&
      quick.length / cycles.length >= THRESHOLDS.shapeRunsShare
    ) {
      score.contradict(
        CONTRADICT.quickToLimit,
        'prometheus',
        `${m.name}: in ${quick.length} of ${cycles.length} runs ${
          m.over
        } the working set reached 90% of the limit within ${describeDuration(
          median(quick.map(c => c.msToNearLimit ?? 0)),
        )} of the start: a quick rise to the limit, as an undersized limit gives, not a slow leak`,
      );
    }
    if (
      plateau.length &&
      plateau.length / cycles.length >= THRESHOLDS.shapeRunsShare
    ) {
      score.contradict(
        CONTRADICT.plateau,
        'prometheus',
        `${m.name}: in ${plateau.length} of ${cycles.length} runs ${
          m.over
        } the working set rose early and then stayed flat, around ${describeBytes(
          median(plateau.map(c => c.peak)),
        )}`,
      );
    }
    if (
      flat.length &&
      flat.length / cycles.length >= THRESHOLDS.shapeRunsShare
    ) {
      score.contradict(
        CONTRADICT.flat,
        'prometheus',
        `${m.name}: the working set stayed flat ${
          m.over
        }, around ${describeBytes(median(flat.map(c => c.peak)))}${
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
          SUPPORT.climbsAfterRaise,
          'prometheus',
          `${m.name}: ${
            after.raised
          } the working set climbed again, to ${reached}${
            climbing.length ? `, ${describeClimb(climbing, false)}` : ''
          }`,
        );
      } else if (after.cycles.length) {
        score.contradict(
          CONTRADICT.belowRaisedLimit,
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
        SUPPORT.oomKills,
        'kubernetes',
        `The climbs end in OOM kills: ${listNames(
          oom.map(r => ctx.label(r)),
        )} last terminated OOMKilled`,
      );
    }
    if (ctx.logs.memory.length) {
      score.support(
        SUPPORT.oomLogs,
        'loki',
        describeLogGroup(ctx.logs.memory[0]),
      );
    }
  }

  if (withSeries.length === 0) {
    if (ctx.unavailable.prometheus) {
      score.limit(
        SOURCE_FACTORS.prometheusWithoutSeries,
        'prometheus',
        `${ctx.unavailable.prometheus}: the working set between restarts could not be examined`,
      );
    } else {
      score.contradict(
        CONTRADICT.noSeries,
        'prometheus',
        'No working set series: the climb between restarts could not be examined',
      );
    }
  } else {
    limitBySources(ctx, score, {
      prometheus: [
        SOURCE_FACTORS.prometheus,
        'some working set series are missing',
      ],
    });
  }
  return score;
}
