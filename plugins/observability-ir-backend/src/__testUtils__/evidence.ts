/**
 * Builders of realistic evidence for the diagnosis tests: the lab's
 * checkout-api OOM and the other incidents the sandbox cluster plays.
 */
import {
  LogErrorGroup,
  MetricSeries,
  NodeSummary,
  PodEvent,
  Replica,
  SourceStatus,
  TimelineEvent,
} from '@observability-ir/plugin-observability-ir-common';
import { DiagnosisInput } from '../service/diagnosis/types';

export const KI = 1024;
export const MI = 1024 * KI;
export const GI = 1024 * MI;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const CLUSTER = 'sandbox';
export const NAMESPACE = 'finance';
export const CONTAINER = 'checkout-api';

/** The end of every fixture's range. */
export const NOW = new Date('2026-11-25T14:05:00Z');

type Point = [number, number];

/** A container of one pod, Running and Ready unless told otherwise. */
export function replica(
  pod: string,
  overrides: Partial<Replica> = {},
): Replica {
  return {
    cluster: CLUSTER,
    namespace: NAMESPACE,
    pod,
    container: CONTAINER,
    node: 'worker-1',
    phase: 'Running',
    ready: true,
    restartCount: 0,
    current: { state: 'running', since: '2026-11-22T10:00:00Z' },
    requests: { memoryBytes: 384 * MI, cpuCores: 0.25 },
    limits: { memoryBytes: 1 * GI, cpuCores: 1 },
    ...overrides,
  };
}

export function event(
  pod: string,
  reason: string,
  message: string,
  count = 1,
  type: PodEvent['type'] = 'Warning',
): PodEvent {
  return {
    cluster: CLUSTER,
    namespace: NAMESPACE,
    pod,
    type,
    reason,
    message,
    count,
    lastSeen: '2026-11-25T14:04:00Z',
  };
}

export function node(name: string, memoryPressure = false): NodeSummary {
  return {
    cluster: CLUSTER,
    name,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady' },
      memoryPressure
        ? {
            type: 'MemoryPressure',
            status: 'True',
            reason: 'KubeletHasInsufficientMemory',
            message: 'kubelet has insufficient memory available',
          }
        : {
            type: 'MemoryPressure',
            status: 'False',
            reason: 'KubeletHasSufficientMemory',
          },
    ],
  };
}

export function series(pod: string, points: Point[]): MetricSeries {
  return { cluster: CLUSTER, pod, container: CONTAINER, points };
}

/** Points every `stepMs` over [fromMs, toMs], valued by `value`. */
export function sample(
  fromMs: number,
  toMs: number,
  stepMs: number,
  value: (ms: number) => number | undefined,
): Point[] {
  const points: Point[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) {
    const v = value(t);
    if (v !== undefined) {
      points.push([t, v]);
    }
  }
  return points;
}

/** A constant with a little deterministic wobble (±`wobble` share). */
export function steady(value: number, wobble = 0.02) {
  return (ms: number) => value * (1 + wobble * Math.sin(ms / 97_000));
}

/** A run of a container: from its start to its OOM kill (or the end). */
export interface Run {
  startMs: number;
  endMs: number;
}

/**
 * Working set runs: each starts at `baseline` and grows by `grow` (from
 * the start of the run) until it reaches the limit in force, where the
 * container is OOMKilled and restarts after `restartDelayMs`.
 */
export function memoryRuns(options: {
  fromMs: number;
  toMs: number;
  stepMs: number;
  baseline: number;
  grow: (sinceStartMs: number) => number;
  limitAt: (ms: number) => number;
  restartDelayMs: number;
  /** How long the first run had been going at `fromMs`. */
  firstRunAgeMs?: number;
}): { points: Point[]; kills: number[] } {
  const points: Point[] = [];
  const kills: number[] = [];
  let start = options.fromMs - (options.firstRunAgeMs ?? 0);
  let killedAt: number | undefined;
  for (let t = options.fromMs; t <= options.toMs; t += options.stepMs) {
    if (killedAt !== undefined) {
      if (t < killedAt + options.restartDelayMs) {
        continue;
      }
      start = killedAt + options.restartDelayMs;
      killedAt = undefined;
    }
    const limit = options.limitAt(t);
    const value = options.baseline + options.grow(t - start);
    if (value >= limit * 0.995) {
      points.push([t, Math.floor(limit * 0.995)]);
      killedAt = t;
      kills.push(t);
    } else {
      points.push([t, Math.floor(value)]);
    }
  }
  return { points, kills };
}

