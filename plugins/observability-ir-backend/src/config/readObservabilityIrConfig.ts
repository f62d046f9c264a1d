import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';

/**
 * Where one cluster's metrics and logs are, by the cluster's name; the
 * cluster itself (API server, credentials) comes from the cluster locators
 * of the `kubernetes` block.
 */
export interface ClusterSources {
  name: string;
  prometheus?: HttpSourceConfig;
  loki?: HttpSourceConfig;
  alertmanager?: HttpSourceConfig;
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
  /** `observabilityIr.clusters`: Prometheus, Loki and Alertmanager per cluster name. */
  clusterSources: ClusterSources[];
  cacheTtlMs: number;
  /**
   * `observabilityIr.reuseRangeAnswers`: Prometheus range answers reused
   * when the window moves on (see `clients/RangeAnswers.ts`).
   */
  reuseRangeAnswers: boolean;
  upstreamTimeoutMs: number;
  limits: EvidenceLimits;
  namespaceOwners: NamespaceOwnerRule[];
}

/** The most lines one query asks Loki for (Loki's own default cap). */
export const MAX_LOG_LINES = 5000;

/** The defaults of {@link EvidenceLimits}. */
export const DEFAULT_LIMITS: EvidenceLimits = {
  responseBytes: {
    kubernetes: 32 * 1024 * 1024,
    prometheus: 32 * 1024 * 1024,
    loki: 32 * 1024 * 1024,
    alertmanager: 32 * 1024 * 1024,
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
 * Reads the plugin's configuration: the Prometheus and Loki of each cluster
 * (`observabilityIr.clusters`), the cache, timeouts, limits and namespace
 * owners. The clusters themselves are found by the cluster locators.
 */
export function readObservabilityIrConfig(
  config: Config,
): ObservabilityIrConfig {
  const clusterSources = (
    config.getOptionalConfigArray('observabilityIr.clusters') ?? []
  ).map(cluster => ({
    name: cluster.getString('name'),
    prometheus: readHttpSource(cluster.getOptionalConfig('prometheus')),
    loki: readHttpSource(cluster.getOptionalConfig('loki')),
    alertmanager: readHttpSource(cluster.getOptionalConfig('alertmanager')),
  }));

  return {
    clusterSources,
    cacheTtlMs: readDurationMs(config, 'observabilityIr.cacheTtl', 15_000),
    reuseRangeAnswers:
      config.getOptionalBoolean('observabilityIr.reuseRangeAnswers') ?? false,
    upstreamTimeoutMs: readDurationMs(
      config,
      'observabilityIr.upstreamTimeout',
      10_000,
    ),
    limits: readEvidenceLimits(config),
    namespaceOwners: readNamespaceOwners(config),
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
      alertmanager: readPositive(
        config,
        'responseBytes.alertmanager',
        d.responseBytes.alertmanager,
      ),
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
