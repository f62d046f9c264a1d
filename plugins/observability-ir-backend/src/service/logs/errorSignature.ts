// A Java-style exception class: a dotted name ending in Error, Exception or
// Throwable, e.g. java.lang.OutOfMemoryError.
const EXCEPTION_CLASS =
  /\b((?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*(?:Error|Exception|Throwable)|[A-Z][\w$]*(?:Error|Exception))\b(?::\s*(.*))?/;

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

/** What groups one error line with others: exception class and masked message. */
export function errorSignature(line: string): {
  signature: string;
  exceptionClass?: string;
} {
  const match = line.match(EXCEPTION_CLASS);
  if (match) {
    const [, exceptionClass, message] = match;
    const masked = message ? maskVariables(message) : '';
    return {
      exceptionClass,
      signature: masked ? `${exceptionClass}: ${masked}` : exceptionClass,
    };
  }
  return { signature: maskVariables(line.replace(LEADING_TIMESTAMP, '')) };
}