/** A counter that steps up by one at each of the times. */
export function counter(
  fromMs: number,
  toMs: number,
  stepMs: number,
  initial: number,
  increments: number[],
): Point[] {
  return sample(
    fromMs,
    toMs,
    stepMs,
    t => initial + increments.filter(i => i <= t).length,
  );
}

export function logGroup(
  signature: string,
  count: number,
  pods: string[],
  exceptionClass?: string,
): LogErrorGroup {
  return {
    signature,
    exceptionClass,
    count,
    firstSeen: '2026-11-25T13:05:12.000Z',
    lastSeen: '2026-11-25T14:02:09.000Z',
    pods,
    histogram: [count],
    sample: {
      timestamp: '2026-11-25T14:02:09.000Z',
      cluster: CLUSTER,
      pod: pods[0],
      container: CONTAINER,
      line: signature,
    },
  };
}

export function termination(
  pod: string,
  ms: number,
  reason: string,
  exitCode: number,
  extra: Partial<TimelineEvent> = {},
): TimelineEvent {
  return {
    kind: 'termination',
    time: new Date(ms).toISOString(),
    cluster: CLUSTER,
    pod,
    container: CONTAINER,
    reason,
    exitCode,
    summary: `${reason} (exit ${exitCode})`,
    ...extra,
  };
}

export function sources(
  down: Partial<Record<SourceStatus['source'], string>> = {},
): SourceStatus[] {
  return (['kubernetes', 'prometheus', 'loki'] as const).map(source =>
    down[source]
      ? { cluster: CLUSTER, source, status: 'error', error: down[source] }
      : { cluster: CLUSTER, source, status: 'ok' },
  );
}

/** Empty evidence, every source answering; override what matters. */
export function evidence(parts: Partial<DiagnosisInput> = {}): DiagnosisInput {
  return {
    replicas: [],
    events: [],
    nodes: [node('worker-1'), node('worker-2')],
    metrics: {
      memory: { workingSet: [], limit: [], request: [] },
      cpu: { usage: [], limit: [], throttledShare: [] },
      restarts: [],
      ready: [],
    },
    logGroups: [],
    timeline: {
      events: [],
      correlation: {
        terminations: 0,
        withErrorsBefore: 0,
        withMemoryNearLimit: 0,
        strength: 'none',
        summary: 'No terminations in the range',
      },
    },
    sources: sources(),
    ...parts,
  };
}

const END = NOW.getTime();
const HOUR_AGO = END - HOUR;
const STEP = 15_000;

/** One series per pod, sampled every `stepMs` from `fromMs` to the end. */
function perPod(
  pods: string[],
  fromMs: number,
  stepMs: number,
  value: (ms: number) => number | undefined,
): MetricSeries[] {
  return pods.map(pod => series(pod, sample(fromMs, END, stepMs, value)));
}

/** Memory, CPU, restart and ready series of steady, healthy pods. */
function steadyMetrics(
  pods: string[],
  options: {
    memory: number;
    memoryLimit: number;
    cpu: number;
    cpuLimit: number;
    throttled: number;
    ready: number;
    fromMs?: number;
  },
): DiagnosisInput['metrics'] {
  const over = (value: (ms: number) => number) =>
    perPod(pods, options.fromMs ?? HOUR_AGO, STEP, value);
  return {
    memory: {
      workingSet: over(steady(options.memory)),
      limit: over(() => options.memoryLimit),
      request: over(() => 384 * MI),
    },
    cpu: {
      usage: over(steady(options.cpu, 0.05)),
      limit: over(() => options.cpuLimit),
      throttledShare: over(steady(options.throttled, 0.05)),
    },
    restarts: over(() => 0),
    ready: over(() => options.ready),
  };
}

/**
 * The lab: checkout-api's JVM needs ~700Mi to warm its catalog cache under
 * a 512Mi limit; it is OOMKilled about 2.5 minutes after each start.
 * Prometheus samples every `stepMs` (15 s by default).
 */
