import { approximateSize } from './approximateSize';

describe('approximateSize', () => {
  it('weighs strings by length, other primitives 8, objects 16 plus keys', () => {
    expect(approximateSize('abc')).toBe(3);
    expect(approximateSize(42)).toBe(8);
    expect(approximateSize(null)).toBe(0);
    // 16 for the object, 1 + 2 for the keys, 8 for the number, 5 for "hello"
    expect(approximateSize({ a: 1, bb: 'hello' })).toBe(16 + 1 + 8 + 2 + 5);
    // 16 for the array, 16 + 8 + 8 for each sample
    expect(
      approximateSize([
        [1, 2],
        [3, 4],
      ]),
    ).toBe(16 + 2 * (16 + 8 + 8));
  });

  it('grows with the samples of a series, as a cache bound needs', () => {
    const series = (n: number) => ({
      pod: 'checkout-api-v1-abc',
      points: Array.from({ length: n }, (_, i) => [i, i * 2]),
    });
    expect(approximateSize(series(1000))).toBeGreaterThan(
      approximateSize(series(100)) * 9,
    );
  });

  it('counts a shared object once and ends on a cycle', () => {
    const pod = { name: 'checkout-api-v1-abc', node: 'worker-1' };
    const once = approximateSize({ a: pod });
    const twice = approximateSize({ a: pod, b: pod });
    expect(twice).toBe(once + 1);

    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, [cyclic]];
    expect(approximateSize(cyclic)).toBeGreaterThan(0);
  });

  it('skips functions and weighs a date as an object', () => {
    expect(approximateSize({ f: () => 1 })).toBe(16 + 1);
    expect(approximateSize(new Date(0))).toBe(16);
  });
});
