import {
  describeBytes,
  describePercent,
  MetricSeries,
  plural,
  Replica,
  TimelineEvent,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { CollectedMetrics } from '../metrics/collectMetrics';
import { ErrorLogEntry } from '../logs/groupErrorLines';
import { errorSignature } from '../logs/errorSignature';

const ERRORS_WINDOW_MS = 30_000;
const MEMORY_WINDOW_MS = 60_000;
const NEAR_LIMIT = 0.9;
const BURST_GAP_MS = 30_000;
const BURST_MIN_LINES = 3;

type Key = string;
const keyOf = (s: { cluster: string; pod: string; container?: string }): Key =>
  `${s.cluster}/${s.pod}/${s.container ?? ''}`;

function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** Index of the first item whose time is at or after `timeMs`. */
function firstAtOrAfter<T>(
  items: T[],
  timeMs: number,
  timeOf: (item: T) => number,
) {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (timeOf(items[mid]) < timeMs) low = mid + 1;
    else high = mid;
  }
  return low;
}

const pointTime = (point: [number, number]) => point[0];
const entryTime = (entry: ErrorLogEntry) => entry.timeMs;

function valueAt(series: MetricSeries | undefined, timeMs: number) {
  if (!series) return undefined;
  const index = firstAtOrAfter(series.points, timeMs + 1, pointTime) - 1;
  return index >= 0 ? series.points[index][1] : undefined;
}

function maxBetween(
  series: MetricSeries | undefined,
  fromMs: number,
  toMs: number,
) {
  if (!series) return undefined;
  let max: number | undefined;
  for (
    let i = firstAtOrAfter(series.points, fromMs, pointTime);
    i < series.points.length && series.points[i][0] <= toMs;
    i++
  ) {
    max = Math.max(max ?? -Infinity, series.points[i][1]);
  }
  return max;
}

/** Error entries per container in time order, to count those in a window. */
function entriesByContainer(entries: ErrorLogEntry[]) {
  const byKey = new Map<Key, ErrorLogEntry[]>();
  for (const entry of entries) {
    const list = byKey.get(keyOf(entry)) ?? [];
    list.push(entry);
    byKey.set(keyOf(entry), list);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.timeMs - b.timeMs);
  return byKey;
}

function countBetween(
  entries: ErrorLogEntry[] | undefined,
  fromMs: number,
  toMs: number,
) {
  if (!entries) return 0;
  return (
    firstAtOrAfter(entries, toMs + 1, entryTime) -
    firstAtOrAfter(entries, fromMs, entryTime)
  );
}

/**
 * Termination times of each container: the samples at which its restart
 * counter rose. Kubernetes' exact `finishedAt` replaces the sample time for
 * the most recent one, when it falls within that step.
 */
function terminations(
  metrics: CollectedMetrics,
  replicas: Replica[],
  stepMs: number,
) {
  const found: Array<{
    key: Key;
    series: MetricSeries;
    timeMs: number;
    count: number;
  }> = [];
  for (const series of metrics.restarts) {
    for (let i = 1; i < series.points.length; i++) {
      const [t, value] = series.points[i];
      const rise = value - series.points[i - 1][1];
      if (rise > 0) {
        found.push({ key: keyOf(series), series, timeMs: t, count: rise });
      }
    }
  }
  const lastByKey = new Map(
    replicas
      .filter(r => r.lastTermination?.finishedAt)
      .map(r => [keyOf(r), r.lastTermination!]),
  );
  for (const termination of found) {
    const last = lastByKey.get(termination.key);
    const finished = last?.finishedAt ? Date.parse(last.finishedAt) : NaN;
    if (
      finished > termination.timeMs - stepMs &&
      finished <= termination.timeMs
    ) {
      termination.timeMs = finished;
    }
  }
  return { found, lastByKey };
}

function errorBursts(byContainer: Map<Key, ErrorLogEntry[]>): TimelineEvent[] {
  const bursts: TimelineEvent[] = [];
  for (const list of byContainer.values()) {
    let current: ErrorLogEntry[] = [];
    const flush = () => {
      if (current.length >= BURST_MIN_LINES) {
        const counts = new Map<string, number>();
        for (const e of current) {
          const { signature } = errorSignature(e.line, e.stackTrace);
          counts.set(signature, (counts.get(signature) ?? 0) + 1);
        }
        const [signature] = [...counts].sort((a, b) => b[1] - a[1])[0];
        const first = current[0];
        bursts.push({
          kind: 'error-burst',
          time: new Date(first.timeMs).toISOString(),
          cluster: first.cluster,
          pod: first.pod,
          ...(first.container ? { container: first.container } : {}),
          lineCount: current.length,
          signature,
          summary: `${current.length} error lines in ${
            first.pod
          } from ${formatTime(first.timeMs)}, mostly "${signature}"`,
        });
      }
      current = [];
    };
    for (const entry of list) {
      if (
        current.length &&
        entry.timeMs - current[current.length - 1].timeMs > BURST_GAP_MS
      ) {
        flush();
      }
      current.push(entry);
    }
    flush();
  }
  return bursts;
}

