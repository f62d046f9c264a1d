import { EvidenceCache } from './EvidenceCache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('EvidenceCache', () => {
  it('makes one upstream call for concurrent identical requests', async () => {
    const cache = new EvidenceCache({ ttlMs: 1000 });
    const upstream = deferred<string>();
    const load = jest.fn(() => upstream.promise);

    const answers = Promise.all(
      Array.from({ length: 50 }, () => cache.get('replicas:checkout', load)),
    );
    upstream.resolve('pods');

    expect(await answers).toEqual(Array(50).fill('pods'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reuses an answer until it is older than the TTL', async () => {
    let now = 0;
    const cache = new EvidenceCache({ ttlMs: 1000, now: () => now });
    let calls = 0;
    const load = async () => ++calls;

    expect(await cache.get('k', load)).toBe(1);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1001;
    expect(await cache.get('k', load)).toBe(2);
    expect(await cache.get('other', load)).toBe(3);
  });

  it('shares a failure with the callers waiting, then asks again', async () => {
    const cache = new EvidenceCache({ ttlMs: 60_000 });
    const upstream = deferred<string>();
    const first = cache.get('k', () => upstream.promise);
    const second = cache.get('k', async () => 'not called');
    upstream.reject(new Error('Prometheus down'));

    await expect(first).rejects.toThrow('Prometheus down');
    await expect(second).rejects.toThrow('Prometheus down');
    expect(await cache.get('k', async () => 'recovered')).toBe('recovered');
  });

  it('keeps at most maxEntries', async () => {
    const cache = new EvidenceCache({ ttlMs: 60_000, maxEntries: 2 });
    let calls = 0;
    const load = async () => ++calls;
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);

    expect(await cache.get('c', load)).toBe(3);
    expect(await cache.get('a', load)).toBe(4);
  });
});
