import {
  LogErrorGroup,
  LogSample,
} from '@observability-ir/plugin-observability-ir-common';
import { errorSignature } from './errorSignature';

/** One log entry: its first line, and the lines after it. */
export interface ErrorLogEntry {
  /** Unix milliseconds. */
  timeMs: number;
  cluster: string;
  pod: string;
  container?: string;
  line: string;
  stackTrace?: string[];
}

const HISTOGRAM_BUCKETS = 30;

/**
 * Splits a Loki entry into its first line and its stack trace. Fluent Bit's
 * multiline parsers keep a Java stack trace in one entry; its frames follow
 * the first line.
 */
export function toErrorLogEntry(
  base: Omit<ErrorLogEntry, 'line' | 'stackTrace'>,
  text: string,
): ErrorLogEntry {
  const [line, ...rest] = text.split(/\r?\n/);
  const stackTrace = rest.map(l => l.replace(/\s+$/, '')).filter(Boolean);
  return { ...base, line, ...(stackTrace.length ? { stackTrace } : {}) };
}

/**
 * Groups error entries by signature, most frequent first, with when and
 * where each group appeared and a sample with its stack trace.
 */
export function groupErrorLines(
  entries: ErrorLogEntry[],
  range: { startMs: number; endMs: number },
): LogErrorGroup[] {
  const groups = new Map<
    string,
    { exceptionClass?: string; entries: ErrorLogEntry[] }
  >();
  for (const entry of entries) {
    const { signature, exceptionClass } = errorSignature(
      entry.line,
      entry.stackTrace,
    );
    const group = groups.get(signature) ?? { exceptionClass, entries: [] };
    group.entries.push(entry);
    groups.set(signature, group);
  }

  const bucketMs = Math.max(
    1,
    (range.endMs - range.startMs) / HISTOGRAM_BUCKETS,
  );
  return [...groups]
    .map(([signature, group]) => {
      const sorted = [...group.entries].sort((a, b) => a.timeMs - b.timeMs);
      const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
      for (const entry of sorted) {
        const bucket = Math.floor((entry.timeMs - range.startMs) / bucketMs);
        histogram[Math.min(HISTOGRAM_BUCKETS - 1, Math.max(0, bucket))] += 1;
      }
      // The newest occurrence that carries a stack trace tells the most.
      const sampleEntry =
        [...sorted].reverse().find(e => e.stackTrace) ??
        sorted[sorted.length - 1];
      const sample: LogSample = {
        timestamp: new Date(sampleEntry.timeMs).toISOString(),
        cluster: sampleEntry.cluster,
        pod: sampleEntry.pod,
        ...(sampleEntry.container ? { container: sampleEntry.container } : {}),
        line: sampleEntry.line,
        ...(sampleEntry.stackTrace
          ? { stackTrace: sampleEntry.stackTrace }
          : {}),
      };
      return {
        signature,
        ...(group.exceptionClass
          ? { exceptionClass: group.exceptionClass }
          : {}),
        count: sorted.length,
        firstSeen: new Date(sorted[0].timeMs).toISOString(),
        lastSeen: new Date(sorted[sorted.length - 1].timeMs).toISOString(),
        pods: [...new Set(sorted.map(e => e.pod))].sort(),
        histogram,
        sample,
      };
    })
    .sort(
      (a, b) => b.count - a.count || a.signature.localeCompare(b.signature),
    );
}
