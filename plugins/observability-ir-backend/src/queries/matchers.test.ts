import { InputError } from '@backstage/errors';
import { fullyMatches, readQuery } from '../__testUtils__/queries/queryTree';
import { anyOfExactly, LabelMatcher, renderMatchers, withPrefix } from '.';

describe('anyOfExactly', () => {
  it('lists escaped values once each', () => {
    expect(anyOfExactly(['a.b', 'c|d', 'a.b'])).toBe('(?:a\\.b|c\\|d)');
  });

  it('matches only the listed values', () => {
    const pattern = anyOfExactly(['a.b', 'c|d']);
    expect(fullyMatches(pattern, 'a.b')).toBe(true);
    expect(fullyMatches(pattern, 'c|d')).toBe(true);
    for (const other of ['axb', 'c', 'd', 'a.bc|d', '', 'a.b|c|d']) {
      expect(fullyMatches(pattern, other)).toBe(false);
    }
  });

  it('refuses an empty set', () => {
    expect(() => anyOfExactly([])).toThrow(InputError);
  });
});

describe('withPrefix', () => {
  it('matches the prefix followed by at least one character', () => {
    const pattern = withPrefix('api.');
    expect(pattern).toBe('api\\..+');
    expect(fullyMatches(pattern, 'api.0')).toBe(true);
    expect(fullyMatches(pattern, 'api.')).toBe(false);
    expect(fullyMatches(pattern, 'apix0')).toBe(false);
  });

  it('refuses an empty prefix, which would match everything', () => {
    expect(() => withPrefix('')).toThrow(InputError);
  });
});

describe('renderMatchers', () => {
  it('renders names and escaped values', () => {
    const query = renderMatchers([
      { name: 'namespace', op: '=', value: 'a"b' },
      { name: 'pod', op: '=~', value: anyOfExactly(['x\\y']) },
      { name: 'container', op: '!=', value: '' },
    ]);
    expect(query).toBe(
      '{namespace="a\\"b",pod=~"(?:x\\\\\\\\y)",container!=""}',
    );
    expect(readQuery(query, 'promql').selectors[0].matchers).toEqual([
      { name: 'namespace', op: '=', value: 'a"b' },
      { name: 'pod', op: '=~', value: '(?:x\\\\y)' },
      { name: 'container', op: '!=', value: '' },
    ]);
  });

  it.each<[string, LabelMatcher[]]>([
    ['no matchers', []],
    ['only negative matchers', [{ name: 'a', op: '!=', value: 'x' }]],
    ['only an empty equality', [{ name: 'a', op: '=', value: '' }]],
    ['only a regex', [{ name: 'a', op: '=~', value: withPrefix('x') }]],
    ['a bad label name', [{ name: 'a"} or {b', op: '=', value: 'x' }]],
    ['a bad operator', [{ name: 'a', op: '=}' as '=', value: 'x' }]],
  ])('refuses %s', (_label, matchers) => {
    expect(() => renderMatchers(matchers)).toThrow(InputError);
  });
});
