import { LogErrorGroup } from '@observability-ir/plugin-observability-ir-common';
import { isMemoryError } from './memoryErrors';

/** Log groups by what they are about. */
export interface ClassifiedLogs {
  /** Running out of memory, in any runtime's words (see `memoryErrors.ts`). */
  memory: LogErrorGroup[];
  network: LogErrorGroup[];
  latency: LogErrorGroup[];
  /** Everything else: the application's own failures. */
  exceptions: LogErrorGroup[];
}

/** Log groups of this many lines or more are worth mentioning. */
export const NOTABLE_LOG_LINES = 10;

/** Connections refused, reset or timing out, and names that do not resolve. */
const NETWORK_LOG =
  /ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|connection refused|connection reset|timed? ?out|timeout|no route to host|UnknownHost|Name or service not known|SocketTimeout|ConnectException|no ready endpoints/i;
/** Requests that were slow. */
const LATENCY_LOG = /slow request|latency|took \d+ ?ms|slow response/i;

const STACK_FRAME = /^\s*(at |\.\.\.)/;
const EXCEPTION_LINE =
  /^(?:Caused by: )?([\w$.]+(?:Exception|Error|Throwable)\b.*)$/;
const CAUSED_BY = 'Caused by: ';

/** What a group says: its exception, signature, sample line and causes. */
function logText(group: LogErrorGroup): string {
  return [
    group.exceptionClass ?? '',
    group.signature,
    group.sample?.line ?? '',
    ...(group.sample?.stackTrace ?? []).filter(l => !STACK_FRAME.test(l)),
  ].join(' ');
}

/**
 * The deepest exception a group names: the last `Caused by:` of its stack
 * trace, else its first exception line, else its exception class.
 */
export function rootCause(group: LogErrorGroup): string | undefined {
  const lines = (group.sample?.stackTrace ?? []).map(l => l.trim());
  const causes = lines.filter(l => l.startsWith(CAUSED_BY));
  if (causes.length) {
    return causes[causes.length - 1].slice(CAUSED_BY.length);
  }
  for (const line of [group.signature, ...lines]) {
    const match = EXCEPTION_LINE.exec(line);
    if (match) {
      return match[1];
    }
  }
  return group.exceptionClass;
}

/**
 * Sorts log groups by what they are about, first match wins: memory, then
 * network, then latency; the rest are the application's exceptions.
 */
export function classifyLogs(groups: LogErrorGroup[]): ClassifiedLogs {
  const logs: ClassifiedLogs = {
    memory: [],
    network: [],
    latency: [],
    exceptions: [],
  };
  for (const group of groups) {
    const text = logText(group);
    if (isMemoryError(text)) {
      logs.memory.push(group);
    } else if (NETWORK_LOG.test(text)) {
      logs.network.push(group);
    } else if (LATENCY_LOG.test(text)) {
      logs.latency.push(group);
    } else {
      logs.exceptions.push(group);
    }
  }
  return logs;
}

/** The groups worth mentioning: {@link NOTABLE_LOG_LINES} lines or more. */
export function notableLogs(groups: LogErrorGroup[]): LogErrorGroup[] {
  return groups.filter(g => g.count >= NOTABLE_LOG_LINES);
}
