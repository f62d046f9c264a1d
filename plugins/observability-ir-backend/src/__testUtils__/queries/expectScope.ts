import { InputError } from '@backstage/errors';
import { PodOwner, PodScope } from '../../queries';
import { BuilderSpec } from './builders';
import { fullyMatches, readQuery, skeleton } from './queryTree';

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** The test's own idea of whether a scope is valid, to compare with the code's. */
export function scopeIsValid(scope: PodScope): boolean {
  const ok = (v: string) =>
    v.length > 0 && v.length <= 16384 && !/[\uD800-\uDFFF]/u.test(v);
  const names = scope.pods.names ?? [];
  const owners = 'owners' in scope.pods ? scope.pods.owners : [];
  const podsOk =
    names.length + owners.length > 0 &&
    names.length <= 1000 &&
    names.every(ok) &&
    owners.every(o => ok(o.name));
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
    pods:
      'owners' in scope.pods
        ? {
            owners: scope.pods.owners.map(o => ({ ...o, name: 'api' })),
            ...(scope.pods.names ? { names: ['api-0'] } : {}),
          }
        : { names: ['api-0'] },
    ...(scope.container === undefined ? {} : { container: 'app' }),
  };
}

function different(char: string): string {
  return char === 'x' ? 'y' : 'x';
}

/** A pod name Kubernetes could give a pod of the owner. */
function podOf(owner: PodOwner): string {
  if (owner.kind === 'StatefulSet') {
    return `${owner.name}-12`;
  }
  const base = `${owner.name}-5d7f9c8b6d-`;
  // The API server cuts a generated name's base to 58 characters.
  const cut =
    base.length > 58 && DNS_SUBDOMAIN.test(owner.name)
      ? base.slice(0, 58)
      : base;
  return `${cut}x2x9q`;
}

/** Pod names of workloads next to the owner, which it must not select. */
function neighboursOf(owner: PodOwner): string[] {
  const { name } = owner;
  const neighbours = [
    name,
    `${name}-`,
    `x${podOf(owner)}`,
    `${podOf(owner)}x`,
    `${different(Array.from(name)[0])}${podOf(owner).slice(
      Array.from(name)[0].length,
    )}`,
  ];
  if (`${name}-worker-5d7f9c8b6d-x2x9q`.length <= 63) {
    neighbours.push(
      `${name}-worker-5d7f9c8b6d-x2x9q`,
      `${name}-worker-0`,
      `${name}-5d7f9c8b6d`,
      `${name}-5d7f9c8b6d-x2x9`,
    );
  }
  if (owner.kind === 'StatefulSet') {
    neighbours.push(`${name}-01`, `${name}--1`);
  }
  return neighbours;
}

/** Checks a pod regex selects exactly the scope's pods. */
export function expectPodPattern(pattern: string, scope: PodScope): void {
  const names = new Set(scope.pods.names ?? []);
  const owners = 'owners' in scope.pods ? scope.pods.owners : [];
  const shouldMatch = new Set([...names, ...owners.map(podOf)]);
  for (const name of shouldMatch) {
    expect({ name, matches: fullyMatches(pattern, name) }).toEqual({
      name,
      matches: true,
    });
  }
  const siblings = [...names].flatMap(name => {
    const chars = Array.from(name);
    return [
      `${name}x`,
      `x${name}`,
      `${name}\n`,
      chars.slice(0, -1).join(''),
      chars.slice(1).join(''),
      different(chars[0]) + chars.slice(1).join(''),
    ];
  });
  // A name next to a listed pod may be a pod of an owner; and the reverse.
  const notSelected =
    owners.length > 0
      ? [...owners.flatMap(neighboursOf)]
      : siblings.filter(s => !names.has(s));
  for (const sibling of notSelected.filter(s => !shouldMatch.has(s))) {
    expect({ sibling, matches: fullyMatches(pattern, sibling) }).toEqual({
      sibling,
      matches: false,
    });
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
