import { mockServices } from '@backstage/backend-test-utils';
import type { KubernetesClient } from '../clients/KubernetesClient';
import { LokiClient } from '../clients/LokiClient';
import { PrometheusClient } from '../clients/PrometheusClient';
import type { ClusterConnection } from '../service/fanout/ClusterConnections';
import { resolveRange } from '../service/fanout/timeRange';
import { defaultClientLimits } from './fixtures';

/**
 * A cluster's connection for unit tests of the evidence collectors: real
 * Prometheus and Loki clients (usually against a stub server) where a URL
 * is given, and whichever Kubernetes calls the test fakes.
 */
export function testConnection(options: {
  name: string;
  kubernetes?: Partial<
    Pick<KubernetesClient, 'listPods' | 'listEvents' | 'readNode'>
  >;
  prometheusUrl?: string;
  lokiUrl?: string;
  /** The most series kept from one Prometheus answer. */
  maxSeries?: number;
  timeoutMs?: number;
}): ClusterConnection {
  const { name, prometheusUrl, lokiUrl, timeoutMs = 5_000 } = options;
  return {
    name,
    logger: mockServices.logger.mock(),
    kubernetes: {
      listPods: jest.fn(async () => []),
      listEvents: jest.fn(async () => []),
      readNode: jest.fn(async () => {
        throw new Error(`no node in this test`);
      }),
      ...options.kubernetes,
    } as unknown as KubernetesClient,
    prometheus:
      prometheusUrl === undefined
        ? undefined
        : new PrometheusClient({
            ...defaultClientLimits('prometheus'),
            ...(options.maxSeries ? { maxSeries: options.maxSeries } : {}),
            cluster: name,
            source: { url: prometheusUrl, headers: {} },
            timeoutMs,
          }),
    loki:
      lokiUrl === undefined
        ? undefined
        : new LokiClient({
            ...defaultClientLimits('loki'),
            cluster: name,
            source: { url: lokiUrl, headers: {} },
            timeoutMs,
          }),
  };
}

/** The range the backend resolves for explicit bounds, asked at `end`. */
export function rangeBetween(start: string, end: string) {
  return resolveRange({ start, end }, Date.parse(end));
}
