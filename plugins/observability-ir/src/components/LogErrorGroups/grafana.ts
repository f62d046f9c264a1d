import { ConfigApi } from '@backstage/core-plugin-api';

/**
 * The Grafana a cluster's queries open in, and its Loki data source.
 *
 * @public
 */
export interface GrafanaTarget {
  url: string;
  lokiDatasource?: string;
}

/**
 * Where a cluster's queries open: `observabilityIr.clusters[].grafana` of
 * that cluster over the global `observabilityIr.grafana`, field by field. A
 * cluster with a Grafana of its own does not take the global data source
 * uid (uids belong to one Grafana). `undefined` when no Grafana is
 * configured for it.
 *
 * @public
 */
export function grafanaForCluster(
  config: ConfigApi,
  cluster: string | undefined,
): GrafanaTarget | undefined {
  const global = config.getOptionalConfig('observabilityIr.grafana');
  const own =
    cluster === undefined
      ? undefined
      : config
          .getOptionalConfigArray('observabilityIr.clusters')
          ?.find(c => c.getOptionalString('name') === cluster)
          ?.getOptionalConfig('grafana');
  const ownUrl = own?.getOptionalString('url');
  const url = ownUrl ?? global?.getOptionalString('url');
  if (!url) {
    return undefined;
  }
  const lokiDatasource =
    own?.getOptionalString('lokiDatasource') ??
    (ownUrl ? undefined : global?.getOptionalString('lokiDatasource'));
  return { url, lokiDatasource };
}

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
