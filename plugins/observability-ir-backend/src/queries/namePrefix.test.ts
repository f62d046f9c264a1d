import { errorLogs, firingAlerts, memoryWorkingSet, PodScope } from '.';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { fullyMatches, readQuery } from '../__testUtils__/queries/queryTree';

const scopeOf = (namePrefix: string): PodScope => ({
  namespace: 'finance',
  pods: { namePrefix },
});

describe('a scope by name prefix', () => {
  it('selects the pods named <prefix>-…, not the prefix alone nor a name that only starts like it', () => {
    const [selector] = readQuery(
      memoryWorkingSet(scopeOf('checkout-api')),
      'promql',
    ).selectors;
    const pod = selector.matchers.find(m => m.name === 'pod')!;

    expect(pod.op).toBe('=~');
    expect(fullyMatches(pod.value, 'checkout-api-5d7f9c8b6d-b7kzd')).toBe(true);
    expect(
      fullyMatches(pod.value, 'checkout-api-canary-6c9d8b7f4d-x2x9q'),
    ).toBe(true);
    expect(fullyMatches(pod.value, 'checkout-api')).toBe(false);
    expect(fullyMatches(pod.value, 'checkout-api-')).toBe(false);
    expect(fullyMatches(pod.value, 'checkout-apiv2-0')).toBe(false);
    expect(selector.matchers).toContainEqual({
      name: 'namespace',
      op: '=',
      value: 'finance',
    });
  });

  it('asks for the alerts of the workloads named so, by pod and by workload label', () => {
    const { selectors } = readQuery(
      firingAlerts(scopeOf('checkout-api')),
      'promql',
    );
    const byLabel = (label: string) =>
      selectors
        .find(s => s.matchers.some(m => m.name === label))!
        .matchers.find(m => m.name === label)!.value;

    for (const label of ['deployment', 'statefulset']) {
      expect(fullyMatches(byLabel(label), 'checkout-api')).toBe(true);
      expect(fullyMatches(byLabel(label), 'checkout-api-canary')).toBe(true);
      expect(fullyMatches(byLabel(label), 'checkout-apiv2')).toBe(false);
    }
  });

  it.each(HOSTILE_INPUTS)(
    'keeps a hostile prefix (%s) literal in PromQL and LogQL, or refuses it',
    (_, value) => {
      const scope = scopeOf(value);
      let queries: Array<[string, 'promql' | 'logql']> = [];
      let refusal: Error | undefined;
      try {
        queries = [
          [memoryWorkingSet(scope), 'promql'],
          [firingAlerts(scope), 'promql'],
          [errorLogs(scope), 'logql'],
        ];
      } catch (error) {
        refusal = error as Error;
      }
      expect(refusal?.name ?? 'InputError').toBe('InputError');
      for (const [query, dialect] of queries) {
        const { selectors } = readQuery(query, dialect);
        expect(selectors.length).toBeGreaterThan(0);
        for (const selector of selectors) {
          expect(selector.matchers).toContainEqual({
            name: 'namespace',
            op: '=',
            value: 'finance',
          });
          const pods = selector.matchers.filter(m => m.name === 'pod');
          expect(pods.every(pod => fullyMatches(pod.value, `${value}-x`))).toBe(
            true,
          );
          expect(pods.some(pod => fullyMatches(pod.value, 'other-x'))).toBe(
            false,
          );
        }
      }
    },
  );
});
