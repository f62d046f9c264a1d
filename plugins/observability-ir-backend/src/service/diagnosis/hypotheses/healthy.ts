import { Hypothesis } from '@observability-ir/plugin-observability-ir-common';
import { nodesUnderPressure } from '../../replicas/nodeFacts';
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

/** Points each fact for a healthy workload adds. */
export const SUPPORT = {
  /** All containers ready. */
  allReady: 1,
  /** No restarts. */
  noRestarts: 1,
  /** No log group of note. */
  noNotableLogs: 0.5,
  /** The working set well below the limit. */
  memoryComfortable: 0.5,
  /** Hardly throttled. */
  notThrottled: 0.3,
  /** No warning events. */
  noWarnings: 0.3,
  /** No node under pressure. */
  noNodePressure: 0.2,
} as const;

/** Points each fact against a healthy workload takes away. */
export const CONTRADICT = {
  /** Containers not ready. */
  notReady: 1,
  /** No pods found. */
  noPods: 1,
  /** Restarts. */
  restarts: 1,
  /** A log group of note. */
  notableLogs: 0.5,
  /** The working set near the limit. */
  memoryNearLimit: 0.5,
  /** Throttled. */
  throttled: 0.5,
  /** Warning events. */
  warnings: 0.3,
  /** A node under pressure. */
  nodePressure: 0.5,
} as const;

/** Where the facts start to count. */
export const THRESHOLDS = {
  /** The working set peaked below this share of the limit. */
  comfortableMemoryShare: 0.9,
  /** Throttled in less than this share of CFS periods. */
  lowThrottledShare: 0.1,
  /** From this confidence on, the strongest other hypothesis is named. */
  namedRivalConfidence: 0.2,
} as const;

/** What a source that did not answer multiplies the confidence by. */
export const SOURCE_FACTORS = {
  kubernetes: 0.5,
  prometheus: 0.8,
  loki: 0.85,
} as const;

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
        SUPPORT.allReady,
        'kubernetes',
        `All ${plural(replicas.length, 'container')} are ready`,
      );
    } else {
      score.contradict(
        CONTRADICT.notReady,
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
        SUPPORT.allReady,
        'prometheus',
        `All ${plural(ctx.readiness.length, 'container')} are ready`,
      );
    } else {
      score.contradict(
        CONTRADICT.notReady,
        'prometheus',
        `${notReady.length} of ${plural(
          ctx.readiness.length,
          'container',
        )} not ready at the end of the range`,
      );
    }
  } else if (!ctx.unavailable.kubernetes) {
    score.contradict(CONTRADICT.noPods, 'kubernetes', 'No pods found');
  }
  if (replicas.length || ctx.restartsFromRange) {
    const source = replicas.length ? 'kubernetes' : 'prometheus';
    if (ctx.totalRestarts === 0) {
      score.support(
        SUPPORT.noRestarts,
        source,
        `No restarts${ctx.restartsFromRange ? ' in the range' : ''}`,
      );
    } else {
      score.contradict(
        CONTRADICT.restarts,
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
        SUPPORT.noNotableLogs,
        'loki',
        input.logGroups.length
          ? `No error group of note (${plural(
              input.logGroups.length,
              'group',
            )}, each under 10 lines)`
          : 'No error lines',
      );
    } else {
      score.contradict(
        CONTRADICT.notableLogs,
        'loki',
        describeLogGroup(ctx.notableLogs[0]),
      );
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
    if (worst.share < THRESHOLDS.comfortableMemoryShare) {
      score.support(SUPPORT.memoryComfortable, 'prometheus', sentence);
    } else {
      score.contradict(CONTRADICT.memoryNearLimit, 'prometheus', sentence);
    }
  }
  const throttles = ctx.cpu
    .map(c => c.meanThrottled)
    .filter((v): v is number => v !== undefined);
  if (throttles.length) {
    const worst = Math.max(...throttles);
    const sentence = `Throttled in at most ${percent(worst)} of CFS periods`;
    if (worst < THRESHOLDS.lowThrottledShare) {
      score.support(SUPPORT.notThrottled, 'prometheus', sentence);
    } else {
      score.contradict(CONTRADICT.throttled, 'prometheus', sentence);
    }
  }

  const trouble = input.events.filter(
    e => e.type === 'Warning' || TROUBLE_EVENTS.includes(e.reason),
  );
  if (!ctx.unavailable.kubernetes) {
    if (trouble.length === 0) {
      score.support(SUPPORT.noWarnings, 'kubernetes', 'No warning events');
    } else {
      score.contradict(
        CONTRADICT.warnings,
        'kubernetes',
        `${plural(trouble.length, 'warning event')}, e.g. ${
          trouble[0].reason
        }: ${trouble[0].message}`,
      );
    }
    const pressured = nodesUnderPressure(input.nodes);
    if (pressured.length) {
      score.contradict(
        CONTRADICT.nodePressure,
        'kubernetes',
        `Node ${pressured[0].name} reports pressure`,
      );
    } else if (input.nodes.length) {
      score.support(
        SUPPORT.noNodePressure,
        'kubernetes',
        `${plural(input.nodes.length, 'node')} without pressure`,
      );
    }
  }

  const strongest = others.reduce<Hypothesis | undefined>(
    (best, h) => (!best || h.confidence > best.confidence ? h : best),
    undefined,
  );
  if (strongest && strongest.confidence >= THRESHOLDS.namedRivalConfidence) {
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
    kubernetes: [
      SOURCE_FACTORS.kubernetes,
      'readiness and restarts could not be checked',
    ],
    prometheus: [
      SOURCE_FACTORS.prometheus,
      'memory and CPU could not be checked',
    ],
    loki: [SOURCE_FACTORS.loki, 'error lines could not be checked'],
  });
  return score;
}
