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
  oomKilled,
  peakBelowLimit,
  supportEach,
  timelineOomKills,
} from './common';

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
      1.5,
      'prometheus',
      describeTimelineTerminations(ctx, timelineExits),
    );
  }

  if (exits.length) {
    supportEach(
      score,
      1.5,
      'kubernetes',
      exits.map(r => describeTermination(ctx, r)),
      n => `${plural(n, 'more container')} exited with a failure code`,
    );
    if (crashLoop.length) {
      score.support(
        0.5,
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
      0.4,
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
    const weight = exited || crashLoop.length ? 0.8 : 0.3;
    score.support(weight, 'loki', describeLogGroup(exceptions[0]));
    for (const group of exceptions.slice(1, 3)) {
      score.note('loki', describeLogGroup(group));
    }
  }
  const correlation = input.timeline.correlation;
  if (
    exited &&
    correlation.terminations > 0 &&
    correlation.withErrorsBefore / correlation.terminations >= 0.5
  ) {
    score.support(
      0.3,
      'loki',
      `${correlation.withErrorsBefore} of ${plural(
        correlation.terminations,
        'termination',
      )} followed error lines of the same pod within 30 s`,
    );
  }
  if (exited) {
    const peak = peakBelowLimit(ctx.memory, 0.8);
    if (peak) {
      score.support(0.2, 'prometheus', `${peak}: memory did not end it`);
    }
  }

  if (oom.length) {
    score.contradict(
      1,
      'kubernetes',
      `${listNames(
        oom.map(r => ctx.label(r)),
      )} last terminated OOMKilled (exit 137): the kernel killed the process at its memory limit, it did not exit on its own`,
    );
  }
  if (killed.length && !exited) {
    const t = killed[0].lastTermination!;
    score.contradict(
      0.8,
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
      1.5,
      'kubernetes',
      `No container terminated or restarted${
        ctx.restartsFromRange ? ' in the range' : ''
      }`,
    );
  }
  limitBySources(ctx, score, {
    kubernetes: [0.6, 'exit codes could not be read'],
    loki: [0.9, 'exceptions could not be looked for'],
  });
  return score;
}
