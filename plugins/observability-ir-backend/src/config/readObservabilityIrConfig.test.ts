import { ConfigReader } from '@backstage/config';
import { readObservabilityIrConfig } from './readObservabilityIrConfig';

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

  it('refuses Prometheus or Loki settings for an unknown cluster', () => {
    expect(() =>
      readObservabilityIrConfig(
        new ConfigReader({
          kubernetes,
          observabilityIr: {
            clusters: [{ name: 'ap', prometheus: { url: 'http://p' } }],
          },
        }),
      ),
    ).toThrow(/names "ap", which is not a cluster of the kubernetes config/);
  });

  it('works without any clusters', () => {
    expect(readObservabilityIrConfig(new ConfigReader({})).clusters).toEqual(
      [],
    );
  });
});
