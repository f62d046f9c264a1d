/**
 * An independent oracle for Go's string-literal rules (strconv.Unquote, plus
 * Prometheus' single-quoted strings), used to read back what the parsers
 * would hand to Prometheus or Loki. Strict: any escape Go would refuse
 * throws. Byte escapes are reassembled as UTF-8 and must decode cleanly.
 */
export type Dialect = 'promql' | 'logql';

const SIMPLE: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
};

export function goUnquote(literal: string, dialect: Dialect): string {
  const quote = literal[0];
  const quotes = dialect === 'promql' ? '"\'`' : '"`';
  if (!quotes.includes(quote) || literal.length < 2) {
    throw new Error(`not a ${dialect} string literal: ${literal}`);
  }
  if (literal[literal.length - 1] !== quote) {
    throw new Error(`unterminated literal: ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new Error('backtick inside raw string');
    return body.replace(/\r/g, '');
  }
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const chars = Array.from(body);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === quote || c === '\n') {
      throw new Error(`unescaped ${JSON.stringify(c)} in ${literal}`);
    }
    if (c !== '\\') {
      if (/[\uD800-\uDFFF]/u.test(c)) throw new Error('lone surrogate');
      bytes.push(...encoder.encode(c));
      continue;
    }
    const e = chars[++i];
    if (e === undefined) throw new Error('escape at end of literal');
    if (e in SIMPLE) {
      bytes.push(SIMPLE[e]);
    } else if (e === quote) {
      bytes.push(quote.charCodeAt(0));
    } else if (/[0-7]/.test(e)) {
      const digits = e + chars[i + 1] + chars[i + 2];
      if (!/^[0-7]{3}$/.test(digits)) throw new Error('bad octal escape');
      const v = parseInt(digits, 8);
      if (v > 255) throw new Error('octal escape out of range');
      bytes.push(v);
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const size = { x: 2, u: 4, U: 8 }[e];
      const hex = chars.slice(i + 1, i + 1 + size).join('');
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) {
        throw new Error(`bad \\${e} escape`);
      }
      const v = parseInt(hex, 16);
      if (e === 'x') {
        bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
          throw new Error('escape is not a valid code point');
        }
        bytes.push(...encoder.encode(String.fromCodePoint(v)));
      }
      i += size;
    } else {
      throw new Error(`unknown escape \\${e} in ${literal}`);
    }
  }
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
    new Uint8Array(bytes),
  );
}
