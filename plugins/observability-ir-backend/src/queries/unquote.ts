import { InputError } from '@backstage/errors';

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

function invalid(literal: string, why: string): InputError {
  const shown = literal.length > 80 ? `${literal.slice(0, 80)}…` : literal;
  return new InputError(`Invalid string literal ${shown}: ${why}`);
}

/**
 * Unquotes a PromQL or LogQL string literal the way Go's `strconv.Unquote`
 * does (Prometheus' variant also takes single quotes): `"…"`, `'…'` or a raw
 * `` `…` `` string.
 *
 * @remarks
 * Byte escapes (`\xNN`, `\NNN`) above 0x7F are refused rather than
 * reassembled into UTF-8: annotations have no need for them.
 *
 * @throws InputError if the literal is malformed.
 */
export function unquoteGoString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) {
    throw invalid(literal, 'it is not terminated');
  }
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) {
      throw invalid(literal, 'a raw string cannot contain "`"');
    }
    // Go drops carriage returns from raw strings.
    return body.replace(/\r/g, '');
  }
  if (quote !== '"' && quote !== "'") {
    throw invalid(literal, 'it must start with ", \' or `');
  }
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === quote || c === '\n') {
      throw invalid(literal, `unescaped ${JSON.stringify(c)}`);
    }
    if (c !== '\\') {
      out += c;
      i += 1;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) {
      throw invalid(literal, 'it ends in the middle of an escape');
    }
    if (SIMPLE_ESCAPES[e] !== undefined) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === quote) {
      out += quote;
      i += 2;
    } else if (/[0-7]/.test(e)) {
      out += byteEscape(literal, body.slice(i + 1, i + 4), /^[0-7]{3}$/, 8);
      i += 4;
    } else if (e === 'x') {
      out += byteEscape(
        literal,
        body.slice(i + 2, i + 4),
        /^[0-9a-fA-F]{2}$/,
        16,
      );
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const size = e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + size);
      const code = parseInt(hex, 16);
      if (
        !new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex) ||
        code > 0x10ffff ||
        (code >= 0xd800 && code < 0xe000)
      ) {
        throw invalid(literal, `bad escape \\${e}${hex}`);
      }
      out += String.fromCodePoint(code);
      i += 2 + size;
    } else {
      throw invalid(literal, `unknown escape \\${e}`);
    }
  }
  return out;
}

function byteEscape(
  literal: string,
  digits: string,
  shape: RegExp,
  radix: number,
): string {
  const code = parseInt(digits, radix);
  if (!shape.test(digits) || code > 0x7f) {
    throw invalid(literal, `unsupported byte escape ${digits}`);
  }
  return String.fromCharCode(code);
}
