import { Hypothesis } from '@observability-ir/plugin-observability-ir-common';
import { DiagnosisContext } from '../context';
import { percent, plural } from '../format';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import { EvidenceScore } from '../score';
import { describeLogGroup, limitBySources } from './common';

/** Warning events that speak of trouble. */
const TROUBLE_EVENTS = [
  'BackOff',
  'Unhealthy',
  'Evicted',
  'OOMKilling',
  'Failed',
  'FailedScheduling',
  'EvictionThresholdMet',
];

/**
 * Nothing is wrong: everything ready, no restarts, no errors of note,
 * resources comfortable. Its confidence is further multiplied by
 * (1 − the highest confidence of the other hypotheses), so it is never on
 * top while another has solid evidence.
 */
export function healthy(
  ctx: DiagnosisContext,
  others: Hypothesis[],
): EvidenceScore {
  const score = new EvidenceScore('healthy', 'Healthy');
  const { input } = ctx;
  const replicas = input.replicas;

  if (replicas.length) {
    const notReady = replicas.filter(r => !r.ready);
    if (notReady.length === 0) {
      score.support(
        1,
        'kubernetes',
        `All ${plural(replicas.length, 'container')} are ready`,
      );
    } else {
      score.contradict(
        1,
        'kubernetes',
        `${notReady.length} of ${plural(
          replicas.length,
          'container',
        )} not ready`,
      );
    }
  } else if (ctx.readiness.length) {
    const notReady = ctx.readiness.filter(r => !r.ready);
    if (notReady.length === 0) {
      score.support(
        1,
        'prometheus',
        `All ${plural(ctx.readiness.length, 'container')} are ready`,
      );
    } else {
      score.contradict(
        1,
        'prometheus',
        `${notReady.length} of ${plural(
          ctx.readiness.length,
          'container',
        )} not ready at the end of the range`,
      );
    }
  } else if (!ctx.unavailable.kubernetes) {
    score.contradict(1, 'kubernetes', 'No pods found');
  }
  if (replicas.length || ctx.restartsFromRange) {
    const source = replicas.length ? 'kubernetes' : 'prometheus';
    if (ctx.totalRestarts === 0) {
      score.support(
        1,
        source,
        `No restarts${ctx.restartsFromRange ? ' in the range' : ''}`,
      );
    } else {
      score.contradict(
        1,
        source,
        `${plural(ctx.totalRestarts, 'restart')}${
          ctx.restartsFromRange ? ' in the range' : ''
        }`,
      );
    }
  }

  if (!ctx.unavailable.loki) {
    if (ctx.notableLogs.length === 0) {
      score.support(
        0.5,
        'loki',
        input.logGroups.length
          ? `No error group of note (${plural(
              input.logGroups.length,
              'group',
            )}, each under 10 lines)`
          : 'No error lines',
      );
    } else {
      score.contradict(0.5, 'loki', describeLogGroup(ctx.notableLogs[0]));
    }
  }

  const shares = ctx.memory
    .filter(m => m.peak && (m.peak.limit ?? m.currentLimit))
    .map(m => ({
      m,
      share: m.peak!.bytes / (m.peak!.limit ?? m.currentLimit)!,
    }));
  if (shares.length) {
    const worst = shares.sort((a, b) => b.share - a.share)[0];
    const sentence = `${worst.m.name}: working set peaked at ${describeBytes(
      worst.m.peak!.bytes,
    )}, ${percent(worst.share)} of the limit`;
    if (worst.share < 0.9) {
      score.support(0.5, 'prometheus', sentence);
    } else {
      score.contradict(0.5, 'prometheus', sentence);
    }
  }
  const throttles = ctx.cpu
    .map(c => c.meanThrottled)
    .filter((v): v is number => v !== undefined);
  if (throttles.length) {
    const worst = Math.max(...throttles);
    const sentence = `Throttled in at most ${percent(worst)} of CFS periods`;
    if (worst < 0.1) {
      score.support(0.3, 'prometheus', sentence);
    } else {
      score.contradict(0.5, 'prometheus', sentence);
    }
  }

  const trouble = input.events.filter(
    e => e.type === 'Warning' || TROUBLE_EVENTS.includes(e.reason),
  );
  if (!ctx.unavailable.kubernetes) {
    if (trouble.length === 0) {
      score.support(0.3, 'kubernetes', 'No warning events');
    } else {
      score.contradict(
        0.3,
        'kubernetes',
        `${plural(trouble.length, 'warning event')}, e.g. ${
          trouble[0].reason
        }: ${trouble[0].message}`,
      );
    }
    const pressured = input.nodes.filter(n =>
      n.conditions.some(
        c =>
          c.type !== 'Ready' &&
          c.type.endsWith('Pressure') &&
          c.status === 'True',
      ),
    );
    if (pressured.length) {
      score.contradict(
        0.5,
        'kubernetes',
        `Node ${pressured[0].name} reports pressure`,
      );
    } else if (input.nodes.length) {
      score.support(
        0.2,
        'kubernetes',
        `${plural(input.nodes.length, 'node')} without pressure`,
      );
    }
  }

  const strongest = others.reduce<Hypothesis | undefined>(
    (best, h) => (!best || h.confidence > best.confidence ? h : best),
    undefined,
  );
  if (strongest && strongest.confidence >= 0.2) {
    score.limit(
      1 - strongest.confidence,
      strongest.supporting[0]?.source ?? 'kubernetes',
      `${
        strongest.title
      } has evidence (confidence ${strongest.confidence.toFixed(2)})`,
    );
  } else if (strongest) {
    score.scale(1 - strongest.confidence);
  }
  limitBySources(ctx, score, {
    kubernetes: [0.5, 'readiness and restarts could not be checked'],
    prometheus: [0.8, 'memory and CPU could not be checked'],
    loki: [0.85, 'error lines could not be checked'],
  });
  return score;
}
