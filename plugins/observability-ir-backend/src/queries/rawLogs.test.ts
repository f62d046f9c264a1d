import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import {
  fullyMatches,
  readQuery,
  skeleton,
} from '../__testUtils__/queries/queryTree';
import { kubectlPreviousLogsCommand, podLogLines } from './rawLogs';
import { MAX_VALUE_LENGTH } from './scope';

const POD = 'checkout-api-v1-abc';
const benign = podLogLines(
  { namespace: 'finance', pods: { names: [POD] }, container: 'app' },
  { search: 'x' },
);

/** Skips the values no query can carry: lone surrogates are refused. */
const sendable = HOSTILE_INPUTS.filter(
  ([, value]) => !/[\uD800-\uDFFF]/u.test(value),
);

describe('podLogLines', () => {
  it.each(sendable)(
    'reads a search text with a %s back as exactly that line filter',
    (_, search) => {
      const query = podLogLines(
        { namespace: 'finance', pods: { names: [POD] } },
        { search },
      );
      const parsed = readQuery(query, 'logql');
      expect(parsed.lineFilters).toEqual([{ op: '|=', value: search }]);
      expect(parsed.selectors).toHaveLength(1);
      expect(parsed.selectors[0].matchers.map(m => m.name)).toEqual([
        'namespace',
        'pod',
      ]);
    },
  );

  const refusedPod = (pod: string) =>
    pod === '' || pod.length > MAX_VALUE_LENGTH;

  it.each(sendable.filter(([, pod]) => refusedPod(pod)))(
    'refuses a pod named with a %s',
    (_, pod) => {
      expect(() =>
        podLogLines({ namespace: 'finance', pods: { names: [pod] } }),
      ).toThrow(/must not be empty|longer than/);
    },
  );

  it.each(sendable.filter(([, pod]) => !refusedPod(pod)))(
    'selects only a pod named with a %s, in the same shape as any other',
    (_, pod) => {
      const query = podLogLines(
        { namespace: 'finance', pods: { names: [pod] }, container: 'app' },
        { search: 'x' },
      );
      expect(skeleton(query, 'logql')).toBe(skeleton(benign, 'logql'));
      const [selector] = readQuery(query, 'logql').selectors;
      const podMatcher = selector.matchers.find(m => m.name === 'pod')!;
      expect(fullyMatches(podMatcher.value, pod)).toBe(true);
      expect(fullyMatches(podMatcher.value, `${pod}x`)).toBe(false);
      expect(fullyMatches(podMatcher.value, POD)).toBe(pod === POD);
    },
  );

  it('is the bare stream selector without a search', () => {
    expect(
      readQuery(
        podLogLines({ namespace: 'finance', pods: { names: [POD] } }),
        'logql',
      ).lineFilters,
    ).toEqual([]);
  });
});

describe('kubectlPreviousLogsCommand', () => {
  it('quotes every value', () => {
    expect(
      kubectlPreviousLogsCommand({
        cluster: 'prod eu',
        namespace: 'finance',
        pod: "a'b",
        container: 'app',
        tailLines: 500,
      }),
    ).toBe(
      "kubectl --context 'prod eu' -n 'finance' logs 'a'\\''b' -c 'app' --previous --timestamps --tail=500",
    );
  });
});
