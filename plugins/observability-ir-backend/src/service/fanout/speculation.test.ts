import { mockServices } from '@backstage/backend-test-utils';
import { UpstreamError } from '../../clients/UpstreamError';
import { PodScope } from '../../queries';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { ClusterConnection } from './ClusterConnections';
import { LocatedWorkload } from './locatePods';
import {
  covers,
  ListedScopes,
  podSelector,
  reconcile,
  SpeculationCounters,
  speculativeScope,
} from './speculation';

const workload: ResolvedWorkload = {
  entityRef: 'component:default/checkout-api',
  kubernetesId: 'checkout-api',
  labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  namespace: 'finance',
};

const deployment = (name: string, namespace = 'finance'): PodScope => ({
  namespace,
  pods: { owners: [{ kind: 'Deployment', name }] },
});

describe('speculativeScope', () => {
  it('guesses the pods named after the kubernetes id in the annotated namespace', () => {
    expect(speculativeScope(workload)).toEqual({
      namespace: 'finance',
      pods: { namePrefix: 'checkout-api' },
    });
  });

  it('guesses nothing without a namespace or a kubernetes id', () => {
    expect(speculativeScope({ ...workload, namespace: undefined })).toBe(
      undefined,
    );
    expect(
      speculativeScope({
        ...workload,
        kubernetesId: undefined,
        labelSelector: 'app=checkout',
      }),
    ).toBe(undefined);
  });
});

describe('covers', () => {
  const guess = speculativeScope(workload)!;

  it('covers the workload of that name and those whose names extend it', () => {
    expect(covers(guess, deployment('checkout-api'))).toBe(true);
    expect(covers(guess, deployment('checkout-api-canary'))).toBe(true);
    expect(
      covers(guess, {
        namespace: 'finance',
        pods: { owners: [{ kind: 'StatefulSet', name: 'checkout-api' }] },
      }),
    ).toBe(true);
    expect(
      covers(guess, {
        namespace: 'finance',
        pods: { names: ['checkout-api-v1-abc'] },
      }),
    ).toBe(true);
  });

  it('does not cover another name, another namespace or other matchers', () => {
    expect(covers(guess, deployment('checkout'))).toBe(false);
    expect(covers(guess, deployment('checkout-apiv2'))).toBe(false);
    expect(covers(guess, deployment('billing-api'))).toBe(false);
    expect(covers(guess, deployment('checkout-api', 'payments'))).toBe(false);
    expect(
      covers(guess, {
        namespace: 'finance',
        pods: { names: ['checkout-api'] },
      }),
    ).toBe(false);
    expect(
      covers(guess, {
        ...deployment('checkout-api'),
        extraPrometheusMatchers: [{ name: 'cluster', op: '=', value: 'eu-1' }],
      }),
    ).toBe(false);
  });

  it('does not cover a Deployment whose pod names Kubernetes cuts before the guessed prefix ends', () => {
    const long = 'a'.repeat(60);
    const longGuess = speculativeScope({ ...workload, kubernetesId: long })!;
    expect(covers(longGuess, deployment(long))).toBe(false);
    expect(
      covers(longGuess, {
        namespace: 'finance',
        pods: { owners: [{ kind: 'StatefulSet', name: long }] },
      }),
    ).toBe(true);
  });
});

describe('podSelector', () => {
  it('selects the scope’s pods in its namespace, the namespace read from the question when aggregated away', () => {
    const selects = podSelector(deployment('checkout-api'), 'finance');
    expect(selects({ pod: 'checkout-api-5d7f9c8b6d-b7kzd' })).toBe(true);
    expect(
      selects({ namespace: 'finance', pod: 'checkout-api-5d7f9c8b6d-b7kzd' }),
    ).toBe(true);
    expect(
      selects({ namespace: 'other', pod: 'checkout-api-5d7f9c8b6d-b7kzd' }),
    ).toBe(false);
    expect(selects({ pod: 'checkout-api-canary-6c9d8b7f4d-x2x9q' })).toBe(
      false,
    );
    expect(selects({})).toBe(false);
  });
});

