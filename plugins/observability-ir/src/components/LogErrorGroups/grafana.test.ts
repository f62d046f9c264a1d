import { mockApis } from '@backstage/frontend-test-utils';
import { grafanaExploreUrl, grafanaForCluster } from './grafana';

describe('grafanaExploreUrl', () => {
  it('opens Explore with the LogQL and the range', () => {
    const url = new URL(
      grafanaExploreUrl({
        grafanaUrl: 'https://grafana.example.com/',
        query: '{namespace="finance"} |~ "error"',
        start: '2026-11-25T13:00:00Z',
        end: '2026-11-25T14:00:00Z',
        datasource: 'loki-sandbox',
      }),
    );
    expect(url.origin + url.pathname).toBe(
      'https://grafana.example.com/explore',
    );
    const panes = JSON.parse(url.searchParams.get('panes')!);
    expect(panes.incident.queries[0].expr).toBe(
      '{namespace="finance"} |~ "error"',
    );
    expect(panes.incident.datasource).toBe('loki-sandbox');
    expect(panes.incident.range).toEqual({
      from: String(Date.parse('2026-11-25T13:00:00Z')),
      to: String(Date.parse('2026-11-25T14:00:00Z')),
    });
  });
});

describe('grafanaForCluster', () => {
  const config = mockApis.config({
    data: {
      observabilityIr: {
        grafana: { url: 'https://grafana.example.com', lokiDatasource: 'loki' },
        clusters: [
          {
            name: 'production-eu',
            grafana: {
              url: 'https://grafana-eu.example.com',
              lokiDatasource: 'loki-eu',
            },
          },
          // Its own Grafana, Grafana's default data source there.
          {
            name: 'production-us',
            grafana: { url: 'https://grafana-us.example.com' },
          },
          // The global Grafana, another data source.
          { name: 'staging', grafana: { lokiDatasource: 'loki-staging' } },
          { name: 'sandbox' },
        ],
      },
    },
  });

  it("takes a cluster's own Grafana and data source", () => {
    expect(grafanaForCluster(config, 'production-eu')).toEqual({
      url: 'https://grafana-eu.example.com',
      lokiDatasource: 'loki-eu',
    });
  });

  it("does not give the global data source to a cluster's own Grafana", () => {
    expect(grafanaForCluster(config, 'production-us')).toEqual({
      url: 'https://grafana-us.example.com',
      lokiDatasource: undefined,
    });
  });

  it('takes the global Grafana with a data source of the cluster', () => {
    expect(grafanaForCluster(config, 'staging')).toEqual({
      url: 'https://grafana.example.com',
      lokiDatasource: 'loki-staging',
    });
  });

  it('falls back to the global Grafana for other clusters', () => {
    for (const cluster of ['sandbox', 'unlisted', undefined]) {
      expect(grafanaForCluster(config, cluster)).toEqual({
        url: 'https://grafana.example.com',
        lokiDatasource: 'loki',
      });
    }
  });

  it('has none when neither the cluster nor the global one has a URL', () => {
    const bare = mockApis.config({
      data: {
        observabilityIr: {
          clusters: [{ name: 'staging', grafana: { lokiDatasource: 'x' } }],
        },
      },
    });
    expect(grafanaForCluster(bare, 'staging')).toBeUndefined();
    expect(grafanaForCluster(mockApis.config(), 'staging')).toBeUndefined();
  });
});
