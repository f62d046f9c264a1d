import {
  describeBytes,
  EvidenceSource,
  LogErrorGroup,
  Replica,
  TimelineEvent,
} from '@observability-ir/plugin-observability-ir-common';
import { errorStatement, rootCause } from '../../logs/logFacts';
import { ContainerMemory, PodCycle } from '../../metrics/memoryFacts';
import {
  ContainerExit,
  isFailureExit,
  isSignalKill,
  wasOomKilled,
} from '../../replicas/exitFacts';
import { oomKillsOf } from '../../timeline/terminationFacts';
import { DiagnosisContext } from '../context';
import { describeTime, listNames, percent, plural } from '../format';
import { EvidenceScore } from '../score';

/**
 * Containers whose last (or current) termination, within the range, was an
 * OOM kill.
 */
export function oomKilled(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(
    r => wasOomKilled(r) && ctx.terminatedInRange(r),
  );
}

/** Containers last OOMKilled before the range: context, not evidence. */
export function oomKilledBeforeRange(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(
    r => wasOomKilled(r) && !ctx.terminatedInRange(r),
  );
}

/** Containers that exited on their own with a failure code in the range. */
export function crashed(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(
    r =>
      r.lastTermination !== undefined &&
      isFailureExit(r.lastTermination) &&
      ctx.terminatedInRange(r),
  );
}

/**
 * Containers that exited on their own in the range, with a failure code,
 * from pods that logged a memory error of their runtime: the runtime ran
 * out of the memory it may use (its own heap cap) and ended the process,
 * before the kernel's OOM killer had to.
 */
export function memoryErrorExits(ctx: DiagnosisContext): Replica[] {
  const pods = new Set(ctx.logs.memory.flatMap(g => g.pods));
  return crashed(ctx).filter(r => pods.has(r.pod));
}

/** Containers killed in the range by a signal that was not the OOM killer's. */
export function killedBySignal(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(
    r =>
      r.lastTermination !== undefined &&
      isSignalKill(r.lastTermination) &&
      ctx.terminatedInRange(r),
  );
}

/**
 * When some replicas of a container were OOMKilled in the range and others
 * were not, names the affected ones: `Only checkout-api-7d9f-b of 3
 * replicas of container checkout-api was OOMKilled; the others peaked at
 * 310Mi`. Undefined when every replica was.
 */
export function describeAffectedReplicas(
  ctx: DiagnosisContext,
  killed: Replica[],
): string | undefined {
  const sentences: string[] = [];
  const key = (r: { cluster: string; container?: string }) =>
    `${r.cluster}\u0000${r.container ?? ''}`;
  for (const group of new Set(killed.map(key))) {
    const all = ctx.input.replicas.filter(r => key(r) === group);
    const hit = killed.filter(r => key(r) === group);
    if (all.length < 2 || hit.length >= all.length) {
      continue;
    }
    const spared = all.filter(r => !hit.includes(r));
    const peaks = spared
      .map(r => peakOfPod(ctx, r))
      .filter((v): v is number => v !== undefined);
    const others = peaks.length
      ? `; the others peaked at ${describeBytes(Math.max(...peaks))}`
      : '';
    sentences.push(
      `Only ${listNames(hit.map(r => ctx.label(r)))} of ${
        all.length
      } replicas of container ${hit[0].container} ${
        hit.length === 1 ? 'was' : 'were'
      } OOMKilled${others}: the affected ${
        hit.length === 1 ? 'replica needs' : 'replicas need'
      } more memory than the others`,
    );
  }
  return sentences.length ? sentences.join('. ') : undefined;
}

/** The highest working set of one pod's container over the range. */
function peakOfPod(ctx: DiagnosisContext, replica: Replica) {
  const cycles = ctx.memory
    .filter(
      m =>
        m.cluster === replica.cluster &&
        m.container === (replica.container ?? ''),
    )
    .flatMap(m => m.cycles)
    .filter(c => c.pod === replica.pod);
  return cycles.length ? Math.max(...cycles.map(c => c.peak)) : undefined;
}

/**
 * `checkout-api-7d9f-abc was last OOMKilled at 09:12:00Z, before the range:
 * context, not evidence of what happens in it`.
 */
export function describeEarlierKills(
  ctx: DiagnosisContext,
  replicas: Replica[],
): string {
  const latest = replicas
    .map(r => r.lastTermination?.finishedAt)
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
  return `${listNames(replicas.map(r => ctx.label(r)))} ${
    replicas.length === 1 ? 'was' : 'were'
  } last OOMKilled${
    latest ? ` at ${describeTime(latest, ctx.now)}` : ''
  }, before the range: context, not evidence of what happens in it`;
}

/** "checkout-api-v1-abc: 45 restarts, last terminated OOMKilled (exit 137) at 14:02:10Z". */
export function describeTermination(
  ctx: DiagnosisContext,
  replica: Replica,
): string {
  const t = replica.lastTermination;
  const inRange = ctx.restarts(replica);
  const restarts =
    ctx.restartsFromRange && inRange !== replica.restartCount
      ? `${plural(replica.restartCount, 'restart')} (${inRange} in the range)`
      : plural(replica.restartCount, 'restart');
  if (!t) {
    return `${ctx.label(replica)}: ${restarts}`;
  }
  const at = t.finishedAt ? ` at ${describeTime(t.finishedAt, ctx.now)}` : '';
  return `${ctx.label(replica)}: ${restarts}, last terminated ${
    t.reason
  } (exit ${t.exitCode})${at}`;
}

