import {
  LogErrorGroup,
  MetricSeries,
  PodEvent,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import { DiagnosisInput } from './types';
import {
  analyseCycles,
  cycleShape,
  CycleShape,
  MemoryCycle,
} from '../metrics/memoryCycles';

/** The upstreams evidence comes from. */
export type SourceName = 'kubernetes' | 'prometheus' | 'loki';

const SOURCE_NAMES: Record<SourceName, string> = {
  kubernetes: 'Kubernetes',
  prometheus: 'Prometheus',
  loki: 'Loki',
};

/** A cycle of one pod's working set, with its shape. */
export interface PodCycle extends MemoryCycle {
  cluster: string;
  pod: string;
  shape: CycleShape;
}

/** The memory of one container (by name) across its pods. */
export interface ContainerMemory {
  cluster: string;
  container: string;
  /** For sentences: the container, with its cluster when there are several. */
  name: string;
  /** The highest working set over the range and where it was. */
  peak?: { bytes: number; pod: string; limit?: number; share?: number };
  /** The limit in force now: from Kubernetes, else the latest series point. */
  currentLimit?: number;
  /** Every cycle of every pod, in time order. */
  cycles: PodCycle[];
  /** A raise of the limit within the range. */
  raise?: { from: number; to: number; atMs: number };
  /** The pod that restarted most in the range, and how often. */
  runs?: { pod: string; restarts: number; everyMs: number };
  /**
   * False when the runs are shorter than three scrape steps: the series
   * cannot show how the working set climbs within a run.
   */
  resolved: boolean;
}

/** CPU of one container of one pod over the range. */
export interface ContainerCpu {
  cluster: string;
  pod: string;
  container: string;
  meanUsage?: number;
  limit?: number;
  meanThrottled?: number;
  /** Share of samples with more than 25% of periods throttled. */
  sustainedThrottled?: number;
}

/** A probe failure, from an `Unhealthy` event. */
export interface ProbeFailure {
  event: PodEvent;
  probe: 'liveness' | 'readiness' | 'startup';
  cause: 'connection-refused' | 'timeout' | 'http-status' | 'other';
  /** The URL or address probed, when the message names one. */
  target?: string;
  status?: number;
}

/** Log groups by what they are about. */
export interface ClassifiedLogs {
  memory: LogErrorGroup[];
  network: LogErrorGroup[];
  latency: LogErrorGroup[];
  exceptions: LogErrorGroup[];
}

/** The facts every hypothesis weighs, derived once from the input. */
export interface DiagnosisContext {
  input: DiagnosisInput;
  now: Date;
  /** A sentence saying why a source is missing, when it is. */
  unavailable: Partial<Record<SourceName, string>>;
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
  readiness: Array<{
    cluster: string;
    pod: string;
    container?: string;
    notReadyShare: number;
    /** At the last sample. */
    ready: boolean;
    restarts: number;
  }>;
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

/** Exit codes of a kill by signal: SIGKILL (137) and SIGTERM (143). */
export const KILL_EXIT_CODES = [137, 143];

/** Log groups of this many lines or more are worth mentioning. */
export const NOTABLE_LOG_LINES = 10;

/** Throttled share above which a sample counts as throttled. */
export const THROTTLED_SHARE = 0.25;

const MEMORY_LOG =
  /OutOfMemory|\bOOM\b|heap space|GC overhead limit|Cannot allocate memory|memory exhausted|heap usage above|out of memory/i;
const NETWORK_LOG =
  /ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|connection refused|connection reset|timed? ?out|timeout|no route to host|UnknownHost|Name or service not known|SocketTimeout|ConnectException|no ready endpoints/i;
const LATENCY_LOG = /slow request|latency|took \d+ ?ms|slow response/i;

function logText(group: LogErrorGroup): string {
  return [
    group.exceptionClass ?? '',
    group.signature,
    group.sample?.line ?? '',
    ...(group.sample?.stackTrace ?? []).filter(
      l => !/^\s*(at |\.\.\.)/.test(l),
    ),
  ].join(' ');
}

const EXCEPTION_LINE =
  /^(?:Caused by: )?([\w$.]+(?:Exception|Error|Throwable)\b.*)$/;

/**
 * The deepest exception a group names: the last `Caused by:` of its stack
 * trace, else its first exception line, else its exception class.
 */
export function rootCause(group: LogErrorGroup): string | undefined {
  const lines = (group.sample?.stackTrace ?? []).map(l => l.trim());
  const causes = lines.filter(l => l.startsWith('Caused by: '));
  if (causes.length) {
    return causes[causes.length - 1].slice('Caused by: '.length);
  }
  for (const line of [group.signature, ...lines]) {
    const match = EXCEPTION_LINE.exec(line);
    if (match) {
      return match[1];
    }
  }
  return group.exceptionClass;
}

function classifyLogs(groups: LogErrorGroup[]): ClassifiedLogs {
  const logs: ClassifiedLogs = {
    memory: [],
    network: [],
    latency: [],
    exceptions: [],
  };
  for (const group of groups) {
    const text = logText(group);
    if (MEMORY_LOG.test(text)) {
      logs.memory.push(group);
    } else if (NETWORK_LOG.test(text)) {
      logs.network.push(group);
    } else if (LATENCY_LOG.test(text)) {
      logs.latency.push(group);
    } else {
      logs.exceptions.push(group);
    }
  }
  return logs;
}

function parseProbe(event: PodEvent): ProbeFailure | undefined {
  if (event.reason !== 'Unhealthy') {
    return undefined;
  }
  const kind = /^(Liveness|Readiness|Startup) probe/i.exec(event.message);
  if (!kind) {
    return undefined;
  }
  const message = event.message;
  const statusMatch = /status ?code:? ?(\d{3})/i.exec(message);
  let cause: ProbeFailure['cause'] = 'other';
  if (/connection refused/i.test(message)) {
    cause = 'connection-refused';
  } else if (
    /deadline exceeded|timeout|timed out|Client\.Timeout/i.test(message)
  ) {
    cause = 'timeout';
  } else if (statusMatch) {
    cause = 'http-status';
  }
  const target =
    /Get "([^"]+)"/.exec(message)?.[1] ??
    /dial tcp ([^:\s]+:\d+)/.exec(message)?.[1];
  return {
    event,
    probe: kind[1].toLowerCase() as ProbeFailure['probe'],
    cause,
    target,
    status: statusMatch ? Number(statusMatch[1]) : undefined,
  };
}

