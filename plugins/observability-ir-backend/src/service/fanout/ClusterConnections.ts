import { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesRequestAuth } from '@backstage/plugin-kubernetes-common';
import type { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { SourceStatus } from '@observability-ir/plugin-observability-ir-common';
import pLimit, { Limit } from 'p-limit';
import { AlertmanagerClient } from '../../clients/AlertmanagerClient';
import { KubernetesClient } from '../../clients/KubernetesClient';
import { LokiClient } from '../../clients/LokiClient';
import { PrometheusClient } from '../../clients/PrometheusClient';
import { RangeAnswers } from '../../clients/RangeAnswers';
import { shortenText } from '../../clients/upstreamText';
import { ClusterAccess } from '../../clusters/ClusterAccess';
import { credentialsKey } from '../../clusters/requestAuth';
import { ObservabilityIrConfig } from '../../config/readObservabilityIrConfig';

/**
 * The clients of one cluster; Prometheus, Loki and Alertmanager only where
 * configured.
 */
export interface ClusterConnection {
  name: string;
  /** Reads with the credential of the request the connection was made for. */
  kubernetes: KubernetesClient;
  prometheus?: PrometheusClient;
  loki?: LokiClient;
  alertmanager?: AlertmanagerClient;
  /** Where this cluster's upstream failures are logged in full. */
  logger: LoggerService;
}

/** The clusters one request reads from, and what keeps it from others. */
export interface RequestClusters {
  connections: ClusterConnection[];
  /**
   * A status for what is missing: no cluster at all, not the one the entity
   * names, or no list of clusters because a locator failed.
   */
  statuses: SourceStatus[];
  /**
   * Tells apart answers read with different Kubernetes credentials; empty
   * when the request carried none.
   */
  credentialsKey: string;
}

/** What every request to one cluster shares. */
interface SharedCluster {
  logger: LoggerService;
  kubernetesConcurrency: Limit;
  prometheus?: PrometheusClient;
  loki?: LokiClient;
  alertmanager?: AlertmanagerClient;
}

/**
 * The connections of each request to the clusters the cluster locators
 * find. Prometheus and Loki clients and every upstream's concurrency limit
 * are made once per cluster name and shared by every request, so a burst of
 * requests queues here instead of at the upstream; the Kubernetes client is
 * made per request, with the credential the cluster's auth provider gives
 * for that request.
 */
export class ClusterConnections {
  private readonly shared = new Map<string, SharedCluster>();
  private readonly warnedSources = new Set<string>();

  constructor(
    private readonly deps: {
      access: ClusterAccess;
      config: ObservabilityIrConfig;
      logger: LoggerService;
    },
  ) {}

  /**
   * The clusters one request reads: every cluster, or the one an entity's
   * cluster annotation names; never throws, a failure is a status.
   */
  async forRequest(
    cluster: string | undefined,
    kubernetesAuth: KubernetesRequestAuth = {},
  ): Promise<RequestClusters> {
    const key = credentialsKey(kubernetesAuth);
    let all: ClusterDetails[];
    try {
      all = await this.deps.access.clusters();
    } catch (error) {
      this.deps.logger.warn(
        `Incident evidence: the list of clusters failed: ${
          (error as Error).message
        }`,
      );
      return {
        connections: [],
        statuses: [
          {
            cluster: cluster ?? '(cluster locators)',
            source: 'kubernetes',
            status: 'error',
            error: shortenText(
              `The Kubernetes clusters could not be listed: ${
                (error as Error).message
              }`,
              300,
            ),
          },
        ],
        credentialsKey: key,
      };
    }
    this.warnUnknownSources(all);
    const chosen = cluster ? all.filter(c => c.name === cluster) : all;
    return {
      connections: chosen.map(details => this.connect(details, kubernetesAuth)),
      statuses: chosen.length > 0 ? [] : [unconfigured(cluster)],
      credentialsKey: key,
    };
  }

  /** The details of the clusters a request reads (for `/v1/clusters`). */
  async details(cluster: string | undefined): Promise<ClusterDetails[]> {
    const all = await this.deps.access.clusters();
    return cluster ? all.filter(c => c.name === cluster) : all;
  }

  private connect(
    details: ClusterDetails,
    kubernetesAuth: KubernetesRequestAuth,
  ): ClusterConnection {
    const shared = this.sharedOf(details.name);
    const { upstreamTimeoutMs: timeoutMs, limits } = this.deps.config;
    return {
      name: details.name,
      logger: shared.logger,
      kubernetes: new KubernetesClient({
        cluster: details,
        credential: () => this.deps.access.credential(details, kubernetesAuth),
        timeoutMs,
        maxBodyBytes: limits.responseBytes.kubernetes,
        concurrency: shared.kubernetesConcurrency,
      }),
      prometheus: shared.prometheus,
      loki: shared.loki,
      alertmanager: shared.alertmanager,
    };
  }

  private sharedOf(name: string): SharedCluster {
    const known = this.shared.get(name);
    if (known) {
      return known;
    }
    const {
      upstreamTimeoutMs: timeoutMs,
      limits,
      clusterSources,
    } = this.deps.config;
    const sources = clusterSources.find(s => s.name === name);
    const shared: SharedCluster = {
      logger: this.deps.logger.child({ cluster: name }),
      kubernetesConcurrency: pLimit(limits.upstreamConcurrency),
      prometheus:
        sources?.prometheus &&
        new PrometheusClient({
          cluster: name,
          source: sources.prometheus,
          timeoutMs,
          maxBodyBytes: limits.responseBytes.prometheus,
          maxSeries: limits.seriesPerQuery,
          concurrency: pLimit(limits.upstreamConcurrency),
          ...(this.deps.config.reuseRangeAnswers
            ? { rangeAnswers: new RangeAnswers() }
            : {}),
        }),
      loki:
        sources?.loki &&
        new LokiClient({
          cluster: name,
          source: sources.loki,
          timeoutMs,
          maxBodyBytes: limits.responseBytes.loki,
          maxLineLength: limits.logLineLength,
          concurrency: pLimit(limits.upstreamConcurrency),
        }),
      alertmanager:
        sources?.alertmanager &&
        new AlertmanagerClient({
          cluster: name,
          source: sources.alertmanager,
          timeoutMs,
          maxBodyBytes: limits.responseBytes.alertmanager,
          maxAlerts: limits.seriesPerQuery,
          concurrency: pLimit(limits.upstreamConcurrency),
        }),
    };
    this.shared.set(name, shared);
    return shared;
  }

  /** Says once which `observabilityIr.clusters` entries match no cluster. */
  private warnUnknownSources(clusters: ClusterDetails[]) {
    const known = new Set(clusters.map(c => c.name));
    for (const { name } of this.deps.config.clusterSources) {
      if (!known.has(name) && !this.warnedSources.has(name)) {
        this.warnedSources.add(name);
        this.deps.logger.warn(
          `observabilityIr.clusters names "${name}", which no cluster locator of kubernetes.clusterLocatorMethods finds; its settings are unused`,
        );
      }
    }
  }
}

/**
 * A status that says what to configure when no cluster is there to ask:
 * none at all, or not the one the entity names.
 */
function unconfigured(cluster: string | undefined): SourceStatus {
  return {
    cluster: cluster ?? '(none configured)',
    source: 'kubernetes',
    status: 'not-configured',
    error: cluster
      ? `The cluster ${cluster} named by the entity's backstage.io/kubernetes-cluster annotation is not in kubernetes.clusterLocatorMethods`
      : 'No Kubernetes cluster is configured: add one to kubernetes.clusterLocatorMethods',
  };
}
