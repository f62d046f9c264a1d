import { groupErrorLines, toErrorLogEntry } from './groupErrorLines';

const oom = (timeMs: number, pod: string) =>
  toErrorLogEntry(
    { timeMs, cluster: 'sandbox', pod, container: 'checkout-api' },
    `${new Date(
      timeMs,
    ).toISOString()} ERROR 1 --- [ main] c.e.Catalog : java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n\tat com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)`,
  );

describe('groupErrorLines', () => {
  const range = { startMs: 0, endMs: 3_000_000 };

  it('counts each signature, with where and when it appeared', () => {
    const groups = groupErrorLines(
      [
        oom(100_000, 'checkout-api-v1-abc'),
        oom(1_600_000, 'checkout-api-v1-xyz'),
        oom(2_900_000, 'checkout-api-v1-abc'),
        toErrorLogEntry(
          { timeMs: 500_000, cluster: 'sandbox', pod: 'checkout-api-v1-abc' },
          'WARN pool exhausted, error count 3',
        ),
      ],
      range,
    );

    expect(groups.map(g => [g.signature, g.count])).toEqual([
      ['java.lang.OutOfMemoryError: Java heap space', 3],
      ['WARN pool exhausted, error count <n>', 1],
    ]);
    const [oomGroup] = groups;
    expect(oomGroup.exceptionClass).toBe('java.lang.OutOfMemoryError');
    expect(oomGroup.pods).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    expect(oomGroup.firstSeen).toBe(new Date(100_000).toISOString());
    expect(oomGroup.lastSeen).toBe(new Date(2_900_000).toISOString());
    expect(oomGroup.histogram).toHaveLength(30);
    expect(oomGroup.histogram.reduce((a, b) => a + b, 0)).toBe(3);
    expect(oomGroup.histogram[1]).toBe(1);
    expect(oomGroup.histogram[29]).toBe(1);
    expect(oomGroup.sample.timestamp).toBe(new Date(2_900_000).toISOString());
    expect(oomGroup.sample.stackTrace).toEqual([
      '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
      '\tat com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)',
    ]);
  });

  it('returns no groups for no lines', () => {
    expect(groupErrorLines([], range)).toEqual([]);
  });
});
