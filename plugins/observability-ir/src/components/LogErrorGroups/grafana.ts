/**
 * A Grafana Explore link that runs a LogQL query over a range.
 *
 * @param grafanaUrl - base URL of Grafana, e.g. `https://grafana.example.com`
 * @param datasource - uid of the Loki data source; Grafana's default when absent
 */
export function grafanaExploreUrl(options: {
  grafanaUrl: string;
  query: string;
  start: string;
  end: string;
  datasource?: string;
}): string {
  const { grafanaUrl, query, start, end, datasource } = options;
  const pane = {
    ...(datasource ? { datasource } : {}),
    queries: [
      {
        refId: 'A',
        expr: query,
        queryType: 'range',
        datasource: {
          type: 'loki',
          ...(datasource ? { uid: datasource } : {}),
        },
      },
    ],
    range: {
      from: String(Date.parse(start)),
      to: String(Date.parse(end)),
    },
  };
  const params = new URLSearchParams({
    schemaVersion: '1',
    panes: JSON.stringify({ incident: pane }),
    orgId: '1',
  });
  return `${grafanaUrl.replace(/\/+$/, '')}/explore?${params}`;
}
