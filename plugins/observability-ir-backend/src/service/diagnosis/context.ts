import {
  EvidenceSource,
  LogErrorGroup,
  PodEvent,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { ClassifiedLogs, classifyLogs, notableLogs } from '../logs/logFacts';
import { analyseCpu, ContainerCpu } from '../metrics/cpuFacts';
import { MIN_CYCLE_POINTS } from '../metrics/memoryCycles';
import { analyseMemory, ContainerMemory } from '../metrics/memoryFacts';
import {
  analyseReadiness,
  ContainerReadiness,
} from '../metrics/readinessFacts';
import { analyseRestarts } from '../metrics/restartFacts';
import { withFinitePoints } from '../metrics/seriesFacts';
import {
  ProbeFailure,
  probeFailures,
  probeKills,
} from '../replicas/probeFacts';
import { terminationsByReason } from '../timeline/terminationFacts';
import { describeDuration } from './format';
import { DiagnosisInput } from './types';

const SOURCE_NAMES: Record<EvidenceSource, string> = {
  kubernetes: 'Kubernetes',
  prometheus: 'Prometheus',
  loki: 'Loki',
  alertmanager: 'Alertmanager',
};

/** The facts every hypothesis weighs, derived once from the input. */
export interface DiagnosisContext {
  input: DiagnosisInput;
  now: Date;
  /** The start of the range; terminations before it are context only. */
  start?: Date;
  /**
   * Whether a container's last termination happened within the range (or
   * at an unknown time). A kill hours before the range is context, not
   * evidence of what happens in it.
   */
  terminatedInRange(replica: Replica): boolean;
  /** A sentence saying why a source is missing, when it is. */
  unavailable: Partial<Record<EvidenceSource, string>>;
  /**
   * A name for a container of a replica: the pod, `pod/container` when pods
   * have several containers, prefixed with `cluster/` when there are
   * several clusters.
   */
  label(replica: { cluster?: string; pod: string; container?: string }): string;
  /** Restarts within the range (from Prometheus), else the restart count. */
  restarts(replica: Replica): number;
  /** Whether Prometheus gave the restarts within the range. */
  restartsFromRange: boolean;
  /**
   * Restarts of all containers: in the range when Prometheus gave them,
   * else the restart counts.
   */
  totalRestarts: number;
  /** Readiness per container from Prometheus, with restarts in the range. */
  readiness: ContainerReadiness[];
  /** Memory per container over the range. */
  memory: ContainerMemory[];
  /**
   * Memory per container as its runs' shapes are read: over the look-back
   * when the input has one and its step resolves the runs, else over the
   * range. `over` says which, for sentences.
   */
  runShapes: Array<ContainerMemory & { over: string }>;
  /** The look-back the run shapes were read over, when there was one. */
  lookback?: LookbackUsed;
  cpu: ContainerCpu[];
  probes: ProbeFailure[];
  /** `Killing` events of the kubelet after failed liveness/startup probes. */
  probeKills: PodEvent[];
  logs: ClassifiedLogs;
  /** Timeline terminations by reason. */
  timelineTerminations: Map<string, number>;
  /** Log groups worth mentioning: 10 lines or more. */
  notableLogs: LogErrorGroup[];
}

/** The look-back the diagnosis read, as the response reports it. */
export interface LookbackUsed {
  /** Unix milliseconds: the first point Prometheus held, else the start asked for. */
  fromMs: number;
  toMs: number;
  /** `the last 24 h`, or `the last 6 h (all Prometheus holds of the 24 h look-back)`. */
  description: string;
}

/** Why each source that did not answer (in some cluster) is missing. */
function unavailableSources(
  input: DiagnosisInput,
): Partial<Record<EvidenceSource, string>> {
  const result: Partial<Record<EvidenceSource, string>> = {};
  for (const source of Object.keys(SOURCE_NAMES) as EvidenceSource[]) {
    const failed = input.sources.filter(
      s => s.source === source && s.status !== 'ok',
    );
    if (failed.length === 0) {
      continue;
    }
    const reasons = failed.map(s =>
      s.status === 'not-configured'
        ? `${s.cluster}: not configured`
        : `${s.cluster}: ${s.error ?? 'no answer'}`,
    );
    result[source] = failed.every(s => s.status === 'not-configured')
      ? `${SOURCE_NAMES[source]} is not configured (${failed
          .map(s => s.cluster)
          .join(', ')})`
      : `${SOURCE_NAMES[source]} did not answer (${reasons.join('; ')})`;
  }
  return result;
}

/**
 * Assembles a {@link DiagnosisContext} from the facts of each kind of
 * evidence: metrics without their NaN/Inf points, replicas and their
 * events, log groups and the timeline.
 */
export function buildContext(
  raw: DiagnosisInput,
  now: Date,
  start?: Date,
): DiagnosisContext {
  const input = { ...raw, metrics: withFinitePoints(raw.metrics) };
  const { replicas, metrics } = input;
  const containerNames = new Set(replicas.map(r => r.container));
  const clusters = new Set(
    [...replicas, ...metrics.memory.workingSet].map(r => r.cluster),
  );
  const label = (r: { cluster?: string; pod: string; container?: string }) => {
    const pod =
      containerNames.size > 1 && r.container
        ? `${r.pod}/${r.container}`
        : r.pod;
    return clusters.size > 1 && r.cluster ? `${r.cluster}/${pod}` : pod;
  };
  const restarts = analyseRestarts(replicas, metrics.restarts);
  const memory = analyseMemory(replicas, metrics);
  const { runShapes, lookback } = readRunShapes(input, memory);
  return {
    input,
    now,
    start,
    terminatedInRange: replica => {
      const finished = replica.lastTermination?.finishedAt;
      return (
        !start ||
        finished === undefined ||
        !(Date.parse(finished) < start.getTime())
      );
    },
    unavailable: unavailableSources(input),
    label,
    restarts: restarts.of,
    restartsFromRange: restarts.fromRange,
    totalRestarts: restarts.total,
    readiness: analyseReadiness(metrics.ready, metrics.restarts),
    memory,
    runShapes,
    lookback,
    cpu: analyseCpu(replicas, metrics.cpu),
    probes: probeFailures(input.events),
    probeKills: probeKills(input.events),
    logs: classifyLogs(input.logGroups),
    timelineTerminations: terminationsByReason(input.timeline.events),
    notableLogs: notableLogs(input.logGroups),
  };
}

/** A look-back whose data starts this many steps late still covers it all. */
const LOOKBACK_SLACK_STEPS = 2;

/**
 * The memory whose run shapes the hypotheses weigh: per container, the
 * look-back's when its step resolves the runs (each run three steps or
 * longer) and it holds a run, else the range's.
 */
function readRunShapes(
  input: DiagnosisInput,
  memory: ContainerMemory[],
): Pick<DiagnosisContext, 'runShapes' | 'lookback'> {
  const inRange = (m: ContainerMemory) => ({ ...m, over: 'in the range' });
  const raw = input.lookback;
  if (!raw) {
    return { runShapes: memory.map(inRange) };
  }
  const clean = withFinitePoints({
    ...raw.metrics,
    cpu: { usage: [], limit: [], throttledShare: [] },
    ready: [],
  });
  const trend = analyseMemory(input.replicas, clean);
  const firstPoint = Math.min(
    ...clean.memory.workingSet.flatMap(s => s.points.map(p => p[0])),
  );
  if (!Number.isFinite(firstPoint)) {
    return { runShapes: memory.map(inRange) };
  }
  const asked = raw.endMs - raw.startMs;
  const held = raw.endMs - firstPoint;
  const lookback: LookbackUsed = {
    fromMs: Math.max(raw.startMs, firstPoint),
    toMs: raw.endMs,
    description:
      held < asked - LOOKBACK_SLACK_STEPS * raw.stepSeconds * 1000
        ? `the last ${describeDuration(
            held,
          )} (all Prometheus holds of the ${describeDuration(asked)} look-back)`
        : `the last ${describeDuration(asked)}`,
  };
  let used = false;
  const runShapes = memory.map(m => {
    const t = trend.find(
      x => x.cluster === m.cluster && x.container === m.container,
    );
    if (t && t.resolved && t.cycles.some(c => c.points >= MIN_CYCLE_POINTS)) {
      used = true;
      return { ...t, over: `over ${lookback.description}` };
    }
    return inRange(m);
  });
  return used ? { runShapes, lookback } : { runShapes };
}
