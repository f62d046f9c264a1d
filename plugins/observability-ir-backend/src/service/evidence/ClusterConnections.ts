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
}

/** One connection per configured cluster, made once and reused. */
export class ClusterConnections {
  private readonly connections: ClusterConnection[];

  constructor(config: ObservabilityIrConfig) {
    const timeoutMs = config.upstreamTimeoutMs;
    this.connections = config.clusters.map((cluster: ClusterConfig) => ({
      name: cluster.name,
      kubernetes: new KubernetesClient({ cluster, timeoutMs }),
      prometheus:
        cluster.prometheus &&
        new PrometheusClient({
          cluster: cluster.name,
          source: cluster.prometheus,
          timeoutMs,
        }),
      loki:
        cluster.loki &&
        new LokiClient({
          cluster: cluster.name,
          source: cluster.loki,
          timeoutMs,
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