export function labOom({ stepMs = STEP } = {}): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  const limit = 512 * MI;
  // Simulated every 15 s, sampled every stepMs.
  const coarse = (points: Point[]) =>
    points.filter(([t]) => (t - HOUR_AGO) % stepMs === 0);
  const runs = pods.map((_, i) =>
    memoryRuns({
      fromMs: HOUR_AGO,
      toMs: END,
      stepMs: STEP,
      baseline: 180 * MI,
      // Towards 700Mi, as the cache warms: 1 - e^(-t/150s).
      grow: t => 520 * MI * (1 - Math.exp(-t / (150_000 * (1 + 0.05 * i)))),
      limitAt: () => limit,
      restartDelayMs: 20_000,
      firstRunAgeMs: 40_000 * i,
    }),
  );
  const restartCounts = [45, 42];
  const timeline: TimelineEvent[] = runs
    .flatMap(({ kills }, i) =>
      kills.map(ms =>
        termination(pods[i], ms, 'OOMKilled', 137, {
          workingSetBytesBefore: 0.97 * limit,
          memoryLimitBytes: limit,
          errorLinesBefore: 3,
        }),
      ),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
  const kills = timeline.length;
  const lastKill = (i: number) =>
    new Date(runs[i].kills[runs[i].kills.length - 1]).toISOString();
  return evidence({
    replicas: pods.map((pod, i) =>
      replica(pod, {
        node: `worker-${i + 1}`,
        ready: false,
        restartCount: restartCounts[i],
        lastTermination: {
          reason: 'OOMKilled',
          exitCode: 137,
          startedAt: '2026-11-25T13:59:38Z',
          finishedAt: lastKill(i),
        },
        current:
          i === 0
            ? { state: 'running', since: '2026-11-25T14:03:40Z' }
            : { state: 'waiting', reason: 'CrashLoopBackOff' },
        limits: { memoryBytes: limit, cpuCores: 1 },
        memoryWorkingSetBytes: 410 * MI,
        memoryLimitShare: 0.8,
      }),
    ),
    events: [
      event(
        pods[0],
        'BackOff',
        `Back-off restarting failed container checkout-api in pod ${pods[0]}_finance(0b1c)`,
        21,
      ),
      event(
        pods[0],
        'Unhealthy',
        'Readiness probe failed: Get "http://10.0.1.21:8080/actuator/health/readiness": dial tcp 10.0.1.21:8080: connect: connection refused',
        120,
      ),
      event(
        pods[1],
        'Unhealthy',
        'Readiness probe failed: Get "http://10.0.1.34:8080/actuator/health/readiness": dial tcp 10.0.1.34:8080: connect: connection refused',
        114,
      ),
      event(pods[0], 'Started', 'Started container checkout-api', 21, 'Normal'),
    ],
    metrics: {
      memory: {
        workingSet: runs.map(({ points }, i) =>
          series(pods[i], coarse(points)),
        ),
        limit: perPod(pods, HOUR_AGO, stepMs, () => limit),
        request: perPod(pods, HOUR_AGO, stepMs, () => 384 * MI),
      },
      cpu: {
        usage: perPod(pods, HOUR_AGO, stepMs, steady(0.2, 0.2)),
        limit: perPod(pods, HOUR_AGO, stepMs, () => 1),
        throttledShare: perPod(pods, HOUR_AGO, stepMs, () => 0.001),
      },
      restarts: runs.map(({ kills: podKills }, i) =>
        series(
          pods[i],
          coarse(
            counter(
              HOUR_AGO,
              END,
              STEP,
              restartCounts[i] - podKills.length,
              podKills.map(k => k + 20_000),
            ),
          ),
        ),
      ),
      ready: perPod(pods, HOUR_AGO, stepMs, () => 0),
    },
    logGroups: [
      logGroup(
        'java.lang.OutOfMemoryError: Java heap space',
        kills,
        pods,
        'java.lang.OutOfMemoryError',
      ),
    ],
    timeline: {
      events: timeline,
      correlation: {
        terminations: kills,
        withErrorsBefore: kills,
        withMemoryNearLimit: kills,
        strength: 'strong',
        summary: `${kills} of ${kills} terminations were OOMKilled with the working set at 90% of the limit or more and OutOfMemoryError lines in the 30 s before`,
      },
    },
  });
}

