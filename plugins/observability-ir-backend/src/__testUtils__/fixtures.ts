import type { Sandbox } from '@observability-ir/sandbox-cluster';
import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';
import pLimit from 'p-limit';
import { DEFAULT_LIMITS } from '../config/readObservabilityIrConfig';

/** The lab's service, annotated as the demo catalog annotates it. */
export const checkoutApiEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout-api',
      'backstage.io/kubernetes-namespace': 'finance',
    },
  },
  spec: { type: 'service', owner: 'finance-team', lifecycle: 'production' },
};

/** Where one cluster's APIs are; Prometheus, Loki and Alertmanager may be left out. */
export interface ClusterUrls {
  name: string;
  kubernetesUrl: string;
  prometheusUrl?: string;
  lokiUrl?: string;
  alertmanagerUrl?: string;
}

/**
 * Backend configuration for clusters: the `kubernetes` block and the
 * plugin's Prometheus and Loki settings, as a deployment would write them.
 */
export function clustersConfig(
  clusters: ClusterUrls[],
  options: { token?: string; upstreamTimeout?: string } = {},
) {
  return {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(c => ({
            name: c.name,
            url: c.kubernetesUrl,
            authProvider: 'serviceAccount',
            serviceAccountToken: options.token ?? 'token',
            // The sandbox speaks plain http, which the client only accepts so.
            skipTLSVerify: true,
          })),
        },
      ],
    },
    observabilityIr: {
      ...(options.upstreamTimeout
        ? { upstreamTimeout: options.upstreamTimeout }
        : {}),
      clusters: clusters.map(c => ({
        name: c.name,
        ...(c.prometheusUrl ? { prometheus: { url: c.prometheusUrl } } : {}),
        ...(c.lokiUrl ? { loki: { url: c.lokiUrl } } : {}),
        ...(c.alertmanagerUrl
          ? { alertmanager: { url: c.alertmanagerUrl } }
          : {}),
      })),
    },
  };
}

/** Backend configuration for every cluster of a sandbox. */
export function sandboxConfig(sandbox: Sandbox) {
  return clustersConfig(sandbox.clusters, { token: sandbox.token });
}

/**
 * The limits a client is built with in a deployment, at their defaults:
 * body caps, series cap, line length and a concurrency limit of its own.
 */
export function defaultClientLimits(source: EvidenceSource) {
  return {
    maxBodyBytes: DEFAULT_LIMITS.responseBytes[source],
    maxSeries: DEFAULT_LIMITS.seriesPerQuery,
    maxLineLength: DEFAULT_LIMITS.logLineLength,
    concurrency: pLimit(DEFAULT_LIMITS.upstreamConcurrency),
  };
}
