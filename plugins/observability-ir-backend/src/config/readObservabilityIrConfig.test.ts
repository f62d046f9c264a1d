import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_LIMITS,
  readObservabilityIrConfig,
} from './readObservabilityIrConfig';

const kubernetes = {
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: [
        {
          name: 'eu',
          url: 'https://eu.example.com/',
          authProvider: 'serviceAccount',
          serviceAccountToken: 'token-eu',
          caData: 'Q0E=',
        },
        { name: 'us', url: 'https://us.example.com', authProvider: 'google' },
      ],
    },
    { type: 'catalog' },
  ],
};

describe('readObservabilityIrConfig', () => {
  it('joins the kubernetes clusters with their Prometheus and Loki', () => {
    const config = readObservabilityIrConfig(
      new ConfigReader({
        kubernetes,
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
          ],
        },
      }),
    );

    expect(config.cacheTtlMs).toBe(30_000);
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.clusters).toEqual([
      {
        name: 'eu',
        kubernetes: {
          url: 'https://eu.example.com',
          serviceAccountToken: 'token-eu',
          caData: 'Q0E=',
          caFile: undefined,
          skipTLSVerify: false,
          unsupported: undefined,
        },
        prometheus: {
          url: 'https://prometheus.eu.example.com',
          headers: { Authorization: 'Bearer p' },
        },
        loki: {
          url: 'https://loki.eu.example.com',
          headers: { 'X-Scope-OrgID': 'team-a' },
        },
      },
      {
        name: 'us',
        kubernetes: expect.objectContaining({
          url: 'https://us.example.com',
          unsupported:
            'auth provider "google" is not supported; use serviceAccount',
        }),
        prometheus: undefined,
        loki: undefined,
      },
    ]);
  });

  it('starts with Prometheus or Loki settings for an unknown cluster, and says why they are ignored', () => {
    const config = readObservabilityIrConfig(
      new ConfigReader({
        kubernetes,
        observabilityIr: {
          clusters: [{ name: 'ap', prometheus: { url: 'http://p' } }],
        },
      }),
    );
    expect(config.clusters.map(c => c.name)).toEqual(['eu', 'us']);
    expect(config.problems).toEqual([
      expect.stringMatching(
        /names "ap", which is not a cluster of the kubernetes config block; its settings are ignored/,
      ),
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
    expect(readObservabilityIrConfig(new ConfigReader({})).clusters).toEqual(
      [],
    );
  });
});
