import type {
  EvidenceItem,
  ForensicsReport,
} from '@observability-ir/plugin-observability-ir-common';
import type { ExpectedPort } from './expectedPorts';
import { readFindings } from './findings';
import { parseForensicsOutput } from './parse/sections';
import { forensicsVerdict } from './verdict';

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

// The types live in -common, where the Incident tab reads them too.
export type { ForensicsReport };