/** The lab, Prometheus down: no series, no working set. */
export function labOomWithoutPrometheus(): DiagnosisInput {
  const lab = labOom();
  const kills = lab.timeline.correlation.terminations;
  return {
    ...lab,
    replicas: lab.replicas.map(r => ({
      ...r,
      memoryWorkingSetBytes: undefined,
      memoryLimitShare: undefined,
    })),
    metrics: evidence().metrics,
    timeline: {
      events: lab.timeline.events.map(e => ({
        ...e,
        workingSetBytesBefore: undefined,
        memoryLimitBytes: undefined,
      })),
      correlation: {
        terminations: kills,
        withErrorsBefore: kills,
        withMemoryNearLimit: 0,
        strength: 'moderate',
        summary: `${kills} of ${kills} terminations had OutOfMemoryError lines in the 30 s before; memory unknown`,
      },
    },
    sources: sources({
      prometheus:
        'Prometheus at http://prometheus.monitoring:9090 did not answer: connect ECONNREFUSED',
    }),
  };
}

/** The lab, Loki down: no log groups, no error lines before terminations. */
export function labOomWithoutLoki(): DiagnosisInput {
  const lab = labOom();
  const kills = lab.timeline.correlation.terminations;
  return {
    ...lab,
    logGroups: [],
    timeline: {
      events: lab.timeline.events.map(e => ({
        ...e,
        errorLinesBefore: undefined,
      })),
      correlation: {
        terminations: kills,
        withErrorsBefore: 0,
        withMemoryNearLimit: kills,
        strength: 'moderate',
        summary: `${kills} of ${kills} terminations had the working set at 90% of the limit or more; logs unknown`,
      },
    },
    sources: sources({ loki: 'Loki query failed: 502 Bad Gateway' }),
  };
}

/**
 * A leak: the working set climbs ~7.8Mi a minute in every run until the
 * 512Mi limit; limits.memory was raised in place to 768Mi at 12:05 and it
 * climbs to that limit too.
 */
export function memoryLeak(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  const from = END - 4 * HOUR;
  const raiseAt = END - 2 * HOUR;
  const limitAt = (ms: number) => (ms < raiseAt ? 512 * MI : 768 * MI);
  const step = MINUTE;
  const runs = pods.map((_, i) =>
    memoryRuns({
      fromMs: from,
      toMs: END,
      stepMs: step,
      baseline: 200 * MI,
      grow: t => (7.8 * MI * t) / MINUTE + 3 * MI * Math.sin(t / 170_000),
      limitAt,
      restartDelayMs: 30_000,
      firstRunAgeMs: 15 * MINUTE * i,
    }),
  );
  const kills = runs.flatMap(({ kills: k }, i) =>
    k.map(ms =>
      termination(pods[i], ms, 'OOMKilled', 137, {
        workingSetBytesBefore: limitAt(ms) * 0.98,
        memoryLimitBytes: limitAt(ms),
        errorLinesBefore: 1,
      }),
    ),
  );
  return evidence({
    replicas: pods.map((pod, i) =>
      replica(pod, {
        ready: true,
        restartCount: 9 + i,
        lastTermination: {
          reason: 'OOMKilled',
          exitCode: 137,
          finishedAt: new Date(
            runs[i].kills[runs[i].kills.length - 1],
          ).toISOString(),
        },
        current: { state: 'running', since: '2026-11-25T13:20:00Z' },
        limits: { memoryBytes: 768 * MI, cpuCores: 1 },
      }),
    ),
    events: [
      event(
        pods[0],
        'BackOff',
        'Back-off restarting failed container checkout-api',
        3,
      ),
    ],
    metrics: {
      memory: {
        workingSet: runs.map(({ points }, i) => series(pods[i], points)),
        limit: perPod(pods, from, step, limitAt),
        request: [],
      },
      cpu: {
        usage: perPod(pods, from, step, steady(0.3)),
        limit: perPod(pods, from, step, () => 1),
        throttledShare: perPod(pods, from, step, () => 0.01),
      },
      restarts: runs.map(({ kills: k }, i) =>
        series(pods[i], counter(from, END, step, 9 + i - k.length, k)),
      ),
      ready: perPod(pods, from, step, () => 1),
    },
    logGroups: [
      logGroup(
        'java.lang.OutOfMemoryError: Java heap space',
        kills.length,
        pods,
        'java.lang.OutOfMemoryError',
      ),
    ],
    timeline: {
      events: kills.sort((a, b) => a.time.localeCompare(b.time)),
      correlation: {
        terminations: kills.length,
        withErrorsBefore: kills.length,
        withMemoryNearLimit: kills.length,
        strength: 'strong',
        summary: `${kills.length} of ${kills.length} terminations were OOMKilled with the working set near the limit`,
      },
    },
  });
}

