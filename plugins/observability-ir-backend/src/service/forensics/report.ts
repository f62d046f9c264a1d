import type { EvidenceItem } from '@observability-ir/plugin-observability-ir-common';
import type { ExpectedPort } from './expectedPorts';
import { ForensicsFindings, readFindings } from './findings';
import { ForensicsSection, parseForensicsOutput } from './parse/sections';
import { ForensicsVerdict, forensicsVerdict } from './verdict';

/**
 * One run of the node-forensics script, parsed: what the Job's log said
 * (sections), what that means (findings) and the verdict. This is what a
 * run stores and what the diagnosis reads as evidence.
 */
export interface ForensicsReport {
  formatVersion?: number;
  /** The script ran to its end (its log was not cut off). */
  complete: boolean;
  sections: ForensicsSection[];
  findings: ForensicsFindings;
  verdict: ForensicsVerdict;
}

/** Parses the script's output and weighs it against the expected ports. */
export function readForensicsReport(
  output: string,
  expected: ExpectedPort[],
): ForensicsReport {
  const parsed = parseForensicsOutput(output);
  const findings = readFindings(parsed);
  return {
    ...(parsed.formatVersion !== undefined && {
      formatVersion: parsed.formatVersion,
    }),
    complete: parsed.complete,
    sections: parsed.sections,
    findings,
    verdict: forensicsVerdict(findings, expected),
  };
}

/** The verdict as a diagnosis evidence item (source `forensics`). */
export function forensicsEvidence(report: ForensicsReport): EvidenceItem {
  return { source: 'forensics', description: report.verdict.sentence };
}
