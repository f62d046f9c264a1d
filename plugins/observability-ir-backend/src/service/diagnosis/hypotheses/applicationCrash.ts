import { errorCarryingGroup } from '../../logs/logFacts';
import { isFailureExit } from '../../replicas/exitFacts';
import { DiagnosisContext } from '../context';
import { listNames, plural } from '../format';
import { EvidenceScore } from '../score';
import {
  crashed,
  describeTimelineTerminations,
  timelineTerminationsWithoutReplicas,
  describeLogGroup,
  describeTermination,
  killedBySignal,
  limitBySources,
  memoryErrorExits,
  oomKilled,
  peakBelowLimit,
  supportEach,
  timelineOomKills,
} from './common';

/** Points each fact for an application crash adds. */
export const SUPPORT = {
  /** Exits with a failure code (not 0, 137, 143, not OOMKilled). */
  failureExit: 1.5,
  /** … and containers waiting in CrashLoopBackOff. */
  crashLoop: 0.5,
  /** Restarts in the range (Prometheus), no OOM kill known, no Kubernetes. */
  restartsWithoutOomKill: 0.4,
  /** An exception log group, with exits or a crash loop. */
  exceptionsWithExits: 0.8,
  /** An exception log group, without them. */
  exceptions: 0.3,
  /** Terminations after error lines of the same pod. */
  errorsBeforeTerminations: 0.3,
  /** The working set well below the limit. */
  normalMemory: 0.2,
} as const;

/** Points each fact against an application crash takes away. */
export const CONTRADICT = {
  /** Containers OOMKilled. */
  oomKilled: 1,
  /** Containers killed by a signal, none exited on its own. */
  killedBySignal: 0.8,
  /** No termination nor restart. */
  noTermination: 1.5,
  /** The exits follow the runtime's memory errors: out of memory. */
  memoryErrorExits: 1.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Share of the terminations that followed error lines. */
  errorsBeforeShare: 0.5,
  /** The working set peaked below this share of the limit. */
  normalMemoryShare: 0.8,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.6,
  loki: 0.9,
} as const;

/**
 * The process exits on its own: exit codes other than 137/143,
 * CrashLoopBackOff, exceptions in its logs, memory well below the limit.
 */
export function applicationCrash(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore('application-crash', 'Application crash');
  const { input } = ctx;
  const exits = crashed(ctx);
  const crashLoop = input.replicas.filter(
    r =>
      r.current.state === 'waiting' && r.current.reason === 'CrashLoopBackOff',
  );
  const oom = oomKilled(ctx);
  const killed = killedBySignal(ctx);
  const timelineExits = timelineTerminationsWithoutReplicas(ctx, isFailureExit);
  if (timelineExits.length) {
    score.support(
      SUPPORT.failureExit,
      'prometheus',
      describeTimelineTerminations(ctx, timelineExits),
    );
  }

  if (exits.length) {
    supportEach(
      score,
      SUPPORT.failureExit,
      'kubernetes',
      exits.map(r => describeTermination(ctx, r)),
      n => `${plural(n, 'more container')} exited with a failure code`,
    );
    if (crashLoop.length) {
      score.support(
        SUPPORT.crashLoop,
        'kubernetes',
        `${listNames(crashLoop.map(r => ctx.label(r)))} ${
          crashLoop.length === 1 ? 'is' : 'are'
        } waiting in CrashLoopBackOff`,
      );
    }
  }
  // Without Kubernetes and without terminations on the timeline, restarts
  // from Prometheus that were not OOM kills still say the process ends.
  const restartsOnly =
    input.replicas.length === 0 &&
    timelineExits.length === 0 &&
    ctx.restartsFromRange &&
    ctx.totalRestarts > 0 &&
    timelineOomKills(ctx).length === 0;
  if (restartsOnly) {
    score.support(
      SUPPORT.restartsWithoutOomKill,
      'prometheus',
      `${plural(
        ctx.totalRestarts,
        'restart',
      )} in the range, none known to be OOMKilled (exit codes unknown)`,
    );
  }
  const exited = exits.length > 0 || timelineExits.length > 0 || restartsOnly;
  const exceptions = ctx.logs.exceptions;
  if (exceptions.length) {
    const weight =
      exited || crashLoop.length
        ? SUPPORT.exceptionsWithExits
        : SUPPORT.exceptions;
    const carrying = errorCarryingGroup(exceptions)!;
    score.support(weight, 'loki', describeLogGroup(carrying));
    for (const group of exceptions.filter(g => g !== carrying).slice(0, 2)) {
      score.note('loki', describeLogGroup(group));
    }
  }
  const correlation = input.timeline.correlation;
  if (
    exited &&
    correlation.terminations > 0 &&
    correlation.withErrorsBefore / correlation.terminations >=
      THRESHOLDS.errorsBeforeShare
  ) {
    score.support(
      SUPPORT.errorsBeforeTerminations,
      'loki',
      `${correlation.withErrorsBefore} of ${plural(
        correlation.terminations,
        'termination',
      )} followed error lines of the same pod within 30 s`,
    );
  }
  if (exited) {
    const peak = peakBelowLimit(ctx.memory, THRESHOLDS.normalMemoryShare);
    if (peak) {
      score.support(
        SUPPORT.normalMemory,
        'prometheus',
        `${peak}: memory did not end it`,
      );
    }
  }

  const outOfMemory = memoryErrorExits(ctx);
  if (outOfMemory.length) {
    score.contradict(
      CONTRADICT.memoryErrorExits,
      'loki',
      `${listNames(
        outOfMemory.map(r => ctx.label(r)),
      )} exited after ${describeLogGroup(
        ctx.logs.memory[0],
      )}: the runtime ran out of memory, more memory for it is the fix, not a code change`,
    );
  }
  if (oom.length) {
    score.contradict(
      CONTRADICT.oomKilled,
      'kubernetes',
      `${listNames(
        oom.map(r => ctx.label(r)),
      )} last terminated OOMKilled (exit 137): the kernel killed the process at its memory limit, it did not exit on its own`,
    );
  }
  if (killed.length && !exited) {
    const t = killed[0].lastTermination!;
    score.contradict(
      CONTRADICT.killedBySignal,
      'kubernetes',
      `${listNames(killed.map(r => ctx.label(r)))} ended with exit ${
        t.exitCode
      } (${t.reason}): killed by a signal, not crashed`,
    );
  }
  if (
    !exited &&
    oom.length === 0 &&
    killed.length === 0 &&
    ctx.totalRestarts === 0 &&
    !ctx.unavailable.kubernetes
  ) {
    score.contradict(
      CONTRADICT.noTermination,
      'kubernetes',
      `No container terminated or restarted${
        ctx.restartsFromRange ? ' in the range' : ''
      }`,
    );
  }
  limitBySources(ctx, score, {
    kubernetes: [SOURCE_FACTORS.kubernetes, 'exit codes could not be read'],
    loki: [SOURCE_FACTORS.loki, 'exceptions could not be looked for'],
  });
  return score;
}