describe('reconcile', () => {
  const connection = {
    name: 'sandbox',
    logger: mockServices.logger.mock(),
  } as unknown as ClusterConnection;

  function locatedWith(scopes: PodScope[]) {
    let resolve!: (located: LocatedWorkload) => void;
    const located = new Promise<LocatedWorkload>(r => {
      resolve = r;
    });
    return {
      located,
      list: () =>
        resolve({
          connection,
          pods: [],
          scopes,
          kubernetes: {
            cluster: 'sandbox',
            source: 'kubernetes',
            status: 'ok',
          },
        }),
    };
  }

  type Answer = { pods: string[]; capped?: boolean };
  const pods: Record<string, string[]> = {
    'checkout-api': ['checkout-api-5d7f9c8b6d-b7kzd'],
    'checkout-api-canary': ['checkout-api-canary-6c9d8b7f4d-x2x9q'],
    'billing-api': ['billing-api-7f8d9c6b5d-kx2wz'],
  };
  // An upstream that knows three workloads' pods.
  const upstream = (scope: PodScope): Answer => ({
    pods: Object.values(pods)
      .flat()
      .filter(pod => podSelector(scope, scope.namespace)({ pod })),
  });

  function run(
    scopes: PodScope[],
    options: {
      answer?: (scope: PodScope) => Promise<Answer>;
      counters?: SpeculationCounters;
      speculative?: PodScope[];
    } = {},
  ) {
    const { located, list } = locatedWith(scopes);
    const asked: PodScope[] = [];
    const counters = options.counters ?? new SpeculationCounters();
    const result = reconcile<Answer>({
      workload: {
        connection,
        speculative: options.speculative ?? [speculativeScope(workload)!],
        located,
      },
      ask: async scope => {
        asked.push(scope);
        return options.answer ? options.answer(scope) : upstream(scope);
      },
      narrow: (answer, exact, { askedNamespace }) => {
        if (answer.capped) return undefined;
        const selects = podSelector(exact, askedNamespace);
        const kept = answer.pods.filter(pod => selects({ pod }));
        return { answer: { pods: kept }, kept: kept.length };
      },
      size: answer => answer.pods.length,
      counters,
    });
    return { result, list, asked, counters };
  }

  it('asks about the guess before the pods are listed, and narrows its answer to them', async () => {
    const { result, list, asked, counters } = run([deployment('checkout-api')]);
    await new Promise(r => setImmediate(r));
    expect(asked).toEqual([speculativeScope(workload)]);

    list();
    const { answers } = await result;

    expect(answers).toEqual([
      {
        scope: deployment('checkout-api'),
        answer: { pods: pods['checkout-api'] },
      },
    ]);
    expect(asked).toHaveLength(1);
    expect(counters).toMatchObject({
      asked: 1,
      answered: 1,
      reasked: 0,
      dropped: 1,
    });
  });

  it('asks again only about the listed scope the guess missed', async () => {
    const { result, list, asked, counters } = run([
      deployment('checkout-api'),
      deployment('billing-api'),
    ]);
    list();
    const { answers } = await result;

    expect(answers.map(a => a.answer.pods)).toEqual([
      pods['checkout-api'],
      pods['billing-api'],
    ]);
    expect(asked).toEqual([
      speculativeScope(workload),
      deployment('billing-api'),
    ]);
    expect(counters.reasked).toBe(1);
  });

  it('asks again when the guessed answer cannot stand for the exact one', async () => {
    const { result, list, asked, counters } = run(
      [deployment('checkout-api')],
      {
        answer: async scope =>
          'namePrefix' in scope.pods
            ? { pods: [], capped: true }
            : upstream(scope),
      },
    );
    list();
    const { answers } = await result;

    expect(answers[0].answer.pods).toEqual(pods['checkout-api']);
    expect(asked).toHaveLength(2);
    expect(counters.reasked).toBe(1);
  });

  it('asks again after a refused guess, but fails with an upstream that did not answer', async () => {
    const refused = run([deployment('checkout-api')], {
      answer: async scope => {
        if ('namePrefix' in scope.pods) {
          throw new UpstreamError('prometheus', 'sandbox', 'answered 422', {
            status: 422,
          });
        }
        return upstream(scope);
      },
    });
    refused.list();
    expect((await refused.result).answers[0].answer.pods).toEqual(
      pods['checkout-api'],
    );

    const down = run([deployment('checkout-api')], {
      answer: async () => {
        throw new UpstreamError('prometheus', 'sandbox', 'unreachable');
      },
    });
    down.list();
    await expect(down.result).rejects.toThrow('unreachable');
    expect(down.asked).toHaveLength(1);
  });

  it('uses the answer to the very scopes listed last time as it is, and asks again about a new one', async () => {
    const { result, list, asked, counters } = run(
      [deployment('billing-api'), deployment('checkout-api')],
      { speculative: [deployment('billing-api')] },
    );
    await new Promise(r => setImmediate(r));
    expect(asked).toEqual([deployment('billing-api')]);

    list();
    const { answers } = await result;

    expect(answers.map(a => a.answer.pods)).toEqual([
      pods['billing-api'],
      pods['checkout-api'],
    ]);
    expect(asked).toEqual([
      deployment('billing-api'),
      deployment('checkout-api'),
    ]);
    expect(counters).toMatchObject({ answered: 1, reasked: 1, dropped: 0 });
  });
});

describe('ListedScopes', () => {
  it('recalls the scopes last listed until they expire, and keeps the newest entries only', () => {
    let now = 0;
    const listed = new ListedScopes({
      maxEntries: 2,
      ttlMs: 1000,
      now: () => now,
    });
    listed.remember('a', [deployment('checkout-api')]);
    listed.remember('a', [deployment('billing-api')]);
    expect(listed.recall('a')).toEqual([deployment('billing-api')]);

    listed.remember('b', [deployment('b')]);
    listed.remember('c', [deployment('c')]);
    expect(listed.recall('a')).toBe(undefined);
    expect(listed.recall('c')).toEqual([deployment('c')]);

    now = 1000;
    expect(listed.recall('c')).toBe(undefined);
    listed.remember('d', []);
    expect(listed.recall('d')).toBe(undefined);
  });
});
