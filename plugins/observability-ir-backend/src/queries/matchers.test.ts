import { InputError } from '@backstage/errors';
import { fullyMatches, readQuery } from '../__testUtils__/queries/queryTree';
import {
  anyOfExactly,
  anyOfPatterns,
  LabelMatcher,
  podsOfDeployment,
  podsOfStatefulSet,
  renderMatchers,
  withPrefix,
} from '.';

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

describe('podsOfDeployment', () => {
  const pattern = podsOfDeployment('checkout-api');

  it.each([
    'checkout-api-5d7f9c8b6d-x2x9q',
    'checkout-api-7c9d8b4f5-b7kzd',
    // The hash is a uint32 in decimal, so it may be short.
    'checkout-api-2b-zzzzz',
  ])('matches %s, a pod its ReplicaSets could create', pod => {
    expect(fullyMatches(pattern, pod)).toBe(true);
  });

  it.each([
    ['a sibling Deployment’s pod', 'checkout-api-worker-5d7f9c8b6d-x2x9q'],
    [
      'a sibling whose name looks like a hash',
      'checkout-api-bcdfg-5d7f9c8b6d-x2x9q',
    ],
    ['a StatefulSet’s pod', 'checkout-api-0'],
    ['a ReplicaSet’s name', 'checkout-api-5d7f9c8b6d'],
    ['a 4-character suffix', 'checkout-api-5d7f9c8b6d-x2x9'],
    ['a 6-character suffix', 'checkout-api-5d7f9c8b6d-x2x9qq'],
    ['an 11-character hash', 'checkout-api-5d7f9c8b6d2-x2x9q'],
    ['a vowel in the suffix', 'checkout-api-5d7f9c8b6d-abcde'],
    ['a 1 in the hash', 'checkout-api-5d7f9c8b61-x2x9q'],
    ['a sandbox-style name', 'checkout-api-v1-abc'],
    ['another Deployment’s pod', 'checkout-5d7f9c8b6d-x2x9q'],
    ['a pod in front of the name', 'x-checkout-api-5d7f9c8b6d-x2x9q'],
    ['uppercase', 'checkout-api-5D7F9C8B6D-X2X9Q'],
  ])('does not match %s (%s)', (_label, pod) => {
    expect(fullyMatches(pattern, pod)).toBe(false);
  });

  it('matches the name Kubernetes cuts to 58 characters plus the suffix', () => {
    const name = `checkout-${'a'.repeat(40)}`;
    const cut = `${name}-5d7f9c8b6d-`.slice(0, 58);
    const long = podsOfDeployment(name);
    expect(fullyMatches(long, `${cut}x2x9q`)).toBe(true);
    expect(fullyMatches(long, `${name}-5d7f9c8b6d-x2x9q`)).toBe(false);
    expect(fullyMatches(long, `${name}-worker-x2x9q`)).toBe(false);
  });

  it('takes the name literally', () => {
    const literal = podsOfDeployment('a.b');
    expect(fullyMatches(literal, 'a.b-5d7f9c8b6d-x2x9q')).toBe(true);
    expect(fullyMatches(literal, 'axb-5d7f9c8b6d-x2x9q')).toBe(false);
  });

  it('reads back unchanged through the PromQL and LogQL grammars', () => {
    const matchers: LabelMatcher[] = [
      { name: 'namespace', op: '=', value: 'finance' },
      { name: 'pod', op: '=~', value: pattern },
    ];
    const selector = renderMatchers(matchers);
    for (const dialect of ['promql', 'logql'] as const) {
      const query = dialect === 'promql' ? `up${selector}` : selector;
      expect(readQuery(query, dialect).selectors[0].matchers).toEqual(matchers);
    }
  });

  it('refuses an empty name', () => {
    expect(() => podsOfDeployment('')).toThrow(InputError);
  });
});

describe('podsOfStatefulSet', () => {
  const pattern = podsOfStatefulSet('ledger');

  it.each(['ledger-0', 'ledger-1', 'ledger-12'])('matches %s', pod => {
    expect(fullyMatches(pattern, pod)).toBe(true);
  });

  it.each([
    'ledger',
    'ledger-',
    'ledger-01',
    'ledger--1',
    'ledger-a',
    'ledger-worker-0',
    'ledger-5d7f9c8b6d-x2x9q',
  ])('does not match %s', pod => {
    expect(fullyMatches(pattern, pod)).toBe(false);
  });
});

describe('anyOfPatterns', () => {
  it('matches what any of the patterns matches', () => {
    const pattern = anyOfPatterns([
      anyOfExactly(['checkout-api-v1-abc']),
      podsOfDeployment('checkout-api'),
    ]);
    expect(fullyMatches(pattern, 'checkout-api-v1-abc')).toBe(true);
    expect(fullyMatches(pattern, 'checkout-api-5d7f9c8b6d-x2x9q')).toBe(true);
    expect(fullyMatches(pattern, 'checkout-api-v1-abcd')).toBe(false);
  });

  it('refuses an empty set', () => {
    expect(() => anyOfPatterns([])).toThrow(InputError);
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
