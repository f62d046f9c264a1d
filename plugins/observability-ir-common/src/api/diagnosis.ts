import { SourceStatus } from './sources';

/**
 * The causes a diagnosis tells apart.
 *
 * @public
 */
export type HypothesisId =
  | 'memory-limit-too-low'
  | 'memory-leak'
  | 'node-memory-pressure'
  | 'application-crash'
  | 'probe-misconfiguration'
  | 'cpu-throttling'
  | 'network-fault'
  | 'healthy';

/**
 * A fact that speaks for or against a hypothesis.
 *
 * @public
 */
export interface EvidenceItem {
  source: 'kubernetes' | 'prometheus' | 'loki' | 'forensics';
  /** One sentence a person can check, with the numbers. */
  description: string;
}

/**
 * A recommended change, for the top hypothesis when there is one to make.
 *
 * @public
 */
export interface Recommendation {
  /** What to do, in words. */
  summary: string;
  /**
   * For memory limits: the current and the proposed quantity, and what the
   * proposal is based on, in one sentence (a container killed at its limit
   * never showed its true demand; one that peaked below it did).
   */
  memoryLimit?: {
    current: string;
    proposed: string;
    peakWorkingSet: string;
    basis: string;
  };
}

/**
 * One possible cause, ranked by confidence.
 *
 * @public
 */
export interface Hypothesis {
  id: HypothesisId;
  title: string;
  /** 0–1. */
  confidence: number;
  supporting: EvidenceItem[];
  contradicting: EvidenceItem[];
}

/**
 * `GET /v1/diagnosis`.
 *
 * @public
 */
export interface DiagnosisResponse {
  entityRef: string;
  /** Most likely first. */
  hypotheses: Hypothesis[];
  recommendation?: Recommendation;
  /**
   * The look-back over which how the working set climbs run after run was
   * read (leak or undersized limit), when it was longer than the range:
   * 24 hours by default, or as much of it as Prometheus holds.
   */
  memoryLookback?: MemoryLookbackUsed;
  sources: SourceStatus[];
}

/** The span the diagnosis read run shapes over, when longer than the range. */
export interface MemoryLookbackUsed {
  /** RFC 3339: the first point Prometheus held, else the start asked for. */
  start: string;
  end: string;
  /** `the last 24 h`, or how much of it Prometheus held. */
  description: string;
}