/**
 * Places terminations and error bursts on one time axis, each with the
 * memory and log evidence around it, and measures how consistently they
 * line up.
 */
export function buildTimeline(options: {
  metrics: CollectedMetrics;
  logEntries: ErrorLogEntry[];
  replicas: Replica[];
  stepSeconds: number;
}): Pick<TimelineResponse, 'events' | 'correlation'> {
  const { metrics, logEntries, replicas } = options;
  const stepMs = options.stepSeconds * 1000;
  const workingSet = new Map(metrics.memory.workingSet.map(s => [keyOf(s), s]));
  const limits = new Map(metrics.memory.limit.map(s => [keyOf(s), s]));
  const reasonsByKey = new Map<Key, typeof metrics.terminationReasons>();
  for (const reason of metrics.terminationReasons) {
    reasonsByKey.set(keyOf(reason), [
      ...(reasonsByKey.get(keyOf(reason)) ?? []),
      reason,
    ]);
  }
  const logsByKey = entriesByContainer(logEntries);
  const { found, lastByKey } = terminations(metrics, replicas, stepMs);

  const events: TimelineEvent[] = found.map(({ key, series, timeMs }) => {
    const reasonSeries = reasonsByKey
      .get(key)
      ?.find(r => (valueAt(r, timeMs + stepMs) ?? 0) > 0);
    const last = lastByKey.get(key);
    const exact = last?.finishedAt && Date.parse(last.finishedAt) === timeMs;
    const reason = reasonSeries?.reason ?? (exact ? last?.reason : undefined);
    const exitCode = exact ? last?.exitCode : undefined;
    const before = maxBetween(
      workingSet.get(key),
      timeMs - MEMORY_WINDOW_MS - stepMs,
      timeMs,
    );
    const limit = valueAt(limits.get(key), timeMs);
    const errorLinesBefore = countBetween(
      logsByKey.get(key),
      timeMs - ERRORS_WINDOW_MS - stepMs,
      timeMs,
    );

    const parts = [`${reason ?? 'Terminated'} at ${formatTime(timeMs)}`];
    if (before !== undefined && limit) {
      parts.push(
        `working set ${describePercent(before / limit, {
          whole: true,
        })} of ${describeBytes(limit)} in the minute before`,
      );
    }
    parts.push(`${plural(errorLinesBefore, 'error line')} in the 30 s before`);
    return {
      kind: 'termination',
      time: new Date(timeMs).toISOString(),
      cluster: series.cluster,
      pod: series.pod,
      ...(series.container ? { container: series.container } : {}),
      ...(reason ? { reason } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(before !== undefined ? { workingSetBytesBefore: before } : {}),
      ...(limit ? { memoryLimitBytes: limit } : {}),
      errorLinesBefore,
      summary: parts.join('; '),
    };
  });

  const all = [...events, ...errorBursts(logsByKey)].sort(
    (a, b) =>
      Date.parse(a.time) - Date.parse(b.time) || a.pod.localeCompare(b.pod),
  );

  const count = events.length;
  const withErrorsBefore = events.filter(
    e => (e.errorLinesBefore ?? 0) > 0,
  ).length;
  const withMemoryNearLimit = events.filter(
    e =>
      e.workingSetBytesBefore !== undefined &&
      e.memoryLimitBytes &&
      e.workingSetBytesBefore / e.memoryLimitBytes >= NEAR_LIMIT,
  ).length;
  const share = count
    ? (withErrorsBefore + withMemoryNearLimit) / (2 * count)
    : 0;
  let strength: TimelineResponse['correlation']['strength'] = 'none';
  if (share >= 0.75) strength = 'strong';
  else if (share >= 0.5) strength = 'moderate';
  else if (share > 0) strength = 'weak';

  return {
    events: all,
    correlation: {
      terminations: count,
      withErrorsBefore,
      withMemoryNearLimit,
      strength,
      summary: count
        ? `${withErrorsBefore} of ${count} terminations followed error lines in the 30 s before; ${withMemoryNearLimit} of ${count} came with the working set at ${
            NEAR_LIMIT * 100
          }% of the memory limit or more`
        : 'No terminations in this range',
    },
  };
}
