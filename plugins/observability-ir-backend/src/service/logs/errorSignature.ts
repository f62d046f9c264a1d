// An exception class: a dotted name ending in Error, Exception or Throwable
// (java.lang.OutOfMemoryError, System.OutOfMemoryException, a private
// numpy.core._exceptions._ArrayMemoryError), or a bare one (MemoryError).
const EXCEPTION_CLASS =
  /\b((?:[A-Za-z_$][\w$]*\.)+_?[A-Z][\w$]*(?:Error|Exception|Throwable)|[A-Z][\w$]*(?:Error|Exception))\b(?::\s*(.*))?/;

// Leading timestamps, levels and logger decorations vary per line; the
// signature keeps what the error says.
const LEADING_TIMESTAMP =
  /^\s*\[?\d{4}-\d{2}-\d{2}[T ][\d:.,]+(?:Z|[+-]\d{2}:?\d{2})?\]?\s*/;
const MASKS: Array<[RegExp, string]> = [
  [
    /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    '<id>',
  ],
  [/\b0x[0-9a-f]+\b/gi, '<addr>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/\b[0-9a-f]{12,}\b/gi, '<id>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/** Replaces what differs between occurrences of one error: numbers, ids, addresses. */
export function maskVariables(text: string): string {
  return MASKS.reduce(
    (masked, [pattern, mask]) => masked.replace(pattern, mask),
    text,
  )
    .replace(/\s+/g, ' ')
    .trim();
}

// Python prints the exception after its traceback, on the last line that is
// not indented; the header alone would put every Python error in one group.
const PYTHON_TRACEBACK = /^\s*Traceback \(most recent call last\):\s*$/;

/** The line that names the error: the first, or a Python traceback's last. */
function errorLine(line: string, stackTrace: string[] = []): string {
  if (!PYTHON_TRACEBACK.test(line)) {
    return line;
  }
  const raised = [...stackTrace].reverse().find(l => /^\S/.test(l));
  return raised ?? line;
}

/**
 * What groups one error entry with others: exception class and masked
 * message, read from its first line (or, for a Python traceback, from the
 * exception line that ends it).
 */
export function errorSignature(
  line: string,
  stackTrace?: string[],
): {
  signature: string;
  exceptionClass?: string;
} {
  const named = errorLine(line, stackTrace);
  const match = named.match(EXCEPTION_CLASS);
  if (match) {
    const [, exceptionClass, message] = match;
    const masked = message ? maskVariables(message) : '';
    return {
      exceptionClass,
      signature: masked ? `${exceptionClass}: ${masked}` : exceptionClass,
    };
  }
  return { signature: maskVariables(named.replace(LEADING_TIMESTAMP, '')) };
}
