import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';

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

/**
 * The bounds on what one request may cost; each is configurable under
 * `observabilityIr.limits` (see config.d.ts for the defaults).
 */
export interface EvidenceLimits {
  /** The most bytes read from one upstream answer, per source. */
  responseBytes: Record<EvidenceSource, number>;
  /** Longer log lines are cut to this many characters. */
  logLineLength: number;
  /** The most log lines asked of Loki per query. */
  logLines: number;
  /** The most pod scopes (namespace and Deployment) queried per cluster. */
  scopes: number;
  /** The most series kept from one Prometheus query. */
  seriesPerQuery: number;
  /** Upstream requests in flight at once, per cluster and source. */
  upstreamConcurrency: number;
  /** The most bytes of upstream answers the evidence cache holds. */
  cacheBytes: number;
  /** Requests per minute one user (or service) may make, on average. */
  userRequestsPerMinute: number;
  /** Requests one user may make at once before the rate applies. */
  userBurst: number;
}

/**
 * Which groups may claim each namespace: an entity whose owner is not
 * among them is refused the namespace's incident data.
 */
export interface NamespaceOwnerRule {
  /** A cluster name, or `*` for every cluster. */
  cluster: string;
  namespace: string;
  /** Owner entity refs, e.g. `group:default/finance-team`. */
  owners: string[];
}

/** The plugin's configuration, read once at start-up. */
export interface ObservabilityIrConfig {
  clusters: ClusterConfig[];
  cacheTtlMs: number;
  upstreamTimeoutMs: number;
  limits: EvidenceLimits;
  namespaceOwners: NamespaceOwnerRule[];
  /**
   * What is wrong with the configuration but does not stop the backend
   * from starting; logged at start-up.
   */
  problems: string[];
}

/** The most lines one query asks Loki for (Loki's own default cap). */
export const MAX_LOG_LINES = 5000;

/** The defaults of {@link EvidenceLimits}. */
export const DEFAULT_LIMITS: EvidenceLimits = {
  responseBytes: {
    kubernetes: 32 * 1024 * 1024,
    prometheus: 32 * 1024 * 1024,
    loki: 32 * 1024 * 1024,
  },
  logLineLength: 4096,
  logLines: 5000,
  scopes: 20,
  seriesPerQuery: 500,
  upstreamConcurrency: 32,
  cacheBytes: 256 * 1024 * 1024,
  userRequestsPerMinute: 300,
  userBurst: 60,
};

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

  const problems: string[] = [];
  const known = new Set(clusters.map(c => c.name));
  for (const name of sources.keys()) {
    if (!known.has(name)) {
      problems.push(
        `observabilityIr.clusters names "${name}", which is not a cluster of the kubernetes config block; its settings are ignored`,
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
    limits: readEvidenceLimits(config),
    namespaceOwners: readNamespaceOwners(config),
    problems,
  };
}

function readPositive(
  config: Config | undefined,
  key: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
) {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `observabilityIr.limits.${key} must be a whole number from 1 to ${max}, got ${value}`,
    );
  }
  return value;
}

/** Reads `observabilityIr.limits`, each limit with its default. */
export function readEvidenceLimits(rootConfig: Config): EvidenceLimits {
  const config = rootConfig.getOptionalConfig('observabilityIr.limits');
  const d = DEFAULT_LIMITS;
  return {
    responseBytes: {
      kubernetes: readPositive(
        config,
        'responseBytes.kubernetes',
        d.responseBytes.kubernetes,
      ),
      prometheus: readPositive(
        config,
        'responseBytes.prometheus',
        d.responseBytes.prometheus,
      ),
      loki: readPositive(config, 'responseBytes.loki', d.responseBytes.loki),
    },
    logLineLength: readPositive(config, 'logLineLength', d.logLineLength),
    logLines: readPositive(config, 'logLines', d.logLines, MAX_LOG_LINES),
    scopes: readPositive(config, 'scopes', d.scopes),
    seriesPerQuery: readPositive(config, 'seriesPerQuery', d.seriesPerQuery),
    upstreamConcurrency: readPositive(
      config,
      'upstreamConcurrency',
      d.upstreamConcurrency,
    ),
    cacheBytes: readPositive(config, 'cacheBytes', d.cacheBytes),
    userRequestsPerMinute: readPositive(
      config,
      'userRequestsPerMinute',
      d.userRequestsPerMinute,
    ),
    userBurst: readPositive(config, 'userBurst', d.userBurst),
  };
}

function readNamespaceOwners(config: Config): NamespaceOwnerRule[] {
  return (
    config.getOptionalConfigArray('observabilityIr.namespaceOwners') ?? []
  ).map(rule => ({
    cluster: rule.getOptionalString('cluster') ?? '*',
    namespace: rule.getString('namespace'),
    owners: rule.getStringArray('owners').map(owner =>
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      ),
    ),
  }));
}
