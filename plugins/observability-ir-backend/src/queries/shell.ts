import { InputError } from '@backstage/errors';
import { describeValue } from './describe';

// What single quotes cannot carry as shown: a NUL cannot be an argument,
// other controls and line separators act on the terminal or break the line
// when pasted, bidirectional controls make the command read differently
// from how it runs, and a lone surrogate has no UTF-8 form.
const UNPRINTABLE =
  /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u;

/**
 * Single-quotes a value for a POSIX shell (`'` becomes `'\''`), so that it
 * reaches the command as one argument, exactly as given.
 *
 * @param value - the value to quote.
 * @param what - what the value is, for the error message (`kubectl context`).
 * @throws InputError if the value is empty, or holds a control,
 * line-separator or bidirectional character, or a lone surrogate, which a
 * pasted command cannot show faithfully.
 */
export function shellQuote(value: string, what: string): string {
  if (value.length === 0) {
    throw new InputError(`The ${what} must not be empty`);
  }
  if (UNPRINTABLE.test(value)) {
    throw new InputError(
      `The ${what} ${describeValue(
        value,
      )} holds a character that cannot be shown in a shell command`,
    );
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Shell text built by {@link sh}: interpolating it into another `sh`
 * template inserts it as written, not quoted again.
 */
export class ShellText {
  /** @internal */
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What `sh` templates interpolate. */
export type ShellValue = string | number | ShellText;

function render(value: ShellValue, startsWord: boolean): string {
  if (value instanceof ShellText) {
    return value.text;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InputError(
        `The number ${value} cannot be used in a shell command`,
      );
    }
    return String(value);
  }
  // A word that starts with "-" would be read as an option.
  if (startsWord && value.startsWith('-')) {
    throw new InputError(
      `The shell argument ${describeValue(
        value,
      )} starts with "-" and would be read as an option`,
    );
  }
  return shellQuote(value, 'shell argument');
}

/**
 * A tagged template for shell commands: the template's own text is written
 * as is (it is code), every interpolated string is single-quoted, numbers
 * must be non-negative integers, and {@link ShellText} is inserted as is.
 *
 * @example
 * sh`kubectl -n ${namespace} describe pod ${pod}`
 * // kubectl -n 'finance' describe pod 'checkout-api-v1-abc'
 *
 * @throws InputError for a value {@link shellQuote} refuses, and for a
 * string that starts a word and starts with `-` (it would be an option).
 */
export function sh(
  strings: TemplateStringsArray,
  ...values: ShellValue[]
): ShellText {
  let text = strings[0];
  values.forEach((value, i) => {
    const startsWord =
      i === 0 ? /(^|\s)$/.test(strings[0]) : /\s$/.test(strings[i]);
    text += render(value, startsWord);
    text += strings[i + 1];
  });
  return new ShellText(text);
}

/** Joins shell fragments with `separator` (a space by default). */
export function joinShell(
  parts: ReadonlyArray<ShellText | undefined | false>,
  separator = ' ',
): ShellText {
  return new ShellText(
    parts
      .filter((p): p is ShellText => p instanceof ShellText)
      .map(p => p.text)
      .join(separator),
  );
}
