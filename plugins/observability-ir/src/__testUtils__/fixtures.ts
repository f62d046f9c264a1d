import {
  AlertsResponse,
  DiagnosisResponse,
  IncidentAlert,
  LogErrorGroup,
  LogsResponse,
  MetricSeries,
  MetricsResponse,
  Replica,
  ReplicasResponse,
  SourceStatus,
  TimelineEvent,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * Builders of backend answers for the lab scenario: checkout-api in
 * finance, two pods OOMKilled in a loop under a 512Mi limit.
 */

export const ENTITY_REF = 'component:default/checkout-api';
export const MI = 1024 * 1024;
export const LIMIT_BYTES = 512 * MI;
export const REQUEST_BYTES = 384 * MI;

/** The end of the lab's range: a fixed instant, so tests are repeatable. */
export const LAB_END = Date.parse('2026-11-25T14:00:00Z');
export const LAB_START = LAB_END - 60 * 60 * 1000;
const range = {
  start: new Date(LAB_START).toISOString(),
  end: new Date(LAB_END).toISOString(),
  stepSeconds: 15,
};

/** Every source of the sandbox cluster answered. */
export function okSources(
  sources: SourceStatus['source'][] = ['kubernetes', 'prometheus', 'loki'],
  cluster = 'sandbox',
): SourceStatus[] {
  return sources.map(source => ({ cluster, source, status: 'ok' }));
}

/** One pod of the lab, OOMKilled with exit 137. */
export function labReplica(overrides: Partial<Replica> = {}): Replica {
  return {
    cluster: 'sandbox',
    namespace: 'finance',
    pod: 'checkout-api-v1-abc',
    container: 'checkout-api',
    node: 'worker-1',
    phase: 'Running',
    ready: false,
    restartCount: 45,
    lastTermination: {
      reason: 'OOMKilled',
      exitCode: 137,
      startedAt: '2026-11-25T13:57:30Z',
      finishedAt: '2026-11-25T13:59:55Z',
    },
    current: { state: 'waiting', reason: 'CrashLoopBackOff' },
    requests: { memoryBytes: REQUEST_BYTES, cpuCores: 0.25 },
    limits: { memoryBytes: LIMIT_BYTES, cpuCores: 1 },
    memoryWorkingSetBytes: 0.99 * LIMIT_BYTES,
    memoryLimitShare: 0.99,
    ...overrides,
  };
}

/** `GET /v1/replicas` of the lab. */
export function labReplicas(
  overrides: Partial<ReplicasResponse> = {},
): ReplicasResponse {
  return {
    entityRef: ENTITY_REF,
    replicas: [
      labReplica({
        pod: 'checkout-api-v1-xyz',
        node: 'worker-2',
        restartCount: 42,
        memoryWorkingSetBytes: 0.62 * LIMIT_BYTES,
        memoryLimitShare: 0.62,
        current: { state: 'running' },
      }),
      labReplica(),
    ],
    events: [
      {
        cluster: 'sandbox',
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container checkout-api',
        count: 120,
        lastSeen: '2026-11-25T13:59:58Z',
      },
    ],
    nodes: [],
    kubectlCommands: [
      'kubectl --context sandbox -n finance get pods -l backstage.io/kubernetes-id=checkout-api -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.status.containerStatuses[0].restartCount}{"\\t"}{.status.containerStatuses[0].lastState.terminated.reason}{"\\n"}{end}\'',
    ],
    sources: okSources(['kubernetes', 'prometheus']),
    ...overrides,
  };
}

/** `count` replicas, for paging and scale. */
export function manyReplicas(count: number): Replica[] {
  return Array.from({ length: count }, (_, i) =>
    labReplica({
      pod: `checkout-api-v1-p${String(i).padStart(3, '0')}`,
      restartCount: i,
    }),
  );
}

/**
 * A sawtooth: climbs from 180Mi to 99% of the limit in 150 s, dies, 20 s
 * later starts again.
 */
function sawtooth(pod: string, phaseMs: number, stepMs: number): MetricSeries {
  const period = 170_000;
  const points: Array<[number, number]> = [];
  for (let t = LAB_START; t <= LAB_END; t += stepMs) {
    const at = (t + phaseMs) % period;
    const value =
      at < 150_000
        ? 180 * MI + (0.99 * LIMIT_BYTES - 180 * MI) * (at / 150_000)
        : 0;
    if (value > 0) {
      points.push([t, value]);
    }
  }
  return { cluster: 'sandbox', pod, container: 'checkout-api', points };
}

function flat(pod: string, value: number, stepMs: number): MetricSeries {
  const points: Array<[number, number]> = [];
  for (let t = LAB_START; t <= LAB_END; t += stepMs) {
    points.push([t, value]);
  }
  return { cluster: 'sandbox', pod, container: 'checkout-api', points };
}

const PODS = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];