function matches(
  series: MetricSeries,
  replica: { cluster: string; pod: string; container?: string },
): boolean {
  return (
    series.cluster === replica.cluster &&
    series.pod === replica.pod &&
    (series.container === undefined ||
      replica.container === undefined ||
      series.container === replica.container)
  );
}

function mean(values: number[]): number | undefined {
  return values.length
    ? values.reduce((a, b) => a + b, 0) / values.length
    : undefined;
}

/** The increase of a cumulative counter, counting resets. */
export function counterIncrease(points: Array<[number, number]>): number {
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const delta = points[i][1] - points[i - 1][1];
    increase += delta >= 0 ? delta : points[i][1];
  }
  return increase;
}

function valueAtTime(
  series: MetricSeries | undefined,
  ms: number,
): number | undefined {
  if (!series || series.points.length === 0) {
    return undefined;
  }
  let value = series.points[0][1];
  for (const [t, v] of series.points) {
    if (t > ms) {
      break;
    }
    value = v;
  }
  return value;
}

function analyseMemory(input: DiagnosisInput): ContainerMemory[] {
  const { workingSet, limit: limits } = input.metrics.memory;
  // One entry per cluster and container name: clusters differ in limits.
  const keys = new Map<string, { cluster: string; container: string }>();
  for (const x of [
    ...input.replicas,
    ...workingSet.map(s => ({ cluster: s.cluster, container: s.container })),
  ]) {
    const container = x.container ?? '';
    keys.set(`${x.cluster}\u0000${container}`, {
      cluster: x.cluster,
      container,
    });
  }
  const clusters = new Set([...keys.values()].map(k => k.cluster));
  const ofThis = (cluster: string, container: string) => (s: MetricSeries) =>
    s.cluster === cluster && (s.container ?? '') === container;
  const result: ContainerMemory[] = [];
  for (const key of [...keys.keys()].sort()) {
    const { cluster, container } = keys.get(key)!;
    const mine = ofThis(cluster, container);
    const replicas = input.replicas.filter(
      r => r.cluster === cluster && r.container === container,
    );
    const k8sLimits = replicas
      .map(r => r.limits.memoryBytes)
      .filter((v): v is number => v !== undefined);
    const cycles: PodCycle[] = [];
    let peak: ContainerMemory['peak'];
    let latestLimit: { ms: number; bytes: number } | undefined;
    for (const series of workingSet.filter(mine)) {
      const limitSeries = limits.find(l => matches(l, series));
      const replica = replicas.find(r => matches(series, r));
      const limitAt = (ms: number) =>
        valueAtTime(limitSeries, ms) ?? replica?.limits.memoryBytes;
      const lastLimitPoint = limitSeries?.points[limitSeries.points.length - 1];
      if (
        lastLimitPoint &&
        (!latestLimit || lastLimitPoint[0] > latestLimit.ms)
      ) {
        latestLimit = { ms: lastLimitPoint[0], bytes: lastLimitPoint[1] };
      }
      for (const cycle of analyseCycles(series.points, limitAt)) {
        cycles.push({
          ...cycle,
          cluster: series.cluster,
          pod: series.pod,
          shape: cycleShape(cycle),
        });
        if (!peak || cycle.peak > peak.bytes) {
          peak = {
            bytes: cycle.peak,
            pod: series.pod,
            limit: cycle.limit,
            share: cycle.peakShare,
          };
        }
      }
    }
    cycles.sort((a, b) => a.startMs - b.startMs);
    const currentLimit = k8sLimits.length
      ? Math.max(...k8sLimits)
      : latestLimit?.bytes;
    // A raise: a limit 5% or more above every limit before it, from the
    // limit series (in place or in new pods), else from the cycles.
    const limitPoints: Array<[number, number]> = limits
      .filter(mine)
      .flatMap(l => l.points);
    if (limitPoints.length === 0) {
      for (const cycle of cycles) {
        if (cycle.limit !== undefined) {
          limitPoints.push([cycle.startMs, cycle.limit]);
        }
      }
    }
    limitPoints.sort((a, b) => a[0] - b[0]);
    let raise: ContainerMemory['raise'];
    let highest: number | undefined;
    for (const [t, bytes] of limitPoints) {
      if (highest !== undefined && bytes > highest * 1.05) {
        raise = { from: highest, to: bytes, atMs: t };
        break;
      }
      highest = Math.max(highest ?? 0, bytes);
    }
    let runs: ContainerMemory['runs'];
    for (const series of input.metrics.restarts.filter(mine)) {
      const restarts = counterIncrease(series.points);
      const duration =
        series.points.length > 1
          ? series.points[series.points.length - 1][0] - series.points[0][0]
          : 0;
      if (restarts > 0 && duration > 0 && (!runs || restarts > runs.restarts)) {
        runs = { pod: series.pod, restarts, everyMs: duration / restarts };
      }
    }
    const steps = workingSet
      .filter(mine)
      .flatMap(s => s.points.slice(1).map((p, i) => p[0] - s.points[i][0]))
      .sort((a, b) => a - b);
    const step = steps[Math.floor(steps.length / 2)];
    const resolved = !runs || step === undefined || runs.everyMs >= 3 * step;
    if (replicas.length || cycles.length) {
      result.push({
        cluster,
        container,
        name:
          clusters.size > 1 ? `${container} in cluster ${cluster}` : container,
        peak,
        currentLimit,
        cycles,
        raise,
        runs,
        resolved,
      });
    }
  }
  return result;
}

