import {
  DiagnosisResponse,
  Hypothesis,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import { firedAlertFacts, TOPIC_HYPOTHESES } from '../alerts/alertFacts';
import { buildContext, DiagnosisContext } from './context';
import { applicationCrash } from './hypotheses/applicationCrash';
import { cpuThrottling } from './hypotheses/cpuThrottling';
import { healthy } from './hypotheses/healthy';
import { memoryLeak } from './hypotheses/memoryLeak';
import { memoryLimitTooLow } from './hypotheses/memoryLimitTooLow';
import { networkFault } from './hypotheses/networkFault';
import { nodeMemoryPressure } from './hypotheses/nodeMemoryPressure';
import { probeMisconfiguration } from './hypotheses/probeMisconfiguration';
import { recommend } from './recommendation';
import { EvidenceScore } from './score';
import { DiagnosisInput } from './types';

/** What {@link diagnose} returns. */
export type Diagnosis = Pick<
  DiagnosisResponse,
  'hypotheses' | 'recommendation' | 'memoryLookback'
>;

/** Options of {@link diagnose}. */
export interface DiagnoseOptions {
  /** The end of the range; defaults to the current time. */
  now?: Date;
  /**
   * The start of the range. Terminations before it are context, not
   * evidence; without it every termination counts.
   */
  start?: Date;
}

const CHECKS: Array<(ctx: DiagnosisContext) => EvidenceScore> = [
  memoryLimitTooLow,
  memoryLeak,
  nodeMemoryPressure,
  applicationCrash,
  probeMisconfiguration,
  cpuThrottling,
  networkFault,
];

/** Ties in confidence are broken in this order. */
const ORDER: HypothesisId[] = [
  'memory-limit-too-low',
  'memory-leak',
  'node-memory-pressure',
  'application-crash',
  'probe-misconfiguration',
  'cpu-throttling',
  'network-fault',
  'healthy',
];

function toHypothesis(score: EvidenceScore): Hypothesis {
  return {
    id: score.id,
    title: score.title,
    confidence: score.confidence,
    supporting: score.supporting,
    contradicting: score.contradicting,
  };
}

/**
 * The alerts that fired in the range, as evidence without weight: an alert
 * is a symptom someone configured a rule for, not proof of a cause. Each
 * is noted on the hypotheses its name is consistent with (memory, restarts,
 * CPU), and every one stands against `healthy`.
 */
function noteAlerts(
  ctx: DiagnosisContext,
  scores: EvidenceScore[],
): EvidenceScore[] {
  const facts = firedAlertFacts(ctx.input.alerts ?? [], ctx.now);
  for (const fact of facts) {
    const ids = new Set(fact.topics.flatMap(t => TOPIC_HYPOTHESES[t]));
    for (const score of scores) {
      if (ids.has(score.id)) {
        score.note(
          'prometheus',
          `${fact.sentence} (a symptom its rule watches for, not weighed as proof)`,
        );
      }
    }
  }
  return scores;
}

/**
 * Ranks what may be wrong with one entity, from the evidence gathered for
 * it: every hypothesis with its confidence (0–1) and the evidence for and
 * against it, most likely first, and a recommendation for the top one.
 * Pure: the same input and `now` give the same answer.
 */
export function diagnose(
  input: DiagnosisInput,
  options: DiagnoseOptions = {},
): Diagnosis {
  const ctx = buildContext(input, options.now ?? new Date(), options.start);
  const others = noteAlerts(
    ctx,
    CHECKS.map(check => check(ctx)),
  ).map(toHypothesis);
  const wellness = healthy(ctx, others);
  for (const fact of firedAlertFacts(ctx.input.alerts ?? [], ctx.now)) {
    wellness.contradict(0, 'prometheus', fact.sentence);
  }
  const all = [...others, toHypothesis(wellness)];
  const hypotheses = all.sort(
    (a, b) =>
      b.confidence - a.confidence || ORDER.indexOf(a.id) - ORDER.indexOf(b.id),
  );
  const recommendation = recommend(ctx, hypotheses[0]);
  return {
    hypotheses,
    ...(recommendation ? { recommendation } : {}),
    ...(ctx.lookback
      ? {
          memoryLookback: {
            start: new Date(ctx.lookback.fromMs).toISOString(),
            end: new Date(ctx.lookback.toMs).toISOString(),
            description: ctx.lookback.description,
          },
        }
      : {}),
  };
}