/** worker-2 under MemoryPressure evicts checkout-api pods. */
export function nodeMemoryPressure(): DiagnosisInput {
  const running = ['checkout-api-v1-abc', 'checkout-api-v1-r4t9k'];
  const evicted = ['checkout-api-v1-xyz', 'checkout-api-v1-q7m2d'];
  const message =
    'The node was low on resource: memory. Threshold quantity: 100Mi, available: 86432Ki. Container checkout-api was using 652Mi, request is 384Mi, has larger consumption of memory. ';
  return evidence({
    replicas: [
      replica(running[0]),
      replica(running[1], {
        current: { state: 'running', since: '2026-11-25T13:46:00Z' },
      }),
      ...evicted.map(pod =>
        replica(pod, {
          node: 'worker-2',
          phase: 'Failed',
          podReason: 'Evicted',
          podMessage: message,
          ready: false,
          current: { state: 'terminated', reason: 'ContainerStatusUnknown' },
        }),
      ),
    ],
    events: [
      ...evicted.map(pod => event(pod, 'Evicted', message)),
      ...evicted.map(pod =>
        event(pod, 'Killing', 'Stopping container checkout-api', 1, 'Normal'),
      ),
      event('worker-2', 'EvictionThresholdMet', 'Attempting to reclaim memory'),
      event(
        'worker-2',
        'NodeHasInsufficientMemory',
        'Node worker-2 status is now: NodeHasInsufficientMemory',
        1,
        'Normal',
      ),
    ],
    nodes: [node('worker-1'), node('worker-2', true)],
    metrics: steadyMetrics(running, {
      memory: 640 * MI,
      memoryLimit: GI,
      cpu: 0.2,
      cpuLimit: 1,
      throttled: 0.002,
      ready: 1,
    }),
  });
}

/** The JVM fails at startup with a NullPointerException, exit 1. */
export function appCrash(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  const crashes = pods.flatMap((pod, i) =>
    [5, 10, 20, 40].map(m =>
      termination(pod, END - m * MINUTE - i * 7000, 'Error', 1, {
        errorLinesBefore: 12,
      }),
    ),
  );
  return evidence({
    replicas: pods.map((pod, i) =>
      replica(pod, {
        ready: false,
        restartCount: 12 - i,
        lastTermination: {
          reason: 'Error',
          exitCode: 1,
          startedAt: '2026-11-25T14:00:01Z',
          finishedAt: '2026-11-25T14:00:10Z',
        },
        current: { state: 'waiting', reason: 'CrashLoopBackOff' },
        limits: { memoryBytes: 512 * MI, cpuCores: 1 },
      }),
    ),
    events: pods.map(pod =>
      event(
        pod,
        'BackOff',
        `Back-off restarting failed container checkout-api in pod ${pod}_finance(5e2f)`,
        40,
      ),
    ),
    metrics: {
      ...steadyMetrics(pods, {
        memory: 210 * MI,
        memoryLimit: 512 * MI,
        cpu: 0.3,
        cpuLimit: 1,
        throttled: 0.01,
        ready: 0,
      }),
      restarts: pods.map((pod, i) =>
        series(
          pod,
          counter(
            HOUR_AGO,
            END,
            STEP,
            8 - i,
            crashes
              .filter(c => c.pod === pod)
              .map(c => Date.parse(c.time) + 10_000),
          ),
        ),
      ),
    },
    logGroups: [
      {
        ...logGroup(
          'ERROR <n> --- [ main] o.s.boot.SpringApplication : Application run failed',
          8,
          pods,
        ),
        sample: {
          timestamp: '2026-11-25T14:00:09.898Z',
          cluster: CLUSTER,
          pod: pods[0],
          container: CONTAINER,
          line: '2026-11-25T14:00:09.898Z ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application run failed',
          stackTrace: [
            'java.lang.IllegalStateException: Failed to execute CommandLineRunner (error during startup)',
            '\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:789)',
            'Caused by: java.lang.NullPointerException: Cannot invoke "String.trim()" because "gatewayUrl" is null',
            '\tat com.example.checkoutapi.payment.GatewayClient.<init>(GatewayClient.java:42)',
            '\t... 18 common frames omitted',
          ],
        },
      },
    ],
    timeline: {
      events: crashes.sort((a, b) => a.time.localeCompare(b.time)),
      correlation: {
        terminations: crashes.length,
        withErrorsBefore: crashes.length,
        withMemoryNearLimit: 0,
        strength: 'strong',
        summary: `${crashes.length} of ${crashes.length} terminations followed error lines of the same pod`,
      },
    },
  });
}

