import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { goUnquote } from '../__testUtils__/queries/goUnquote';
import { fullyMatches, readQuery } from '../__testUtils__/queries/queryTree';
import {
  assertLabelName,
  escapeLabelValue,
  escapeRegexValue,
} from './escaping';
import { unquoteGoString } from './unquote';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

describe('escapeLabelValue', () => {
  it('escapes quotes, backslashes and controls', () => {
    expect(escapeLabelValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeLabelValue('\n\r\t\u0000\u007f\u0085')).toBe(
      '\\n\\r\\t\\x00\\x7f\\u0085',
    );
    expect(escapeLabelValue('\ufffd')).toBe('\\ufffd');
  });

  it('leaves other Unicode and single quotes as they are', () => {
    expect(escapeLabelValue("é🔥\u200d\u2028'`")).toBe("é🔥\u200d\u2028'`");
  });

  it('refuses lone surrogates', () => {
    expect(() => escapeLabelValue('\ud800')).toThrow(InputError);
  });

  it.each(HOSTILE_INPUTS.filter(([, v]) => LONE_SURROGATE.test(v)))(
    'refuses hostile input: %s',
    (_label, value) => {
      expect(() => escapeLabelValue(value)).toThrow(InputError);
    },
  );

  const encodable = HOSTILE_INPUTS.filter(([, v]) => !LONE_SURROGATE.test(v));

  describe.each(encodable)('hostile input: %s', (_label, value) => {
    it.each(['promql', 'logql'] as const)(
      'unquotes back to itself in %s',
      dialect => {
        const query = `{a="${escapeLabelValue(value)}"}`;
        const { selectors } = readQuery(query, dialect);
        expect(selectors).toEqual([
          { matchers: [{ name: 'a', op: '=', value }] },
        ]);
      },
    );

    it('is matched literally once regex-escaped', () => {
      const pattern = escapeRegexValue(value);
      const query = `{a=~"${escapeLabelValue(pattern)}"}`;
      const [matcher] = readQuery(query, 'promql').selectors[0].matchers;
      expect(matcher.value).toBe(pattern);
      expect(fullyMatches(matcher.value, value)).toBe(true);
      expect(fullyMatches(matcher.value, `${value}x`)).toBe(false);
      expect(fullyMatches(matcher.value, `x${value}`)).toBe(false);
    });
  });

  it('round-trips arbitrary strings through both grammars', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary-ascii' }),
          fc.string({ unit: 'grapheme' }),
        ),
        value => {
          const literal = `"${escapeLabelValue(value)}"`;
          expect(goUnquote(literal, 'promql')).toBe(value);
          expect(goUnquote(literal, 'logql')).toBe(value);
          expect(unquoteGoString(literal)).toBe(value);
          const query = `{a="${escapeLabelValue(value)}"}`;
          expect(readQuery(query, 'logql').selectors[0].matchers).toEqual([
            { name: 'a', op: '=', value },
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('escapeRegexValue', () => {
  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegexValue('\\.+*?()|[]{}^$')).toBe(
      '\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$',
    );
    expect(escapeRegexValue('plain-name_1')).toBe('plain-name_1');
  });

  it('matches arbitrary strings literally and only them', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary', minLength: 1 }),
        (value, extra) => {
          const pattern = escapeRegexValue(value);
          expect(fullyMatches(pattern, value)).toBe(true);
          expect(fullyMatches(pattern, value + extra)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('assertLabelName', () => {
  it.each(['a', '_', 'A_b9', '__name__', 'namespace'])('accepts %s', name => {
    expect(() => assertLabelName(name)).not.toThrow();
  });

  it.each(['', '9a', 'a-b', 'a.b', 'a b', 'a"', 'é', 'a\n', 'a=b', '{a}'])(
    'rejects %j',
    name => {
      expect(() => assertLabelName(name)).toThrow(InputError);
      expect(() => assertLabelName(name)).toThrow(/Invalid label name/);
    },
  );
});

describe('unquoteGoString', () => {
  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\\'b'", "a'b"],
    ['`a\\n`', 'a\\n'],
    ['"\\x41\\101\\u0041\\U00000041"', 'AAAA'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\x07\b\f\n\r\t\v\\'],
  ])('reads %s', (literal, value) => {
    expect(unquoteGoString(literal)).toBe(value);
    expect(goUnquote(literal, 'promql')).toBe(value);
  });

  it.each([
    '"\\\'"',
    '"\\q"',
    '"a',
    '"\\"',
    '"\\x4"',
    '"\\ud800"',
    '"\\U00110000"',
    '"\\xff"',
    '"a\nb"',
    'abc',
  ])('rejects %j', literal => {
    expect(() => unquoteGoString(literal)).toThrow(InputError);
  });
});
