import { isSignalKill } from '../../replicas/exitFacts';
import { ProbeFailure } from '../../replicas/probeFacts';
import { DiagnosisContext } from '../context';
import { listNames, plural } from '../format';
import { EvidenceScore } from '../score';
import {
  crashed,
  describeForensics,
  describeTimelineTerminations,
  timelineTerminationsWithoutReplicas,
  describeTermination,
  killedBySignal,
  limitBySources,
  oomKilled,
  peakBelowLimit,
  supportEach,
} from './common';

/** Points each fact for a misconfigured probe adds. */
export const SUPPORT = {
  /** Liveness/startup `Unhealthy` events. */
  livenessFailures: 1,
  /** Kubelet `Killing … failed liveness probe` events. */
  probeKills: 1,
  /** Exits 137/143, not OOMKilled (from the timeline without Kubernetes). */
  killedBySignal: 0.7,
  /** Readiness answered with an HTTP client error: the path is wrong. */
  wrongPath: 0.8,
  /** Readiness refused on running, unready, non-restarting pods. */
  refusedWhileRunning: 0.5,
  /** The working set well below the limit. */
  normalMemory: 0.3,
  /** No exception or OOM log lines. */
  noFailureLogs: 0.3,
  /**
   * Node forensics: the app listens on other ports than the ones the probe
   * and Service use, or not on all of them.
   */
  forensicsWrongPort: 1.2,
} as const;

/** Points each fact against a misconfigured probe takes away. */
export const CONTRADICT = {
  /** Containers OOMKilled. */
  oomKilled: 1,
  /** Exit codes of a crash. */
  crashExit: 0.8,
  /** No probe failed. */
  noProbeFailure: 1,
  /** Exceptions or OOM errors logged. */
  failureLogs: 0.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Readiness statuses below this are the client's error (4xx). */
  wrongPathStatusBelow: 500,
  /** The working set peaked below this share of the limit. */
  normalMemoryShare: 0.9,
  /** A log group of this many lines is a failure the process reported. */
  failureLogLines: 3,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.5,
} as const;

/** `12× on checkout-api-v1-abc: Liveness probe failed: …`. */
export function describeProbeFailures(failures: ProbeFailure[]): string[] {
  const byMessage = new Map<string, ProbeFailure[]>();
  for (const f of failures) {
    // The pod IP differs per pod: group by what the probe did.
    const key = f.event.message.replace(/\d+\.\d+\.\d+\.\d+/g, '<ip>');
    byMessage.set(key, [...(byMessage.get(key) ?? []), f]);
  }
  return [...byMessage.values()]
    .sort((a, b) => count(b) - count(a))
    .map(
      fs =>
        `${count(fs)}× on ${listNames(fs.map(f => f.event.pod))}: ${
          fs[0].event.message
        }`,
    );
}

function count(failures: ProbeFailure[]): number {
  return failures.reduce((sum, f) => sum + Math.max(1, f.event.count), 0);
}

/**
 * A probe points at the wrong port or path: liveness failures and kubelet
 * kills (exit 137/143, not OOMKilled) of a process that started fine and
 * uses normal memory.
 */
