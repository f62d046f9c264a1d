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
    const cache = new EvidenceCache({ ttlMs: 1000, maxBytes: 1e6 });
    const upstream = deferred<string>();
    const load = jest.fn(() => upstream.promise);

    const answers = Promise.all(
      Array.from({ length: 50 }, () => cache.get('replicas:checkout', load)),
    );
    upstream.resolve('pods');

    expect(await answers).toEqual(Array(50).fill('pods'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('shares an answer it may not keep while in flight, and loads it again afterwards', async () => {
    const cache = new EvidenceCache({
      ttlMs: 60_000,
      maxBytes: 1e6,
      keep: value => value !== 'partial',
    });
    const upstream = deferred<string>();
    const load = jest.fn(() => upstream.promise);

    const first = Promise.all([
      cache.get('metrics:checkout', load),
      cache.get('metrics:checkout', load),
    ]);
    upstream.resolve('partial');
    expect(await first).toEqual(['partial', 'partial']);
    expect(load).toHaveBeenCalledTimes(1);

    const whole = jest.fn(async () => 'whole');
    expect(await cache.get('metrics:checkout', whole)).toBe('whole');
    expect(await cache.get('metrics:checkout', whole)).toBe('whole');
    expect(whole).toHaveBeenCalledTimes(1);
  });

  it('reuses an answer until it is older than the TTL', async () => {
    let now = 0;
    const cache = new EvidenceCache({
      ttlMs: 1000,
      maxBytes: 1e6,
      now: () => now,
    });
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
    const cache = new EvidenceCache({ ttlMs: 60_000, maxBytes: 1e6 });
    const upstream = deferred<string>();
    const first = cache.get('k', () => upstream.promise);
    const second = cache.get('k', async () => 'not called');
    upstream.reject(new Error('Prometheus down'));

    await expect(first).rejects.toThrow('Prometheus down');
    await expect(second).rejects.toThrow('Prometheus down');
    expect(await cache.get('k', async () => 'recovered')).toBe('recovered');
  });

  it('keeps at most maxBytes of answers, dropping the oldest first', async () => {
    const cache = new EvidenceCache({ ttlMs: 60_000, maxBytes: 100 });
    const loads: string[] = [];
    const load = (key: string) => async () => {
      loads.push(key);
      return key.repeat(40);
    };
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('c', load('c'));

    expect(cache.size).toBeLessThanOrEqual(100);
    await cache.get('c', load('c'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a'));
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('does not keep an answer larger than the whole cache', async () => {
    const cache = new EvidenceCache({ ttlMs: 60_000, maxBytes: 100 });
    let calls = 0;
    const load = async () => {
      calls += 1;
      return 'x'.repeat(1000);
    };
    await cache.get('big', load);
    await cache.get('big', load);

    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('sweeps expired answers out without being asked for them again', async () => {
    let now = 0;
    const cache = new EvidenceCache({
      ttlMs: 1000,
      maxBytes: 1e6,
      now: () => now,
    });
    await cache.get('a', async () => 'a'.repeat(500));
    await cache.get('b', async () => 'b'.repeat(500));
    expect(cache.size).toBeGreaterThanOrEqual(1000);

    now = 5000;
    await cache.get('c', async () => 'c');
    expect(cache.size).toBeLessThan(100);
  });

  it('weighs an answer with the given sizer', async () => {
    const cache = new EvidenceCache({ ttlMs: 60_000, maxBytes: 1e6 });
    await cache.get(
      'k',
      async () => ({ huge: 'x'.repeat(10_000) }),
      () => 7,
    );
    expect(cache.size).toBe(7);
  });

  it('without a TTL, shares answers in flight only and weighs none', async () => {
    const cache = new EvidenceCache({ ttlMs: 0, maxBytes: 1e6 });
    const upstream = deferred<string>();
    const load = jest.fn(() => upstream.promise);
    const sizeOf = jest.fn(() => 7);

    const both = Promise.all([
      cache.get('k', load, sizeOf),
      cache.get('k', load, sizeOf),
    ]);
    upstream.resolve('pods');
    expect(await both).toEqual(['pods', 'pods']);
    await cache.get('k', async () => 'again', sizeOf);

    expect(load).toHaveBeenCalledTimes(1);
    expect(sizeOf).not.toHaveBeenCalled();
    expect(cache.size).toBe(0);
  });
});
