import { DiagnosisContext } from '../context';
import { describeDuration, listNames, percent, plural } from '../format';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceScore } from '../score';
import { describeForensics, describeLogGroup, limitBySources } from './common';
import { describeProbeFailures } from './probeMisconfiguration';

/** Points each fact for a network fault adds. */
export const SUPPORT = {
  /** Running, not ready, no restarts (from Prometheus without Kubernetes). */
  unreadyWithoutRestarts: 1,
  /** Readiness/liveness probes time out. */
  probeTimeouts: 1.2,
  /** Connection error log lines. */
  connectionErrorLogs: 0.5,
  /** Memory and CPU normal: the process is not starved. */
  normalResources: 0.3,
  /**
   * Node forensics: the app listens on the expected ports and the pod's
   * interface is up; what fails is on the way to it.
   */
  forensicsListening: 1.2,
} as const;

/** Points each fact against a network fault takes away. */
export const CONTRADICT = {
  /** Restarts: the process itself fails. */
  restarts: 1,
  /** All containers ready and no probe timeouts. */
  allReady: 1,
  /** Probes refused or answered, not timing out. */
  probesAnswered: 0.8,
  /**
   * Node forensics: nothing listens on the expected ports (with or without
   * OOM kills): there is nothing to reach.
   */
  forensicsNotListening: 1.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Not ready in this share of the samples or more (Prometheus). */
  notReadyShare: 0.8,
  /** The working set peaked below this share of the limit. */
  normalMemoryShare: 0.9,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.5,
  loki: 0.9,
} as const;

/**
 * The process is healthy but unreachable: containers running without
 * restarts yet not ready, readiness probes timing out, connection errors,
 * memory and CPU normal.
 */
export function networkFault(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore(
    'network-fault',
    'Network fault with a healthy process',
  );
  const { input } = ctx;
  const running = input.replicas.filter(r => r.current.state === 'running');
  const notReady = running.filter(r => !r.ready);
  const stable = notReady.filter(r => ctx.restarts(r) === 0);
  const timeouts = ctx.probes.filter(p => p.cause === 'timeout');

  // Without Kubernetes: containers not ready in most samples, and not
  // restarting, from Prometheus.
  const stableByMetrics = input.replicas.length
    ? []
    : ctx.readiness.filter(
        r => r.notReadyShare >= THRESHOLDS.notReadyShare && r.restarts === 0,
      );
  if (stableByMetrics.length) {
    score.support(
      SUPPORT.unreadyWithoutRestarts,
      'prometheus',
      `${listNames(
        stableByMetrics.map(x => ctx.label(x)),
      )}: not ready in ${percent(
        Math.min(...stableByMetrics.map(x => x.notReadyShare)),
      )} of the samples or more, no restarts in the range`,
    );
  }
  if (stable.length) {
    const r = stable[0];
    const since = r.current.since
      ? ` for ${describeDuration(
          ctx.now.getTime() - Date.parse(r.current.since),
        )}`
      : '';
    score.support(
      SUPPORT.unreadyWithoutRestarts,
      'kubernetes',
      `${listNames(stable.map(x => ctx.label(x)))}: running${
        stable.length === 1 ? since : ''
      }, not ready, no restarts${ctx.restartsFromRange ? ' in the range' : ''}`,
    );
    const ready = input.metrics.ready.filter(s =>
      stable.some(x => x.pod === s.pod && x.cluster === s.cluster),
    );
    const values = ready.flatMap(s => s.points.map(p => p[1]));
    if (values.length) {
      const share = values.filter(v => v < 1).length / values.length;
      score.note(
        'prometheus',
        `Not ready in ${percent(share)} of the samples over the range`,
      );
    }
  }
  if (timeouts.length) {
    const [first, ...rest] = describeProbeFailures(timeouts);
    score.support(
      SUPPORT.probeTimeouts,
      'kubernetes',
      `${first}: the kubelet cannot reach the pod in time`,
    );
    rest.slice(0, 2).forEach(s => score.note('kubernetes', s));
  }
  const answered = ctx.probes.filter(
    p =>
      p.probe === 'readiness' &&
      (p.cause === 'connection-refused' || p.cause === 'http-status'),
  );
  if (answered.length && !timeouts.length && stable.length) {
    score.contradict(
      CONTRADICT.probesAnswered,
      'kubernetes',
      `${
        describeProbeFailures(answered)[0]
      }: the kubelet reaches the pod and is refused or answered, it does not time out`,
    );
  }
  if (ctx.logs.network.length) {
    score.support(
      SUPPORT.connectionErrorLogs,
      'loki',
      describeLogGroup(ctx.logs.network[0]),
    );
  }
  if (stable.length || stableByMetrics.length) {
    for (const m of ctx.memory) {
      const limit = m.peak?.limit ?? m.currentLimit;
      if (
        m.peak &&
        limit &&
        m.peak.bytes / limit < THRESHOLDS.normalMemoryShare
      ) {
        const cpu = ctx.cpu.find(c => c.meanThrottled !== undefined);
        score.support(
          SUPPORT.normalResources,
          'prometheus',
          `${m.name}: working set peaked at ${describeBytes(
            m.peak.bytes,
          )} (${percent(m.peak.bytes / limit)} of the limit)${
            cpu
              ? `, throttled in ${percent(cpu.meanThrottled!)} of CFS periods`
              : ''
          }: the process is not starved`,
        );
        break;
      }
    }
  }

  if (ctx.totalRestarts > 0) {
    score.contradict(
      CONTRADICT.restarts,
      'kubernetes',
      `${plural(ctx.totalRestarts, 'restart')}${
        ctx.restartsFromRange ? ' in the range' : ''
      }: the process itself fails`,
    );
  }
  if (
    input.replicas.length &&
    notReady.length === 0 &&
    timeouts.length === 0 &&
    !ctx.unavailable.kubernetes
  ) {
    score.contradict(
      CONTRADICT.allReady,
      'kubernetes',
      `All ${plural(running.length, 'running container')} are ready`,
    );
  }
  const forensics = input.forensics?.verdict.kind;
  if (forensics === 'listening') {
    score.support(
      SUPPORT.forensicsListening,
      'forensics',
      describeForensics(ctx)!,
    );
  } else if (
    forensics === 'oom-before-ready' ||
    forensics === 'not-listening'
  ) {
    score.contradict(
      CONTRADICT.forensicsNotListening,
      'forensics',
      `${describeForensics(ctx)!}: nothing listens to be reached`,
    );
  }
  limitBySources(ctx, score, {
    kubernetes: [
      SOURCE_FACTORS.kubernetes,
      'readiness and probe events could not be read',
    ],
    loki: [SOURCE_FACTORS.loki, 'connection errors could not be looked for'],
  });
  return score;
}