export function probeMisconfiguration(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore(
    'probe-misconfiguration',
    'Probe misconfiguration',
  );
  const liveness = ctx.probes.filter(p => p.probe !== 'readiness');
  const readiness = ctx.probes.filter(p => p.probe === 'readiness');
  const killed = killedBySignal(ctx);
  const oom = oomKilled(ctx);
  const exits = crashed(ctx);

  if (liveness.length) {
    const [first, ...rest] = describeProbeFailures(liveness);
    score.support(SUPPORT.livenessFailures, 'kubernetes', first);
    rest.slice(0, 2).forEach(s => score.note('kubernetes', s));
  }
  if (ctx.probeKills.length) {
    const kills = ctx.probeKills.reduce((s, e) => s + Math.max(1, e.count), 0);
    score.support(
      SUPPORT.probeKills,
      'kubernetes',
      `${plural(kills, 'Killing event')} on ${listNames(
        ctx.probeKills.map(e => e.pod),
      )}: ${ctx.probeKills[0].message}`,
    );
  }
  if (killed.length) {
    supportEach(
      score,
      SUPPORT.killedBySignal,
      'kubernetes',
      killed.map(
        r =>
          `${describeTermination(
            ctx,
            r,
          )}, not OOMKilled: killed by the kubelet`,
      ),
      n => `${plural(n, 'more container')} killed the same way`,
    );
  }
  const timelineKills = timelineTerminationsWithoutReplicas(ctx, isSignalKill);
  if (timelineKills.length) {
    score.support(
      SUPPORT.killedBySignal,
      'prometheus',
      `${describeTimelineTerminations(
        ctx,
        timelineKills,
      )}, not OOMKilled: killed by a signal`,
    );
  }
  const wrongPath = readiness.filter(
    p =>
      p.cause === 'http-status' &&
      p.status !== undefined &&
      p.status < THRESHOLDS.wrongPathStatusBelow,
  );
  if (wrongPath.length) {
    score.support(
      SUPPORT.wrongPath,
      'kubernetes',
      `${describeProbeFailures(wrongPath)[0]}: the path does not exist`,
    );
  }
  // Refused on pods that run, stay unready and do not restart: not a
  // start-up that is still in progress.
  const unready = ctx.input.replicas.filter(
    r => r.current.state === 'running' && !r.ready && ctx.restarts(r) === 0,
  );
  const refused = readiness.filter(
    p =>
      p.cause === 'connection-refused' &&
      unready.some(r => r.pod === p.event.pod && r.cluster === p.event.cluster),
  );
  const restarting = oom.length + exits.length > 0;
  const refusedStable =
    refused.length > 0 && !restarting && ctx.totalRestarts === 0;
  if (refusedStable) {
    score.support(
      SUPPORT.refusedWhileRunning,
      'kubernetes',
      `${
        describeProbeFailures(refused)[0]
      } while the container runs without restarts: nothing listens on the probed port`,
    );
  }

  const probeKilled =
    liveness.length +
      ctx.probeKills.length +
      killed.length +
      timelineKills.length >
    0;
  if (probeKilled || wrongPath.length || refusedStable) {
    const peak = peakBelowLimit(ctx.memory, THRESHOLDS.normalMemoryShare);
    if (peak) {
      score.support(
        SUPPORT.normalMemory,
        'prometheus',
        `${peak}: memory is normal`,
      );
    }
    const failures = [...ctx.logs.memory, ...ctx.logs.exceptions].filter(
      g => g.count >= THRESHOLDS.failureLogLines,
    );
    if (!ctx.unavailable.loki) {
      if (failures.length === 0) {
        score.support(
          SUPPORT.noFailureLogs,
          'loki',
          'No exception or out-of-memory error lines in the logs: the process reported no failure',
        );
      } else {
        score.contradict(
          CONTRADICT.failureLogs,
          'loki',
          `The process logged failures: "${failures[0].signature}" (${plural(
            failures[0].count,
            'line',
          )})`,
        );
      }
    }
  }

  if (oom.length) {
    score.contradict(
      CONTRADICT.oomKilled,
      'kubernetes',
      `${listNames(
        oom.map(r => ctx.label(r)),
      )} were OOMKilled: the kernel killed them, not the kubelet after failed probes`,
    );
  }
  if (exits.length) {
    const t = exits[0].lastTermination!;
    score.contradict(
      CONTRADICT.crashExit,
      'kubernetes',
      `${listNames(exits.map(r => ctx.label(r)))} exited on their own (exit ${
        t.exitCode
      }, ${t.reason})`,
    );
  }
  if (ctx.probes.length === 0 && !ctx.unavailable.kubernetes) {
    score.contradict(
      CONTRADICT.noProbeFailure,
      'kubernetes',
      'No probe failed (no Unhealthy events)',
    );
  }
  const forensics = ctx.input.forensics?.verdict.kind;
  if (forensics === 'wrong-port' || forensics === 'missing-port') {
    score.support(
      SUPPORT.forensicsWrongPort,
      'forensics',
      describeForensics(ctx)!,
    );
  }
  limitBySources(ctx, score, {
    kubernetes: [SOURCE_FACTORS.kubernetes, 'probe events could not be read'],
  });
  return score;
}
