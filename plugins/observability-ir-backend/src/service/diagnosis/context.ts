import {
  EvidenceSource,
  LogErrorGroup,
  PodEvent,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { ClassifiedLogs, classifyLogs, notableLogs } from '../logs/logFacts';
import { analyseCpu, ContainerCpu } from '../metrics/cpuFacts';
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
import { DiagnosisInput } from './types';

const SOURCE_NAMES: Record<EvidenceSource, string> = {
  kubernetes: 'Kubernetes',
  prometheus: 'Prometheus',
  loki: 'Loki',
};

/** The facts every hypothesis weighs, derived once from the input. */
export interface DiagnosisContext {
  input: DiagnosisInput;
  now: Date;
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
  memory: ContainerMemory[];
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
export function buildContext(raw: DiagnosisInput, now: Date): DiagnosisContext {
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
  return {
    input,
    now,
    unavailable: unavailableSources(input),
    label,
    restarts: restarts.of,
    restartsFromRange: restarts.fromRange,
    totalRestarts: restarts.total,
    readiness: analyseReadiness(metrics.ready, metrics.restarts),
    memory: analyseMemory(replicas, metrics),
    cpu: analyseCpu(replicas, metrics.cpu),
    probes: probeFailures(input.events),
    probeKills: probeKills(input.events),
    logs: classifyLogs(input.logGroups),
    timelineTerminations: terminationsByReason(input.timeline.events),
    notableLogs: notableLogs(input.logGroups),
  };
}