/** `GET /v1/metrics` of the lab, one point per `stepMs`. */
export function labMetrics(
  overrides: Partial<MetricsResponse> = {},
  stepMs = 15_000,
): MetricsResponse {
  return {
    entityRef: ENTITY_REF,
    range: { ...range, stepSeconds: stepMs / 1000 },
    memory: {
      workingSet: PODS.map((pod, i) => sawtooth(pod, i * 60_000, stepMs)),
      limit: PODS.map(pod => flat(pod, LIMIT_BYTES, stepMs)),
      request: PODS.map(pod => flat(pod, REQUEST_BYTES, stepMs)),
    },
    cpu: {
      usage: PODS.map(pod => flat(pod, 0.2, stepMs)),
      limit: PODS.map(pod => flat(pod, 1, stepMs)),
      throttledShare: PODS.map(pod => flat(pod, 0, stepMs)),
    },
    restarts: [],
    ready: [],
    queries: [
      {
        name: 'memory working set',
        cluster: 'sandbox',
        query:
          'container_memory_working_set_bytes{namespace="finance",pod=~"checkout-api-.*",container!=""}',
      },
    ],
    sources: okSources(['kubernetes', 'prometheus']),
    ...overrides,
  };
}

/**
 * `GET /v1/metrics` of the lab without series: Kubernetes answered, and
 * Prometheus had the given status.
 */
export function labMetricsWithoutPrometheus(
  prometheus: Pick<SourceStatus, 'status' | 'error'>,
): MetricsResponse {
  return labMetrics({
    memory: { workingSet: [], limit: [], request: [] },
    cpu: { usage: [], limit: [], throttledShare: [] },
    sources: [
      ...okSources(['kubernetes']),
      { cluster: 'sandbox', source: 'prometheus', ...prometheus },
    ],
  });
}

/** The lab's OutOfMemoryError group. */
export function oomLogGroup(
  overrides: Partial<LogErrorGroup> = {},
): LogErrorGroup {
  return {
    signature: 'java.lang.OutOfMemoryError: Java heap space',
    exceptionClass: 'java.lang.OutOfMemoryError',
    count: 87,
    firstSeen: '2026-11-25T13:01:12Z',
    lastSeen: '2026-11-25T13:59:52Z',
    pods: PODS,
    histogram: Array.from({ length: 30 }, (_, i) => 2 + (i % 3)),
    sample: {
      timestamp: '2026-11-25T13:59:52.120Z',
      cluster: 'sandbox',
      pod: 'checkout-api-v1-abc',
      container: 'checkout-api',
      line: 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
      stackTrace: [
        'at com.acme.checkout.catalog.CatalogCache.warm(CatalogCache.java:88)',
        'at com.acme.checkout.CheckoutApplication.main(CheckoutApplication.java:31)',
      ],
    },
    ...overrides,
  };
}

/** `GET /v1/logs` of the lab. */
export function labLogs(overrides: Partial<LogsResponse> = {}): LogsResponse {
  return {
    entityRef: ENTITY_REF,
    range,
    groups: [
      oomLogGroup(),
      oomLogGroup({
        signature:
          'com.zaxxer.hikari.pool.HikariPool: Connection is not available, request timed out after <n>ms',
        exceptionClass: 'java.sql.SQLTransientConnectionException',
        count: 4,
        pods: ['checkout-api-v1-xyz'],
        sample: {
          ...oomLogGroup().sample,
          pod: 'checkout-api-v1-xyz',
          line: 'HikariPool-1 - Connection is not available, request timed out after 30000ms',
          stackTrace: [],
        },
      }),
    ],
    linesRead: 91,
    truncated: false,
    queries: [
      {
        name: 'error lines',
        cluster: 'sandbox',
        query:
          '{namespace="finance", pod=~"checkout-api-.*"} |~ "(?i)(error|exception)"',
      },
    ],
    sources: okSources(['kubernetes', 'loki']),
    ...overrides,
  };
}

/** `count` distinct error groups, for paging. */
export function manyLogGroups(count: number): LogErrorGroup[] {
  return Array.from({ length: count }, (_, i) =>
    oomLogGroup({
      signature: `com.acme.checkout.Failure${i}: request <n> failed`,
      count: count - i,
    }),
  );
}

/** An OOM kill of a lab pod at `time`. */
export function oomEvent(
  time: number,
  pod = 'checkout-api-v1-abc',
): TimelineEvent {
  const clock = new Date(time).toISOString().slice(11, 19);
  return {
    kind: 'termination',
    time: new Date(time).toISOString(),
    cluster: 'sandbox',
    pod,
    container: 'checkout-api',
    reason: 'OOMKilled',
    exitCode: 137,
    workingSetBytesBefore: 0.99 * LIMIT_BYTES,
    memoryLimitBytes: LIMIT_BYTES,
    errorLinesBefore: 1,
    summary: `OOMKilled at ${clock} — working set 99% of 512Mi one minute before; 1 OutOfMemoryError line in the 30 s before`,
  };
}

