import {
  LogErrorGroup,
  Replica,
  TimelineEvent,
} from '@observability-ir/plugin-observability-ir-common';
import {
  ContainerMemory,
  DiagnosisContext,
  KILL_EXIT_CODES,
  rootCause,
} from '../context';
import { describeTime, listNames, plural } from '../format';
import { EvidenceScore } from '../score';

/** Containers whose last (or current) termination was an OOM kill. */
export function oomKilled(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(
    r =>
      r.lastTermination?.reason === 'OOMKilled' ||
      (r.current.state === 'terminated' && r.current.reason === 'OOMKilled'),
  );
}

/** Containers that exited on their own with a failure code. */
export function crashed(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(r => {
    const t = r.lastTermination;
    return (
      t !== undefined &&
      t.reason !== 'OOMKilled' &&
      t.exitCode !== 0 &&
      !KILL_EXIT_CODES.includes(t.exitCode)
    );
  });
}

/** Containers killed by a signal that was not the OOM killer's. */
export function killedBySignal(ctx: DiagnosisContext): Replica[] {
  return ctx.input.replicas.filter(r => {
    const t = r.lastTermination;
    return (
      t !== undefined &&
      t.reason !== 'OOMKilled' &&
      KILL_EXIT_CODES.includes(t.exitCode)
    );
  });
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

/**
 * Adds one item per replica (at most three) and one for the rest; the
 * weight counts once.
 */
export function supportEach(
  score: EvidenceScore,
  weight: number,
  source: 'kubernetes' | 'prometheus' | 'loki',
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
  const cause = rootCause(group);
  const causedBy =
    cause && !group.signature.includes(cause) ? `, caused by ${cause}` : '';
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
 * Terminations on the timeline that match, when Kubernetes gave no
 * containers (the timeline comes from Prometheus too).
 */
export function timelineTerminationsWithoutReplicas(
  ctx: DiagnosisContext,
  accept: (reason: string, exitCode: number) => boolean,
): TimelineEvent[] {
  if (ctx.input.replicas.length) {
    return [];
  }
  return ctx.input.timeline.events.filter(
    e =>
      e.kind === 'termination' &&
      e.exitCode !== undefined &&
      accept(e.reason ?? '', e.exitCode),
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
  return ctx.input.timeline.events.filter(
    e => e.kind === 'termination' && e.reason === 'OOMKilled',
  );
}

/** Lowers confidence for each source a hypothesis needs and lacks. */
export function limitBySources(
  ctx: DiagnosisContext,
  score: EvidenceScore,
  needs: Partial<
    Record<'kubernetes' | 'prometheus' | 'loki', [number, string]>
  >,
): void {
  for (const [source, [factor, consequence]] of Object.entries(needs) as Array<
    ['kubernetes' | 'prometheus' | 'loki', [number, string]]
  >) {
    const why = ctx.unavailable[source];
    if (why) {
      score.limit(factor, source, `${why}: ${consequence}`);
    }
  }
}
