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
 * How runtimes state a fatal error outside an exception line: Go's panics
 * and fatal errors, Rust's panics, .NET's unhandled exceptions, V8's fatal
 * errors, C++'s terminate and Rust's allocation failure.
 */
const FATAL_STATEMENT =
  /^(?:panic: .+|fatal error: .+|thread '[^']*' panicked at .+|Unhandled exception\. .+|FATAL ERROR: .+|terminate called after throwing .+|memory allocation of \d+ bytes failed.*)$/;
/** A failure report's heading; the line after it says what failed (Spring Boot). */
const DESCRIPTION_HEADING = /^Description:$/;

/**
 * The line of a group that states the error, for people to read: its root
 * cause (see {@link rootCause}), else a runtime's fatal statement, else
 * the first line under a failure report's `Description:` heading. None
 * when the group only holds a banner or a message without an error.
 */
export function errorStatement(group: LogErrorGroup): string | undefined {
  const cause = rootCause(group);
  if (cause) {
    return cause;
  }
  const lines = [
    group.sample?.line ?? group.signature,
    ...(group.sample?.stackTrace ?? []),
  ].map(l => l.trim());
  const fatal = lines
    .map(l => l.replace(/^\S*\d{4}-\d{2}-\d{2}T\S+\s+/, ''))
    .find(l => FATAL_STATEMENT.test(l));
  if (fatal) {
    return fatal;
  }
  const heading = lines.findIndex(l => DESCRIPTION_HEADING.test(l));
  if (heading >= 0) {
    return lines.slice(heading + 1).find(l => l.length > 0);
  }
  return undefined;
}

/**
 * The group to quote for an application error: the first that states one
 * (see {@link errorStatement}), else the first.
 */
export function errorCarryingGroup(
  groups: LogErrorGroup[],
): LogErrorGroup | undefined {
  return groups.find(g => errorStatement(g) !== undefined) ?? groups[0];
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
