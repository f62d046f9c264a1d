import { isSignalKill } from '../../replicas/exitFacts';
import { ProbeFailure } from '../../replicas/probeFacts';
import { DiagnosisContext } from '../context';
import { listNames, plural } from '../format';
import { EvidenceScore } from '../score';
import {
  crashed,
  describeTimelineTerminations,
  timelineTerminationsWithoutReplicas,
  describeTermination,
  killedBySignal,
  limitBySources,
  oomKilled,
  peakBelowLimit,
  supportEach,
} from './common';

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
    score.support(1, 'kubernetes', first);
    rest.slice(0, 2).forEach(s => score.note('kubernetes', s));
  }
  if (ctx.probeKills.length) {
    const kills = ctx.probeKills.reduce((s, e) => s + Math.max(1, e.count), 0);
    score.support(
      1,
      'kubernetes',
      `${plural(kills, 'Killing event')} on ${listNames(
        ctx.probeKills.map(e => e.pod),
      )}: ${ctx.probeKills[0].message}`,
    );
  }
  if (killed.length) {
    supportEach(
      score,
      0.7,
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
      0.7,
      'prometheus',
      `${describeTimelineTerminations(
        ctx,
        timelineKills,
      )}, not OOMKilled: killed by a signal`,
    );
  }
  const wrongPath = readiness.filter(
    p => p.cause === 'http-status' && p.status !== undefined && p.status < 500,
  );
  if (wrongPath.length) {
    score.support(
      0.8,
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
      0.5,
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
    const peak = peakBelowLimit(ctx.memory, 0.9);
    if (peak) {
      score.support(0.3, 'prometheus', `${peak}: memory is normal`);
    }
    const failures = [...ctx.logs.memory, ...ctx.logs.exceptions].filter(
      g => g.count >= 3,
    );
    if (!ctx.unavailable.loki) {
      if (failures.length === 0) {
        score.support(
          0.3,
          'loki',
          'No exception or OutOfMemoryError lines in the logs: the process reported no failure',
        );
      } else {
        score.contradict(
          0.5,
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
      1,
      'kubernetes',
      `${listNames(
        oom.map(r => ctx.label(r)),
      )} were OOMKilled: the kernel killed them, not the kubelet after failed probes`,
    );
  }
  if (exits.length) {
    const t = exits[0].lastTermination!;
    score.contradict(
      0.8,
      'kubernetes',
      `${listNames(exits.map(r => ctx.label(r)))} exited on their own (exit ${
        t.exitCode
      }, ${t.reason})`,
    );
  }
  if (ctx.probes.length === 0 && !ctx.unavailable.kubernetes) {
    score.contradict(1, 'kubernetes', 'No probe failed (no Unhealthy events)');
  }
  limitBySources(ctx, score, {
    kubernetes: [0.5, 'probe events could not be read'],
  });
  return score;
}