/** The liveness probe checks port 8081 where nothing listens. */
export function probeMisconfiguration(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  const ips = ['10.0.0.5', '10.0.0.9'];
  const kills = pods.flatMap((pod, i) =>
    Array.from({ length: 12 }, (_, k) =>
      termination(pod, END - (k * 5 + 1) * MINUTE - i * 20_000, 'Error', 137),
    ),
  );
  return evidence({
    replicas: pods.map((pod, i) =>
      replica(pod, {
        restartCount: 23 - 2 * i,
        lastTermination: {
          reason: 'Error',
          exitCode: 137,
          finishedAt: '2026-11-25T14:04:00Z',
        },
        current: { state: 'running', since: '2026-11-25T14:04:10Z' },
      }),
    ),
    events: pods.flatMap((pod, i) => [
      event(
        pod,
        'Unhealthy',
        `Liveness probe failed: Get "http://${ips[i]}:8081/health": dial tcp ${ips[i]}:8081: connect: connection refused`,
        36,
      ),
      event(
        pod,
        'Killing',
        'Container checkout-api failed liveness probe, will be restarted',
        12,
        'Normal',
      ),
      event(
        pod,
        'BackOff',
        `Back-off restarting failed container checkout-api in pod ${pod}_finance(77aa)`,
        4,
      ),
    ]),
    metrics: {
      ...steadyMetrics(pods, {
        memory: 600 * MI,
        memoryLimit: GI,
        cpu: 0.2,
        cpuLimit: 1,
        throttled: 0.002,
        ready: 1,
      }),
      restarts: pods.map(pod =>
        series(
          pod,
          counter(
            HOUR_AGO,
            END,
            STEP,
            11,
            kills
              .filter(k => k.pod === pod)
              .map(k => Date.parse(k.time) + 1000),
          ),
        ),
      ),
    },
    timeline: {
      events: kills.sort((a, b) => a.time.localeCompare(b.time)),
      correlation: {
        terminations: kills.length,
        withErrorsBefore: 0,
        withMemoryNearLimit: 0,
        strength: 'none',
        summary: `No error lines or high memory before ${kills.length} terminations`,
      },
    },
  });
}

/** Wants 1.6 cores under a 1 core limit. */
export function cpuThrottling(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  return evidence({
    replicas: pods.map(pod => replica(pod)),
    metrics: steadyMetrics(pods, {
      memory: 620 * MI,
      memoryLimit: GI,
      cpu: 0.98,
      cpuLimit: 1,
      throttled: 0.6,
      ready: 1,
    }),
    logGroups: [
      logGroup('Slow request: GET /api/checkout took <n>ms', 140, pods),
    ],
  });
}

