import { InputError } from '@backstage/errors';
import { PodScope } from '../../queries';
import { BuilderSpec } from './builders';
import { fullyMatches, readQuery, skeleton } from './queryTree';

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** The test's own idea of whether a scope is valid, to compare with the code's. */
export function scopeIsValid(scope: PodScope): boolean {
  const ok = (v: string) =>
    v.length > 0 && v.length <= 16384 && !/[\uD800-\uDFFF]/u.test(v);
  const podsOk =
    'names' in scope.pods
      ? scope.pods.names.length > 0 && scope.pods.names.every(ok)
      : ok(scope.pods.prefix);
  return (
    DNS_LABEL.test(scope.namespace) &&
    podsOk &&
    (scope.container === undefined || ok(scope.container))
  );
}

/** A harmless scope of the same shape, for the structural baseline. */
function benign(scope: PodScope): PodScope {
  return {
    namespace: 'finance',
    pods: 'names' in scope.pods ? { names: ['api-0'] } : { prefix: 'api-' },
    ...(scope.container === undefined ? {} : { container: 'app' }),
  };
}

function different(char: string): string {
  return char === 'x' ? 'y' : 'x';
}

/** Checks a pod regex selects exactly the scope's pods. */
export function expectPodPattern(pattern: string, scope: PodScope): void {
  if ('names' in scope.pods) {
    const names = new Set(scope.pods.names);
    for (const name of names) {
      expect(fullyMatches(pattern, name)).toBe(true);
      const chars = Array.from(name);
      const siblings = [
        `${name}x`,
        `x${name}`,
        `${name}\n`,
        chars.slice(0, -1).join(''),
        chars.slice(1).join(''),
        different(chars[0]) + chars.slice(1).join(''),
      ];
      for (const sibling of siblings.filter(s => !names.has(s))) {
        expect({ sibling, matches: fullyMatches(pattern, sibling) }).toEqual({
          sibling,
          matches: false,
        });
      }
    }
  } else {
    const prefix = scope.pods.prefix;
    const chars = Array.from(prefix);
    expect(fullyMatches(pattern, `${prefix}a`)).toBe(true);
    expect(fullyMatches(pattern, `${prefix}-7d9f8-x2k4q`)).toBe(true);
    expect(fullyMatches(pattern, prefix)).toBe(false);
    // Must start with the prefix: a different first character breaks it.
    expect(fullyMatches(pattern, `${different(chars[0])}${prefix}a`)).toBe(
      false,
    );
    expect(
      fullyMatches(
        pattern,
        `${different(chars[0])}${chars.slice(1).join('')}a`,
      ),
    ).toBe(false);
  }
}

/**
 * Builds a query and checks, through the real grammar, that it holds exactly
 * the intended selectors, matchers and line filters, and that its structure
 * is that of a harmless scope's query.
 */
export function expectExactQuery(builder: BuilderSpec, scope: PodScope): void {
  const query = builder.build(scope);
  const parsed = readQuery(query, builder.dialect);
  expect(skeleton(query, builder.dialect)).toBe(
    skeleton(builder.build(benign(scope)), builder.dialect),
  );
  expect(parsed.selectors).toHaveLength(builder.selectors.length);
  expect(parsed.lineFilters).toEqual(builder.lineFilters);
  parsed.selectors.forEach((selector, i) => {
    const spec = builder.selectors[i];
    expect(selector.metric).toBe(spec.metric);
    const [namespace, pod, ...rest] = selector.matchers;
    expect(namespace).toEqual({
      name: 'namespace',
      op: '=',
      value: scope.namespace,
    });
    expect(pod.name).toBe('pod');
    expect(pod.op).toBe('=~');
    expectPodPattern(pod.value, scope);
    const container =
      scope.container === undefined
        ? []
        : [{ name: 'container', op: '=', value: scope.container }];
    expect(rest).toEqual([...container, ...spec.extra]);
  });
}

/**
 * For a scope the test deems valid, checks the query is exact; for any other
 * scope, checks the builder throws InputError instead of building.
 */
export function expectExactQueryOrInputError(
  builder: BuilderSpec,
  scope: PodScope,
): void {
  if (scopeIsValid(scope)) {
    expectExactQuery(builder, scope);
  } else {
    expect(() => builder.build(scope)).toThrow(InputError);
  }
}