function analyseCpu(input: DiagnosisInput): ContainerCpu[] {
  const { usage, limit, throttledShare } = input.metrics.cpu;
  const keys = new Map<string, ContainerCpu>();
  const key = (s: MetricSeries) => `${s.cluster}/${s.pod}/${s.container ?? ''}`;
  const entry = (s: MetricSeries) => {
    const k = key(s);
    let e = keys.get(k);
    if (!e) {
      e = { cluster: s.cluster, pod: s.pod, container: s.container ?? '' };
      keys.set(k, e);
    }
    return e;
  };
  for (const s of usage) {
    entry(s).meanUsage = mean(s.points.map(p => p[1]));
  }
  for (const s of limit) {
    const last = s.points[s.points.length - 1];
    if (last) {
      entry(s).limit = last[1];
    }
  }
  for (const s of throttledShare) {
    const values = s.points.map(p => p[1]);
    const e = entry(s);
    e.meanThrottled = mean(values);
    e.sustainedThrottled = values.length
      ? values.filter(v => v > THROTTLED_SHARE).length / values.length
      : undefined;
  }
  for (const replica of input.replicas) {
    const e = [...keys.values()].find(c =>
      matches(
        { cluster: c.cluster, pod: c.pod, container: c.container, points: [] },
        replica,
      ),
    );
    if (e && e.limit === undefined) {
      e.limit = replica.limits.cpuCores;
    }
  }
  return [...keys.values()];
}

