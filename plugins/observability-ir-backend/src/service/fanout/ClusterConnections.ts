import { LoggerService } from '@backstage/backend-plugin-api';
import pLimit from 'p-limit';
import { KubernetesClient } from '../../clients/KubernetesClient';
import { LokiClient } from '../../clients/LokiClient';
import { PrometheusClient } from '../../clients/PrometheusClient';
import {
  ClusterConfig,
  ObservabilityIrConfig,
} from '../../config/readObservabilityIrConfig';

/** The clients of one cluster; Prometheus and Loki only where configured. */
export interface ClusterConnection {
  name: string;
  kubernetes: KubernetesClient;
  prometheus?: PrometheusClient;
  loki?: LokiClient;
  /** Where this cluster's upstream failures are logged in full. */
  logger: LoggerService;
}

/**
 * One connection per configured cluster, made once and reused. Each
 * upstream of each cluster has its own concurrency limit, shared by every
 * request, so a burst of requests queues here instead of at the upstream.
 */
export class ClusterConnections {
  private readonly connections: ClusterConnection[];

  constructor(config: ObservabilityIrConfig, logger: LoggerService) {
    const { upstreamTimeoutMs: timeoutMs, limits } = config;
    this.connections = config.clusters.map((cluster: ClusterConfig) => ({
      name: cluster.name,
      logger: logger.child({ cluster: cluster.name }),
      kubernetes: new KubernetesClient({
        cluster,
        timeoutMs,
        maxBodyBytes: limits.responseBytes.kubernetes,
        concurrency: pLimit(limits.upstreamConcurrency),
      }),
      prometheus:
        cluster.prometheus &&
        new PrometheusClient({
          cluster: cluster.name,
          source: cluster.prometheus,
          timeoutMs,
          maxBodyBytes: limits.responseBytes.prometheus,
          maxSeries: limits.seriesPerQuery,
          concurrency: pLimit(limits.upstreamConcurrency),
        }),
      loki:
        cluster.loki &&
        new LokiClient({
          cluster: cluster.name,
          source: cluster.loki,
          timeoutMs,
          maxBodyBytes: limits.responseBytes.loki,
          maxLineLength: limits.logLineLength,
          concurrency: pLimit(limits.upstreamConcurrency),
        }),
    }));
  }

  /** Every cluster, or the one an entity's cluster annotation names. */
  forWorkload(cluster: string | undefined): ClusterConnection[] {
    return cluster
      ? this.connections.filter(c => c.name === cluster)
      : this.connections;
  }

  get names(): string[] {
    return this.connections.map(c => c.name);
  }
}
