import { mockCredentials } from '@backstage/backend-test-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { NotAllowedError } from '@backstage/errors';
import { cacheEntityReadsPerCaller, ShortLivedCache } from './callerCache';
import { IncidentReadAuthorizer } from './authorizeIncidentRead';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout-api', namespace: 'default' },
};

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ShortLivedCache', () => {
  it('loads once for concurrent callers and reuses the answer until the TTL has passed', async () => {
    let now = 0;
    const cache = new ShortLivedCache<number>({ ttlMs: 5_000, now: () => now });
    let calls = 0;
    const load = jest.fn(async (): Promise<number> => ++calls);

    const answers = await Promise.all([
      cache.get('a', load),
      cache.get('a', load),
      cache.get('a', load),
    ]);
    expect(answers).toEqual([1, 1, 1]);
    now += 4_999;
    expect(await cache.get('a', load)).toBe(1);
    now += 2;
    expect(await cache.get('a', load)).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps no failure', async () => {
    const cache = new ShortLivedCache<string>({ ttlMs: 5_000 });
    const failing = deferred<string>();
    const first = cache.get('a', () => failing.promise);
    const second = cache.get('a', () => Promise.resolve('unused'));
    failing.reject(new Error('permission backend down'));
    await expect(first).rejects.toThrow('permission backend down');
    await expect(second).rejects.toThrow('permission backend down');
    expect(await cache.get('a', async () => 'answered')).toBe('answered');
  });

  it('with a TTL of 0 shares only what is in flight', async () => {
    const cache = new ShortLivedCache<number>({ ttlMs: 0 });
    let calls = 0;
    const load = async () => ++calls;
    expect(
      await Promise.all([cache.get('a', load), cache.get('a', load)]),
    ).toEqual([1, 1]);
    expect(await cache.get('a', load)).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries answers, the oldest going first', async () => {
    const cache = new ShortLivedCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) {
      await cache.get(key, async () => key);
    }
    expect(cache.size).toBe(2);
    const load = jest.fn(async () => 'again');
    expect(await cache.get('a', load)).toBe('again');
    expect(await cache.get('c', load)).toBe('c');
  });
});

describe('cacheEntityReadsPerCaller', () => {
  it('reads an entity once per caller within the TTL, and apart for another caller', async () => {
    let now = 0;
    const getEntityByRef = jest.fn(async () => entity);
    const getEntities = jest.fn(async () => ({ items: [] }));
    const catalog = cacheEntityReadsPerCaller(
      { getEntityByRef, getEntities } as unknown as CatalogService,
      { ttlMs: 5_000, now: () => now },
    );
    const guest = mockCredentials.user('user:default/guest');
    const other = mockCredentials.user('user:default/jonas.berg');

    await Promise.all(
      Array.from({ length: 8 }, () =>
        catalog.getEntityByRef('component:default/checkout-api', {
          credentials: guest,
        }),
      ),
    );
    expect(getEntityByRef).toHaveBeenCalledTimes(1);

    // Another user is asked about on their own behalf.
    expect(
      await catalog.getEntityByRef('component:default/checkout-api', {
        credentials: other,
      }),
    ).toBe(entity);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
    expect(getEntityByRef).toHaveBeenLastCalledWith(
      'component:default/checkout-api',
      { credentials: other },
    );

    now += 5_001;
    await catalog.getEntityByRef('component:default/checkout-api', {
      credentials: guest,
    });
    expect(getEntityByRef).toHaveBeenCalledTimes(3);

    // Other methods reach the catalog untouched.
    await catalog.getEntities({}, { credentials: guest });
    await catalog.getEntities({}, { credentials: guest });
    expect(getEntities).toHaveBeenCalledTimes(2);
  });
});

describe('IncidentReadAuthorizer', () => {
  function permissions(results: AuthorizeResult[]) {
    return {
      authorize: jest.fn(async () =>
        results.map(
          result => ({ result } as { result: AuthorizeResult.ALLOW }),
        ),
      ),
      authorizeConditional: jest.fn(),
    };
  }

  it('asks the permission framework once per caller and entity within the TTL', async () => {
    let now = 0;
    const service = permissions([AuthorizeResult.ALLOW, AuthorizeResult.DENY]);
    const authorizer = new IncidentReadAuthorizer(service as any, {
      ttlMs: 5_000,
      now: () => now,
    });
    const credentials = mockCredentials.user('user:default/guest');

    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        authorizer.authorize('Component:default/checkout-api', {
          credentials,
        }),
      ),
    );
    expect(answers[0]).toEqual({ credentials, allNamespaces: false });
    expect(service.authorize).toHaveBeenCalledTimes(1);

    await authorizer.authorize('component:default/cart-service', {
      credentials,
    });
    await authorizer.authorize('component:default/checkout-api', {
      credentials: mockCredentials.user('user:default/jonas.berg'),
    });
    expect(service.authorize).toHaveBeenCalledTimes(3);

    now += 5_001;
    await authorizer.authorize('component:default/checkout-api', {
      credentials,
    });
    expect(service.authorize).toHaveBeenCalledTimes(4);
  });

  it('refuses from a kept refusal too', async () => {
    const service = permissions([AuthorizeResult.DENY, AuthorizeResult.DENY]);
    const authorizer = new IncidentReadAuthorizer(service as any);
    const options = { credentials: mockCredentials.user('user:default/guest') };
    for (let i = 0; i < 2; i++) {
      await expect(
        authorizer.authorize('component:default/checkout-api', options),
      ).rejects.toThrow(NotAllowedError);
    }
    expect(service.authorize).toHaveBeenCalledTimes(1);
  });
});
