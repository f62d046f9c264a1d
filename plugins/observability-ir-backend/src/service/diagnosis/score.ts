import {
  EvidenceItem,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';

type Source = EvidenceItem['source'];

/**
 * The evidence for and against one hypothesis, and the confidence it adds
 * up to.
 *
 * Every fact carries a weight in points: supporting facts add, contradicting
 * facts subtract. A source that did not answer multiplies the result by a
 * factor below 1. The confidence is
 *
 *   (1 − e^(−max(0, points))) × Π factors
 *
 * so 1 point gives 0.63, 2 give 0.86, 3 give 0.95, and no hypothesis
 * reaches 1. The same scale for every hypothesis makes them comparable.
 */
export class EvidenceScore {
  readonly supporting: EvidenceItem[] = [];
  readonly contradicting: EvidenceItem[] = [];
  private points = 0;
  private factor = 1;

  constructor(readonly id: HypothesisId, readonly title: string) {}

  support(weight: number, source: Source, description: string): this {
    this.points += weight;
    this.supporting.push({ source, description });
    return this;
  }

  contradict(weight: number, source: Source, description: string): this {
    this.points -= weight;
    this.contradicting.push({ source, description });
    return this;
  }

  /** A limitation, e.g. a source that did not answer. */
  limit(factor: number, source: Source, description: string): this {
    this.factor *= factor;
    this.contradicting.push({ source, description });
    return this;
  }

  /** Scales the confidence without an item of its own. */
  scale(factor: number): this {
    this.factor *= factor;
    return this;
  }

  /** A supporting fact that adds no weight (context for people). */
  note(source: Source, description: string): this {
    this.supporting.push({ source, description });
    return this;
  }

  get totalPoints(): number {
    return this.points;
  }

  get confidence(): number {
    const raw = (1 - Math.exp(-Math.max(0, this.points))) * this.factor;
    return Math.round(raw * 100) / 100;
  }
}
