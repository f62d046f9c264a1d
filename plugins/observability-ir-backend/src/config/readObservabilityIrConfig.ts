import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** Where one cluster's API, metrics and logs are, and how to reach them. */
export interface ClusterConfig {
  name: string;
  kubernetes: {
    url: string;
    /** Bearer token (the `serviceAccount` auth provider). */
    serviceAccountToken?: string;
    caData?: string;
    caFile?: string;
    skipTLSVerify: boolean;
    /**
     * Why the plugin cannot talk to this cluster's API, e.g. an auth
     * provider it does not support; reported with every answer.
     */
    unsupported?: string;
  };
  prometheus?: HttpSourceConfig;
  loki?: HttpSourceConfig;
}

/** An HTTP upstream: base URL and the headers to send. */
export interface HttpSourceConfig {
  url: string;
  headers: Record<string, string>;
}

/** The plugin's configuration, read once at start-up. */
export interface ObservabilityIrConfig {
  clusters: ClusterConfig[];
  cacheTtlMs: number;
  upstreamTimeoutMs: number;
}

const SUPPORTED_AUTH_PROVIDERS = ['serviceAccount'];

function readDurationMs(config: Config, key: string, fallbackMs: number) {
  if (!config.has(key)) {
    return fallbackMs;
  }
  return durationToMilliseconds(readDurationFromConfig(config, { key }));
}

function readHttpSource(config: Config | undefined) {
  if (!config) {
    return undefined;
  }
  const url = config.getString('url').replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  const headerConfig = config.getOptionalConfig('headers');
  for (const name of headerConfig?.keys() ?? []) {
    headers[name] = headerConfig!.getString(name);
  }
  const tenant = config.getOptionalString('tenant');
  if (tenant) {
    headers['X-Scope-OrgID'] = tenant;
  }
  return { url, headers };
}

/**
 * Reads the clusters of the `kubernetes` block (cluster locators of type
 * `config`) and joins them with the Prometheus and Loki settings of
 * `observabilityIr.clusters`, by cluster name.
 */
export function readObservabilityIrConfig(
  config: Config,
): ObservabilityIrConfig {
  const sources = new Map(
    (config.getOptionalConfigArray('observabilityIr.clusters') ?? []).map(
      cluster => [cluster.getString('name'), cluster],
    ),
  );

  const clusters: ClusterConfig[] = [];
  const locators =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  for (const locator of locators) {
    if (locator.getString('type') !== 'config') {
      continue;
    }
    for (const cluster of locator.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getString('name');
      const authProvider = cluster.getString('authProvider');
      const own = sources.get(name);
      clusters.push({
        name,
        kubernetes: {
          url: cluster.getString('url').replace(/\/+$/, ''),
          serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
          caData: cluster.getOptionalString('caData'),
          caFile: cluster.getOptionalString('caFile'),
          skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
          unsupported: SUPPORTED_AUTH_PROVIDERS.includes(authProvider)
            ? undefined
            : `auth provider "${authProvider}" is not supported; use serviceAccount`,
        },
        prometheus: readHttpSource(own?.getOptionalConfig('prometheus')),
        loki: readHttpSource(own?.getOptionalConfig('loki')),
      });
    }
  }

  const known = new Set(clusters.map(c => c.name));
  for (const name of sources.keys()) {
    if (!known.has(name)) {
      throw new Error(
        `observabilityIr.clusters names "${name}", which is not a cluster of the kubernetes config block`,
      );
    }
  }

  return {
    clusters,
    cacheTtlMs: readDurationMs(config, 'observabilityIr.cacheTtl', 15_000),
    upstreamTimeoutMs: readDurationMs(
      config,
      'observabilityIr.upstreamTimeout',
      10_000,
    ),
  };
}
