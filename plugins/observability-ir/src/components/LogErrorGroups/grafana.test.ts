import { grafanaExploreUrl } from './grafana';

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
