import {
  EvidenceItem,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { RunbookContext } from './context';

/**
 * How an item that speaks against the followed hypothesis starts, in a
 * step's evidence; the postmortem sorts the items back by it.
 */
export const AGAINST_PREFIX = 'Against the diagnosis: ';

/**
 * The diagnosis' evidence for the followed hypothesis from these sources:
 * what supports it, then what contradicts it (marked with
 * {@link AGAINST_PREFIX}).
 */
export function diagnosisEvidence(
  ctx: RunbookContext,
  sources: EvidenceItem['source'][],
): EvidenceItem[] {
  const of = (items: EvidenceItem[] = []) =>
    items.filter(item => sources.includes(item.source));
  return [
    ...of(ctx.hypothesis?.supporting),
    ...of(ctx.hypothesis?.contradicting).map(item => ({
      ...item,
      description: `${AGAINST_PREFIX}${item.description}`,
    })),
  ];
}

/** How one source answered across clusters. */
export interface SourceAnswers {
  answered: SourceStatus[];
  failed: SourceStatus[];
}

/** The statuses of one source, split into those that answered and the rest. */
export function answersOf(
  statuses: SourceStatus[],
  source: SourceStatus['source'],
): SourceAnswers {
  const of = statuses.filter(s => s.source === source);
  return {
    answered: of.filter(s => s.status === 'ok'),
    failed: of.filter(s => s.status !== 'ok'),
  };
}

/** "sandbox: Prometheus answered 503", one per failed cluster. */
export function describeFailures(failed: SourceStatus[]): string {
  return failed
    .map(s =>
      s.status === 'not-configured'
        ? `${s.cluster}: not configured`
        : `${s.cluster}: ${s.error ?? 'failed'}`,
    )
    .join('; ');
}

/** The text as a sentence: a full stop added unless it ends with one. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** Sentences joined with spaces, the empty ones left out. */
export function sentences(...texts: Array<string | undefined | false>): string {
  return texts
    .filter((t): t is string => Boolean(t && t.trim()))
    .map(sentence)
    .join(' ');
}