function unavailableSources(
  input: DiagnosisInput,
): Partial<Record<SourceName, string>> {
  const result: Partial<Record<SourceName, string>> = {};
  for (const source of Object.keys(SOURCE_NAMES) as SourceName[]) {
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

/** Drops the NaN and ±Inf points Prometheus answers for 0/0 and the like. */
function withFinitePoints(input: DiagnosisInput): DiagnosisInput {
  const clean = (list: MetricSeries[]) =>
    list.map(s => ({
      ...s,
      points: s.points.filter(
        p => Number.isFinite(p[0]) && Number.isFinite(p[1]),
      ),
    }));
  const { memory, cpu, restarts, ready } = input.metrics;
  return {
    ...input,
    metrics: {
      memory: {
        workingSet: clean(memory.workingSet),
        limit: clean(memory.limit),
        request: clean(memory.request),
      },
      cpu: {
        usage: clean(cpu.usage),
        limit: clean(cpu.limit),
        throttledShare: clean(cpu.throttledShare),
      },
      restarts: clean(restarts),
      ready: clean(ready),
    },
  };
}

/** Derives the facts of a {@link DiagnosisContext} from the input. */
export function buildContext(raw: DiagnosisInput, now: Date): DiagnosisContext {
  const input = withFinitePoints(raw);
  const containerNames = new Set(input.replicas.map(r => r.container));
  const clusters = new Set(
    [...input.replicas, ...input.metrics.memory.workingSet].map(r => r.cluster),
  );
  const label = (r: { cluster?: string; pod: string; container?: string }) => {
    const pod =
      containerNames.size > 1 && r.container
        ? `${r.pod}/${r.container}`
        : r.pod;
    return clusters.size > 1 && r.cluster ? `${r.cluster}/${pod}` : pod;
  };
  const restartSeries = input.metrics.restarts;
  const restartsFromRange = restartSeries.length > 0;
  const restarts = (replica: Replica) => {
    const series = restartSeries.find(s => matches(s, replica));
    return series ? counterIncrease(series.points) : replica.restartCount;
  };
  const probes = input.events
    .map(parseProbe)
    .filter((p): p is ProbeFailure => p !== undefined);
  const probeKills = input.events.filter(
    e =>
      e.reason === 'Killing' &&
      /failed (liveness|startup) probe/i.test(e.message),
  );
  const timelineTerminations = new Map<string, number>();
  for (const event of input.timeline.events) {
    if (event.kind === 'termination') {
      const reason = event.reason ?? 'Unknown';
      timelineTerminations.set(
        reason,
        (timelineTerminations.get(reason) ?? 0) + 1,
      );
    }
  }
  return {
    input,
    now,
    unavailable: unavailableSources(input),
    label,
    restarts,
    restartsFromRange,
    totalRestarts: input.replicas.length
      ? input.replicas.reduce((sum, r) => sum + restarts(r), 0)
      : restartSeries.reduce((sum, s) => sum + counterIncrease(s.points), 0),
    readiness: input.metrics.ready
      .filter(s => s.points.length > 0)
      .map(s => ({
        cluster: s.cluster,
        pod: s.pod,
        container: s.container,
        notReadyShare: s.points.filter(p => p[1] < 1).length / s.points.length,
        ready: s.points[s.points.length - 1][1] >= 1,
        restarts: counterIncrease(
          restartSeries.find(r => matches(r, s))?.points ?? [],
        ),
      })),
    memory: analyseMemory(input),
    cpu: analyseCpu(input),
    probes,
    probeKills,
    logs: classifyLogs(input.logGroups),
    timelineTerminations,
    notableLogs: input.logGroups.filter(g => g.count >= NOTABLE_LOG_LINES),
  };
}
