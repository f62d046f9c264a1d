import { THROTTLED_SHARE } from '../../metrics/cpuFacts';
import { DiagnosisContext } from '../context';
import { describeCores, listNames, percent, plural } from '../format';
import { EvidenceScore } from '../score';
import { describeLogGroup } from './common';

/** Points each fact for CPU throttling adds. */
export const SUPPORT = {
  /** Throttled above 25% on average and in most samples. */
  throttled: 1.5,
  /** … with usage at the CPU limit. */
  atCpuLimit: 0.8,
  /** … with slow-request log lines. */
  slowRequestLogs: 0.3,
  /** … with all containers ready and no restarts. */
  readyWithoutRestarts: 0.2,
  /** Moderately throttled only. */
  moderatelyThrottled: 0.5,
} as const;

/** Points each fact against CPU throttling takes away. */
export const CONTRADICT = {
  /** Hardly throttled. */
  notThrottled: 1.5,
  /** No container has a CPU limit. */
  noCpuLimit: 1.5,
  /** Restarts: throttling does not restart a process. */
  restarts: 0.3,
  /** No throttling series to look at. */
  noSeries: 0.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** Throttling counts as sustained when this share of samples is throttled. */
  sustainedSamples: 0.5,
  /** CPU usage counts as at the limit from this share of it. */
  atCpuLimit: 0.9,
  /** A mean throttled share above this is moderate. */
  moderateThrottledShare: 0.1,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  prometheus: 0.5,
} as const;

/**
 * The CFS quota throttles the container: a high throttled share, usage at
 * the CPU limit, no restarts and readiness fine.
 */
export function cpuThrottling(ctx: DiagnosisContext): EvidenceScore {
  const score = new EvidenceScore('cpu-throttling', 'CPU throttling');
  const measured = ctx.cpu.filter(c => c.meanThrottled !== undefined);
  const throttled = measured
    .filter(
      c =>
        c.meanThrottled! > THROTTLED_SHARE &&
        (c.sustainedThrottled ?? 0) >= THRESHOLDS.sustainedSamples,
    )
    .sort((a, b) => b.meanThrottled! - a.meanThrottled!);
  const moderate = measured.filter(
    c =>
      c.meanThrottled! > THRESHOLDS.moderateThrottledShare &&
      !throttled.includes(c),
  );

  if (throttled.length) {
    const c = throttled[0];
    score.support(
      SUPPORT.throttled,
      'prometheus',
      `${listNames(throttled.map(x => x.pod))}: throttled in ${percent(
        c.meanThrottled!,
      )} of CFS periods on average, above 25% in ${percent(
        c.sustainedThrottled ?? 0,
      )} of samples`,
    );
    const atLimit = throttled.find(
      x =>
        x.limit !== undefined &&
        x.meanUsage !== undefined &&
        x.meanUsage >= THRESHOLDS.atCpuLimit * x.limit,
    );
    if (atLimit) {
      score.support(
        SUPPORT.atCpuLimit,
        'prometheus',
        `${atLimit.pod}: uses ${describeCores(
          atLimit.meanUsage!,
        )} of its ${describeCores(atLimit.limit!)} limit (${percent(
          atLimit.meanUsage! / atLimit.limit!,
        )})`,
      );
    }
    if (ctx.logs.latency.length) {
      score.support(
        SUPPORT.slowRequestLogs,
        'loki',
        describeLogGroup(ctx.logs.latency[0]),
      );
    }
    const allReady = ctx.input.replicas.every(r => r.ready);
    if (ctx.totalRestarts === 0 && allReady && ctx.input.replicas.length) {
      score.support(
        SUPPORT.readyWithoutRestarts,
        'kubernetes',
        `All ${plural(
          ctx.input.replicas.length,
          'container',
        )} ready, no restarts: the process is slow, not failing`,
      );
    }
  } else if (moderate.length) {
    score.support(
      SUPPORT.moderatelyThrottled,
      'prometheus',
      `${listNames(moderate.map(x => x.pod))}: throttled in ${percent(
        moderate[0].meanThrottled!,
      )} of CFS periods on average`,
    );
  } else if (measured.length) {
    score.contradict(
      CONTRADICT.notThrottled,
      'prometheus',
      `Throttled in at most ${percent(
        Math.max(...measured.map(c => c.meanThrottled!)),
      )} of CFS periods on average`,
    );
  }
  const limited = ctx.input.replicas.filter(
    r => r.limits.cpuCores !== undefined,
  );
  if (
    ctx.input.replicas.length &&
    limited.length === 0 &&
    !ctx.unavailable.kubernetes
  ) {
    score.contradict(
      CONTRADICT.noCpuLimit,
      'kubernetes',
      'No container has a CPU limit: the CFS quota cannot throttle it',
    );
  }
  if (ctx.totalRestarts > 0) {
    score.contradict(
      CONTRADICT.restarts,
      'kubernetes',
      `${plural(ctx.totalRestarts, 'restart')}${
        ctx.restartsFromRange ? ' in the range' : ''
      }: throttling slows a process down, it does not restart it`,
    );
  }
  if (ctx.unavailable.prometheus) {
    score.limit(
      SOURCE_FACTORS.prometheus,
      'prometheus',
      `${ctx.unavailable.prometheus}: CPU usage and throttling could not be checked`,
    );
  } else if (measured.length === 0) {
    score.contradict(
      CONTRADICT.noSeries,
      'prometheus',
      'No CPU throttling series: throttling could not be checked',
    );
  }
  return score;
}
