import { THROTTLED_SHARE } from '../../metrics/cpuFacts';
import { DiagnosisContext } from '../context';
import { describeCores, listNames, percent, plural } from '../format';
import { EvidenceScore } from '../score';
import { describeLogGroup } from './common';

/** Throttling counts as sustained when half the samples are throttled. */
export const SUSTAINED_SAMPLES = 0.5;
/** CPU usage counts as at the limit from 90% of it. */
export const AT_CPU_LIMIT = 0.9;

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
        (c.sustainedThrottled ?? 0) >= SUSTAINED_SAMPLES,
    )
    .sort((a, b) => b.meanThrottled! - a.meanThrottled!);
  const moderate = measured.filter(
    c => c.meanThrottled! > 0.1 && !throttled.includes(c),
  );

  if (throttled.length) {
    const c = throttled[0];
    score.support(
      1.5,
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
        x.meanUsage >= AT_CPU_LIMIT * x.limit,
    );
    if (atLimit) {
      score.support(
        0.8,
        'prometheus',
        `${atLimit.pod}: uses ${describeCores(
          atLimit.meanUsage!,
        )} of its ${describeCores(atLimit.limit!)} limit (${percent(
          atLimit.meanUsage! / atLimit.limit!,
        )})`,
      );
    }
    if (ctx.logs.latency.length) {
      score.support(0.3, 'loki', describeLogGroup(ctx.logs.latency[0]));
    }
    const allReady = ctx.input.replicas.every(r => r.ready);
    if (ctx.totalRestarts === 0 && allReady && ctx.input.replicas.length) {
      score.support(
        0.2,
        'kubernetes',
        `All ${plural(
          ctx.input.replicas.length,
          'container',
        )} ready, no restarts: the process is slow, not failing`,
      );
    }
  } else if (moderate.length) {
    score.support(
      0.5,
      'prometheus',
      `${listNames(moderate.map(x => x.pod))}: throttled in ${percent(
        moderate[0].meanThrottled!,
      )} of CFS periods on average`,
    );
  } else if (measured.length) {
    score.contradict(
      1.5,
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
      1.5,
      'kubernetes',
      'No container has a CPU limit: the CFS quota cannot throttle it',
    );
  }
  if (ctx.totalRestarts > 0) {
    score.contradict(
      0.3,
      'kubernetes',
      `${plural(ctx.totalRestarts, 'restart')}${
        ctx.restartsFromRange ? ' in the range' : ''
      }: throttling slows a process down, it does not restart it`,
    );
  }
  if (ctx.unavailable.prometheus) {
    score.limit(
      0.5,
      'prometheus',
      `${ctx.unavailable.prometheus}: CPU usage and throttling could not be checked`,
    );
  } else if (measured.length === 0) {
    score.contradict(
      0.5,
      'prometheus',
      'No CPU throttling series: throttling could not be checked',
    );
  }
  return score;
}
