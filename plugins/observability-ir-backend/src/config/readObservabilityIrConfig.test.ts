import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_LIMITS,
  readObservabilityIrConfig,
} from './readObservabilityIrConfig';

describe('readObservabilityIrConfig', () => {
  it('reuses Prometheus range answers only when asked to', () => {
    const read = (observabilityIr: object) =>
      readObservabilityIrConfig(new ConfigReader({ observabilityIr }))
        .reuseRangeAnswers;
    expect(read({})).toBe(false);
    expect(read({ reuseRangeAnswers: true })).toBe(true);
    expect(() => read({ reuseRangeAnswers: 'sometimes' })).toThrow(
      /reuseRangeAnswers/,
    );
  });

  it('reads the Prometheus and Loki of each cluster, by name', () => {
    const config = readObservabilityIrConfig(
      new ConfigReader({
        observabilityIr: {
          cacheTtl: { seconds: 30 },
          clusters: [
            {
              name: 'eu',
              prometheus: {
                url: 'https://prometheus.eu.example.com/',
                headers: { Authorization: 'Bearer p' },
              },
              loki: { url: 'https://loki.eu.example.com', tenant: 'team-a' },
            },
            { name: 'us' },
          ],
        },
      }),
    );

    expect(config.cacheTtlMs).toBe(30_000);
    // Opt-in: it assumes a Prometheus whose history is never rewritten.
    expect(config.reuseRangeAnswers).toBe(false);
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.clusterSources).toEqual([
      {
        name: 'eu',
        prometheus: {
          url: 'https://prometheus.eu.example.com',
          headers: { Authorization: 'Bearer p' },
        },
        loki: {
          url: 'https://loki.eu.example.com',
          headers: { 'X-Scope-OrgID': 'team-a' },
        },
      },
      { name: 'us', prometheus: undefined, loki: undefined },
    ]);
  });

  it('reads every limit, with its default where unset', () => {
    const config = readObservabilityIrConfig(
      new ConfigReader({
        observabilityIr: {
          limits: { responseBytes: { loki: 1024 }, logLines: 100, scopes: 3 },
        },
      }),
    );
    expect(config.limits).toEqual({
      ...DEFAULT_LIMITS,
      responseBytes: { ...DEFAULT_LIMITS.responseBytes, loki: 1024 },
      logLines: 100,
      scopes: 3,
    });
  });

  it.each([
    [{ logLines: 0 }, /logLines must be a whole number from 1 to 5000, got 0/],
    [{ logLines: 10_000 }, /logLines must be a whole number from 1 to 5000/],
    [{ scopes: 1.5 }, /scopes must be a whole number/],
  ])('refuses the limits %p', (limits, message) => {
    expect(() =>
      readObservabilityIrConfig(
        new ConfigReader({ observabilityIr: { limits } }),
      ),
    ).toThrow(message);
  });

  it('reads which owners may claim each namespace, as full entity refs', () => {
    const config = readObservabilityIrConfig(
      new ConfigReader({
        observabilityIr: {
          namespaceOwners: [
            { namespace: 'finance', owners: ['finance-team'] },
            {
              cluster: 'eu',
              namespace: 'shop',
              owners: ['group:default/storefront-team', 'user:jo'],
            },
          ],
        },
      }),
    );
    expect(config.namespaceOwners).toEqual([
      {
        cluster: '*',
        namespace: 'finance',
        owners: ['group:default/finance-team'],
      },
      {
        cluster: 'eu',
        namespace: 'shop',
        owners: ['group:default/storefront-team', 'user:default/jo'],
      },
    ]);
  });

  it('works without any clusters', () => {
    expect(
      readObservabilityIrConfig(new ConfigReader({})).clusterSources,
    ).toEqual([]);
  });
});