/** `GET /v1/timeline` of the lab. */
export function labTimeline(
  overrides: Partial<TimelineResponse> = {},
): TimelineResponse {
  const events = [
    oomEvent(LAB_START + 150_000),
    oomEvent(LAB_START + 1_500_000, 'checkout-api-v1-xyz'),
    {
      kind: 'error-burst' as const,
      time: new Date(LAB_START + 2_400_000).toISOString(),
      cluster: 'sandbox',
      pod: 'checkout-api-v1-abc',
      lineCount: 6,
      signature: 'java.lang.OutOfMemoryError: Java heap space',
      summary:
        '6 error lines in 30 s: java.lang.OutOfMemoryError: Java heap space',
    },
  ];
  return {
    entityRef: ENTITY_REF,
    range,
    events,
    correlation: {
      terminations: 2,
      withErrorsBefore: 2,
      withMemoryNearLimit: 2,
      strength: 'strong',
      summary:
        'All 2 terminations followed the working set at 99% of the limit and OutOfMemoryError lines',
    },
    sources: okSources(),
    ...overrides,
  };
}

/** `GET /v1/diagnosis` of the lab: the limit is too low. */
export function labDiagnosis(
  overrides: Partial<DiagnosisResponse> = {},
): DiagnosisResponse {
  return {
    entityRef: ENTITY_REF,
    hypotheses: [
      {
        id: 'memory-limit-too-low',
        title: 'Memory limit too low',
        confidence: 0.92,
        supporting: [
          {
            source: 'kubernetes',
            description:
              'checkout-api-v1-abc last terminated OOMKilled (exit 137) after 45 restarts',
          },
          {
            source: 'prometheus',
            description:
              'The working set reached 99% of the 512Mi limit before every kill, within 2.5 minutes of each start',
          },
          {
            source: 'loki',
            description: '87 java.lang.OutOfMemoryError: Java heap space lines',
          },
          {
            source: 'kubernetes',
            description: '2 of 2 terminations in the range were OOMKilled',
          },
        ],
        contradicting: [],
      },
      {
        id: 'memory-leak',
        title: 'Memory leak',
        confidence: 0.31,
        supporting: [
          {
            source: 'prometheus',
            description: 'The working set climbs steadily after each start',
          },
        ],
        contradicting: [
          {
            source: 'prometheus',
            description:
              'The working set levels off at the same height after every start',
          },
        ],
      },
      {
        id: 'cpu-throttling',
        title: 'CPU throttling',
        confidence: 0.04,
        supporting: [],
        contradicting: [
          {
            source: 'prometheus',
            description: 'CPU usage stays at 0.2 of 1 core; no throttling',
          },
        ],
      },
    ],
    recommendation: {
      summary:
        'Raise limits.memory of container checkout-api from 512Mi to 1Gi. Killed at its 512Mi limit, so its true demand is unknown: the proposal assumes 1.25× the kill level with 50% headroom, rounded up to 1Gi; verify after the raise that the working set levels off below it.',
      memoryLimit: {
        current: '512Mi',
        proposed: '1Gi',
        peakWorkingSet: '507Mi',
        basis:
          'Killed at its 512Mi limit, so its true demand is unknown: the proposal assumes 1.25× the kill level with 50% headroom, rounded up to 1Gi; verify after the raise that the working set levels off below it.',
      },
    },
    sources: okSources(),
    ...overrides,
  };
}

/** One alert of the lab, firing for a pod since `startMs`. */
export function labAlert(
  name: 'KubePodCrashLooping' | 'ContainerMemoryNearLimit',
  pod: string,
  overrides: Partial<IncidentAlert> = {},
): IncidentAlert {
  return {
    name,
    severity: 'warning',
    state: 'firing',
    startsAt: new Date(LAB_START + 600_000).toISOString(),
    cluster: 'sandbox',
    namespace: 'finance',
    pod,
    container: 'checkout-api',
    summary:
      name === 'KubePodCrashLooping'
        ? 'Pod is crash looping.'
        : 'Container memory working set is close to its limit.',
    description: `Pod finance/${pod} (checkout-api)`,
    labels: { namespace: 'finance', pod, severity: 'warning' },
    origins: ['prometheus', 'history', 'alertmanager'],
    ...overrides,
  };
}

/** `GET /v1/alerts` of the lab: both alerts firing for both pods. */
export function labAlerts(
  overrides: Partial<AlertsResponse> = {},
): AlertsResponse {
  return {
    entityRef: ENTITY_REF,
    range,
    alerts: [
      labAlert('KubePodCrashLooping', 'checkout-api-v1-abc'),
      labAlert('ContainerMemoryNearLimit', 'checkout-api-v1-abc'),
      labAlert('KubePodCrashLooping', 'checkout-api-v1-xyz'),
      labAlert('ContainerMemoryNearLimit', 'checkout-api-v1-xyz', {
        state: 'resolved',
        startsAt: new Date(LAB_START + 300_000).toISOString(),
        endsAt: new Date(LAB_START + 1_200_000).toISOString(),
        origins: ['history'],
      }),
    ],
    truncated: false,
    queries: [],
    sources: okSources(['kubernetes', 'prometheus', 'alertmanager']),
    ...overrides,
  };
}