/** Listening but unreachable: never Ready, no restarts. */
export function networkFault(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  const ips = ['10.0.1.21', '10.0.1.34'];
  return evidence({
    replicas: pods.map(pod => replica(pod, { ready: false })),
    events: pods.map((pod, i) =>
      event(
        pod,
        'Unhealthy',
        `Readiness probe failed: Get "http://${ips[i]}:8080/actuator/health/readiness": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        360,
      ),
    ),
    metrics: steadyMetrics(pods, {
      memory: 600 * MI,
      memoryLimit: GI,
      cpu: 0.15,
      cpuLimit: 1,
      throttled: 0.001,
      ready: 0,
    }),
  });
}

/** Nothing wrong. */
export function healthyService(): DiagnosisInput {
  const pods = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];
  return evidence({
    replicas: pods.map(pod => replica(pod)),
    events: [
      event(pods[0], 'Pulled', 'Container image already present', 1, 'Normal'),
    ],
    metrics: steadyMetrics(pods, {
      memory: 610 * MI,
      memoryLimit: GI,
      cpu: 0.2,
      cpuLimit: 1,
      throttled: 0.001,
      ready: 1,
    }),
    logGroups: [
      logGroup(
        'WARN o.a.c.c.C.[Tomcat].[localhost] client aborted request',
        2,
        [pods[0]],
      ),
    ],
  });
}

/**
 * A leak in progress: no restart yet, the working set climbing 2Mi a
 * minute for four hours, from 300Mi to 780Mi of a 1Gi limit.
 */
export function leakInProgress(): DiagnosisInput {
  const input = healthyService();
  const from = END - 4 * HOUR;
  const climb = (ms: number) => 300 * MI + (2 * MI * (ms - from)) / MINUTE;
  input.metrics.memory.workingSet = input.replicas.map(r =>
    series(r.pod, sample(from, END, MINUTE, climb)),
  );
  input.metrics.memory.limit = input.replicas.map(r =>
    series(
      r.pod,
      sample(from, END, MINUTE, () => GI),
    ),
  );
  return input;
}

/** Running without restarts, never Ready: the readiness probe fails. */
export function readinessFailing(message: (ip: string) => string) {
  const input = networkFault();
  input.events = input.replicas.map((r, i) =>
    event(r.pod, 'Unhealthy', message(`10.0.1.${21 + i}`), 360),
  );
  return input;
}

/** The same evidence, as seen in another cluster. */
export function inCluster(
  input: DiagnosisInput,
  cluster: string,
): DiagnosisInput {
  const move = <T extends { cluster: string }>(list: T[]): T[] =>
    list.map(x => ({ ...x, cluster }));
  const { memory, cpu, restarts, ready } = input.metrics;
  return {
    replicas: move(input.replicas),
    events: move(input.events),
    nodes: move(input.nodes),
    metrics: {
      memory: {
        workingSet: move(memory.workingSet),
        limit: move(memory.limit),
        request: move(memory.request),
      },
      cpu: {
        usage: move(cpu.usage),
        limit: move(cpu.limit),
        throttledShare: move(cpu.throttledShare),
      },
      restarts: move(restarts),
      ready: move(ready),
    },
    logGroups: input.logGroups,
    timeline: { ...input.timeline, events: move(input.timeline.events) },
    sources: move(input.sources),
  };
}

/** Two clusters' evidence for one entity, as the backend merges it. */
export function merged(a: DiagnosisInput, b: DiagnosisInput): DiagnosisInput {
  return {
    replicas: [...a.replicas, ...b.replicas],
    events: [...a.events, ...b.events],
    nodes: [...a.nodes, ...b.nodes],
    metrics: {
      memory: {
        workingSet: [
          ...a.metrics.memory.workingSet,
          ...b.metrics.memory.workingSet,
        ],
        limit: [...a.metrics.memory.limit, ...b.metrics.memory.limit],
        request: [...a.metrics.memory.request, ...b.metrics.memory.request],
      },
      cpu: {
        usage: [...a.metrics.cpu.usage, ...b.metrics.cpu.usage],
        limit: [...a.metrics.cpu.limit, ...b.metrics.cpu.limit],
        throttledShare: [
          ...a.metrics.cpu.throttledShare,
          ...b.metrics.cpu.throttledShare,
        ],
      },
      restarts: [...a.metrics.restarts, ...b.metrics.restarts],
      ready: [...a.metrics.ready, ...b.metrics.ready],
    },
    logGroups: [...a.logGroups, ...b.logGroups],
    timeline: {
      events: [...a.timeline.events, ...b.timeline.events],
      correlation: a.timeline.correlation,
    },
    sources: [...a.sources, ...b.sources],
  };
}

/** Kubernetes down: no replicas, events or nodes. */
export function withoutKubernetes(input: DiagnosisInput): DiagnosisInput {
  return {
    ...input,
    replicas: [],
    events: [],
    nodes: [],
    sources: input.sources.map(s =>
      s.source === 'kubernetes'
        ? { ...s, status: 'error', error: 'the API server did not answer: 503' }
        : s,
    ),
  };
}