/** The sources a hypothesis' evidence items name (alerts count as Prometheus'). */
type ScoredSource = Exclude<EvidenceSource, 'alertmanager'>;

/**
 * Adds one item per replica (at most three) and one for the rest; the
 * weight counts once.
 */
export function supportEach(
  score: EvidenceScore,
  weight: number,
  source: ScoredSource,
  sentences: string[],
  rest: (count: number) => string,
): void {
  sentences.slice(0, 3).forEach((sentence, i) => {
    if (i === 0) {
      score.support(weight, source, sentence);
    } else {
      score.note(source, sentence);
    }
  });
  if (sentences.length > 3) {
    score.note(source, rest(sentences.length - 3));
  }
}

/**
 * `"java.lang.OutOfMemoryError: Java heap space": 88 error lines in a and
 * b`, and the root cause when the stack trace names a deeper one.
 */
export function describeLogGroup(group: LogErrorGroup): string {
  const pods = group.pods.length ? ` in ${listNames(group.pods)}` : '';
  const cause = errorStatement(group);
  let causedBy = '';
  if (cause && !group.signature.includes(cause)) {
    causedBy = rootCause(group) ? `, caused by ${cause}` : `: ${cause}`;
  }
  return `"${group.signature}": ${plural(
    group.count,
    'error line',
  )}${pods}${causedBy}`;
}

/** The memory of the containers that matter: these ones, else all. */
export function memoryOf(
  ctx: DiagnosisContext,
  containers: Array<{ cluster: string; container?: string }> = [],
): ContainerMemory[] {
  if (containers.length === 0) {
    return ctx.memory;
  }
  return ctx.memory.filter(m =>
    containers.some(
      c => c.cluster === m.cluster && (c.container ?? '') === m.container,
    ),
  );
}

/**
 * The first container whose working set peaked below `share` of its limit,
 * described: `api: working set peaked at 200Mi, 39% of the 512Mi limit`.
 */
export function peakBelowLimit(
  memory: ContainerMemory[],
  share: number,
): string | undefined {
  for (const m of memory) {
    const limit = m.peak?.limit ?? m.currentLimit;
    if (m.peak && limit && m.peak.bytes / limit < share) {
      return `${m.name}: working set peaked at ${describeBytes(
        m.peak.bytes,
      )}, ${percent(m.peak.bytes / limit)} of the ${describeBytes(
        limit,
      )} limit`;
    }
  }
  return undefined;
}

/** How a container's working set fared after its memory limit was raised. */
export type AfterRaise = {
  /** `after limits.memory was raised from 512Mi to 768Mi at 12:05:00Z` */
  raised: string;
  /** The limit after the raise. */
  newLimit: number;
  /** The cycles that ended after the raise. */
  cycles: PodCycle[];
  /** Their highest working set; 0 when there are none. */
  peak: number;
};

/** What followed the raise of the container's memory limit, if it had one. */
export function afterRaise(
  ctx: DiagnosisContext,
  m: ContainerMemory,
): AfterRaise | undefined {
  const raise = m.raise;
  if (!raise) {
    return undefined;
  }
  const cycles = m.cycles.filter(c => c.endMs > raise.atMs);
  return {
    raised: `after limits.memory was raised from ${describeBytes(
      raise.from,
    )} to ${describeBytes(raise.to)} at ${describeTime(raise.atMs, ctx.now)}`,
    newLimit: raise.to,
    cycles,
    peak: Math.max(0, ...cycles.map(c => c.peak)),
  };
}

/**
 * Terminations on the timeline that match, when Kubernetes gave no
 * containers (the timeline comes from Prometheus too).
 */
export function timelineTerminationsWithoutReplicas(
  ctx: DiagnosisContext,
  accept: (exit: ContainerExit) => boolean,
): TimelineEvent[] {
  if (ctx.input.replicas.length) {
    return [];
  }
  return ctx.input.timeline.events.filter(
    e =>
      e.kind === 'termination' &&
      e.exitCode !== undefined &&
      accept({ reason: e.reason, exitCode: e.exitCode }),
  );
}

/** `12 terminations in the range ended with exit 1 (Error) on a and b`. */
export function describeTimelineTerminations(
  ctx: DiagnosisContext,
  events: TimelineEvent[],
): string {
  const first = events[0];
  return `${plural(
    events.length,
    'termination',
  )} in the range ended with exit ${first.exitCode} (${
    first.reason ?? 'unknown reason'
  }) on ${listNames(events.map(e => ctx.label(e)))}, the last at ${describeTime(
    events[events.length - 1].time,
    ctx.now,
  )}`;
}

/** OOMKilled terminations on the timeline, as cluster and container. */
export function timelineOomKills(
  ctx: DiagnosisContext,
): Array<{ cluster: string; container?: string; pod: string }> {
  return oomKillsOf(ctx.input.timeline.events);
}

/** Lowers confidence for each source a hypothesis needs and lacks. */
export function limitBySources(
  ctx: DiagnosisContext,
  score: EvidenceScore,
  needs: Partial<Record<ScoredSource, [number, string]>>,
): void {
  for (const [source, [factor, consequence]] of Object.entries(needs) as Array<
    [ScoredSource, [number, string]]
  >) {
    const why = ctx.unavailable[source];
    if (why) {
      score.limit(factor, source, `${why}: ${consequence}`);
    }
  }
}

/** A node-forensics verdict as one evidence sentence. */
export function describeForensics(ctx: DiagnosisContext): string | undefined {
  const forensics = ctx.input.forensics;
  return (
    forensics &&
    `Node forensics on ${forensics.pod} (${forensics.finishedAt}): ${forensics.verdict.sentence}`
  );
}
