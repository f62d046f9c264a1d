/*
 * Remembers the first error a process printed, with the lines that follow
 * it (its stack or the rest of its message), from output fed line by line.
 * Nothing but Node.js built-ins.
 */
'use strict';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
// "... backend error Backend failed to start up", "Error: ..." or
// "TypeError: ..." at the start of a line, "npm ERR!"; not "0 errors", nor an
// application's "java.lang.OutOfMemoryError" inside a log message.
const ERROR_LINE = /\berror\b|^\s*(Uncaught\s+)?\w*Error\b|\bERR!/i;
// A new log record: an ISO timestamp near the start of the line.
const NEW_RECORD = /^\W{0,3}(\[[^\]]*\]\s*)?\d{4}-\d\d-\d\dT\d\d:\d\d/;

function stripAnsi(text) {
  return text.replace(ANSI, '');
}

/**
 * `feed(source, line)` for every line printed; `firstError()` then returns
 * `{ source, lines }` for the first error line and up to `maxLines - 1` lines
 * after it from the same source: the rest of its message and its stack, until
 * a blank line, the next log record, or an unindented line after the stack.
 */
function createErrorCatcher({ maxLines = 25 } = {}) {
  let first;
  let open = false;
  let inStack = false;
  return {
    feed(source, rawLine) {
      const line = stripAnsi(rawLine).replace(/\s+$/, '');
      if (!first) {
        if (ERROR_LINE.test(line)) {
          first = { source, lines: [line] };
          open = true;
        }
        return;
      }
      if (!open || source !== first.source) {
        return;
      }
      const indented = /^\s/.test(line);
      if (
        line === '' ||
        NEW_RECORD.test(line) ||
        (inStack && !indented) ||
        first.lines.length >= maxLines
      ) {
        open = false;
        return;
      }
      inStack = inStack || /^\s+at /.test(line);
      first.lines.push(line);
    },
    firstError() {
      return first;
    },
  };
}

/** Splits a stream's chunks into lines, calling `onLine` for each. */
function lineSplitter(onLine) {
  let pending = '';
  return {
    write(chunk) {
      pending += chunk.toString();
      const lines = pending.split(/\r?\n/);
      pending = lines.pop();
      for (const line of lines) onLine(line);
    },
    end() {
      if (pending) onLine(pending);
      pending = '';
    },
  };
}

/** The first error in a whole log text, or undefined. */
function firstErrorIn(text, source = 'log') {
  const catcher = createErrorCatcher();
  for (const line of text.split(/\r?\n/)) catcher.feed(source, line);
  return catcher.firstError();
}

module.exports = { createErrorCatcher, firstErrorIn, lineSplitter, stripAnsi };
