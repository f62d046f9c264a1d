import {
  evidenceQuerySchema,
  forensicsRequestSchema,
  memoryLimitFixRequestSchema,
  rawLogsQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import { parseRequest } from './parseRequest';

const CHECKOUT = 'component:default/checkout-api';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect((error as Error).name).toBe('InputError');
    return (error as Error).message;
  }
  throw new Error('expected the request to be refused');
}

describe('parseRequest', () => {
  it.each([
    ['no kind', 'checkout-api'],
    ['no namespace', 'component:checkout-api'],
    ['another kind and namespace', 'resource:finance/ledger-db'],
    [
      'upper case, as refs compare without case',
      'Component:DEFAULT/Checkout_API.v2',
    ],
  ])('takes an entity ref with %s', (_, entityRef) => {
    expect(parseRequest(evidenceQuerySchema, { entityRef }, 'query')).toEqual({
      entityRef,
    });
  });

  it.each([
    ['a path traversal', 'component:default/../../etc/passwd'],
    ['an encoded traversal', 'component:default/%2e%2e%2fsecrets'],
    ['a PromQL breakout', 'component:default/checkout-api"} or vector(1)'],
    ['a second slash', 'component:default/checkout-api/x'],
    ['two colons', 'component::default/checkout-api'],
    ['a NUL', 'component:default/checkout-api\u0000'],
    ['an RTL override', 'component:default/checkout-api\u202e'],
    ['a Cyrillic letter', 'component:default/сheckout-api'],
    ['a name of 64 characters', `component:default/${'a'.repeat(64)}`],
    ['an empty name', 'component:default/'],
    ['a glob', 'component:default/*'],
  ])('refuses an entity ref with %s, naming the rule', (_, entityRef) => {
    expect(
      refusal(() => parseRequest(evidenceQuerySchema, { entityRef }, 'query')),
    ).toBe(
      'Invalid request: entityRef: must be an entity ref, [kind:][namespace/]name, as the catalog names entities',
    );
  });

  const target = {
    entityRef: CHECKOUT,
    cluster: 'sandbox',
    namespace: 'finance',
    pod: 'checkout-api-v1-abc',
    container: 'checkout-api',
  };

  it('takes Kubernetes names as Kubernetes gives them', () => {
    expect(parseRequest(forensicsRequestSchema, target, 'body')).toEqual(
      target,
    );
    expect(
      parseRequest(
        rawLogsQuerySchema,
        { ...target, pod: 'ledger-0.ledger.finance' },
        'query',
      ),
    ).toMatchObject({ pod: 'ledger-0.ledger.finance' });
  });

  it.each([
    ['namespace', '../kube-system', 'Kubernetes namespace name'],
    ['namespace', 'finance"} or {a="', 'Kubernetes namespace name'],
    ['namespace', 'Finance', 'Kubernetes namespace name'],
    ['pod', '../prometheus-operator-6c9d8b7f4d-q8w2n', 'Kubernetes pod name'],
    ['pod', 'checkout-api-.*', 'Kubernetes pod name'],
    ['pod', 'app=checkout,foo!=', 'Kubernetes pod name'],
    ['pod', 'checkout-api-v1-abc\n', 'Kubernetes pod name'],
    ['pod', ' checkout-api-v1-abc ', 'Kubernetes pod name'],
    ['container', 'checkout-api; rm -rf /', 'Kubernetes container name'],
    ['container', 'checkout.api', 'Kubernetes container name'],
  ])(
    'refuses a %s of %j before anything is asked of a cluster',
    (field, value, what) => {
      const message = refusal(() =>
        parseRequest(
          forensicsRequestSchema,
          { ...target, [field]: value },
          'body',
        ),
      );
      expect(message).toMatch(
        new RegExp(`^Invalid request: ${field}: must be a ${what} \\(`),
      );
      expect(message).not.toContain(value.trim() || '\u0000');
    },
  );

  it('names every field with the wrong shape at once', () => {
    expect(
      refusal(() =>
        parseRequest(
          memoryLimitFixRequestSchema,
          {
            entityRef: CHECKOUT,
            cluster: 'sandbox',
            namespace: 'kube_system',
            workloadKind: 'Deployment',
            workloadName: '../prometheus-operator',
            container: 'x"}',
            limit: '1Gi',
          },
          'body',
        ),
      ),
    ).toBe(
      'Invalid request: namespace: must be a Kubernetes namespace name (lowercase letters, digits and "-", at most 63); workloadName: must be a Kubernetes workload name (lowercase letters, digits, "-" and ".", at most 253); container: must be a Kubernetes container name (lowercase letters, digits and "-", at most 63)',
    );
  });

  it('refuses raw logs around a moment more than a minute ahead, and takes one a few seconds ahead', () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const query = { entityRef: CHECKOUT, pod: 'checkout-api-v1-abc' };
    expect(
      refusal(() =>
        parseRequest(
          rawLogsQuerySchema,
          { ...query, at: at(600_000) },
          'query',
        ),
      ),
    ).toBe(
      'Invalid request: at: must not be more than 60 seconds in the future',
    );
    expect(
      refusal(() =>
        parseRequest(
          rawLogsQuerySchema,
          { ...query, at: '9999-12-31T23:59:59Z' },
          'query',
        ),
      ),
    ).toBe(
      'Invalid request: at: must not be more than 60 seconds in the future',
    );
    expect(
      parseRequest(rawLogsQuerySchema, { ...query, at: at(5_000) }, 'query'),
    ).toMatchObject({ at: expect.any(String) });
  });
});
