import type {
  ForensicsReport,
  ForensicsRun as ApiForensicsRun,
} from '@observability-ir/plugin-observability-ir-common';
import { readFindings } from './findings';
import { parseForensicsOutput } from './parse/sections';
import type { ForensicsRun, ForensicsRunSummary } from './store';

/**
 * The report of a stored run: its sections and verdict as stored, the
 * findings read again from the sections.
 */
function reportOf(run: ForensicsRun): ForensicsReport | undefined {
  if (!run.verdict || !run.sections) return undefined;
  // The log tells whether the script ran to its end, unless it was cut.
  const head =
    run.rawOutput !== undefined && !run.rawOutputTruncated
      ? parseForensicsOutput(run.rawOutput)
      : undefined;
  const complete =
    head?.complete ?? run.sections.every(s => s.exitStatus !== undefined);
  const formatVersion = head?.formatVersion;
  const findings = readFindings({
    sections: run.sections,
    complete,
    ...(formatVersion !== undefined && { formatVersion }),
  });
  return {
    ...(formatVersion !== undefined && { formatVersion }),
    complete,
    sections: run.sections,
    findings,
    verdict: run.verdict,
  };
}

/**
 * A stored run as the endpoints answer it: the parsed report once it
 * succeeded, and the raw output unless `withRawOutput` is false (the
 * history leaves it out).
 */
export function toApiRun(
  run: ForensicsRun | ForensicsRunSummary,
  options: { withRawOutput?: boolean } = {},
): ApiForensicsRun {
  const full = run as ForensicsRun;
  const report = reportOf(full);
  const withRaw = options.withRawOutput ?? true;
  return {
    id: run.id,
    status: run.status,
    entityRef: run.entityRef,
    cluster: run.cluster,
    namespace: run.namespace,
    pod: run.pod,
    container: run.container,
    ...(run.node !== undefined && { node: run.node }),
    requestedBy: run.requestedBy,
    createdAt: run.createdAt,
    ...(run.startedAt !== undefined && { startedAt: run.startedAt }),
    ...(run.finishedAt !== undefined && { finishedAt: run.finishedAt }),
    ...(run.reason !== undefined && { reason: run.reason }),
    ...(report && { report }),
    ...(withRaw &&
      full.rawOutput !== undefined && {
        rawOutput: full.rawOutput,
        rawOutputTruncated: run.rawOutputTruncated,
      }),
  };
}
