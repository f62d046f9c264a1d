import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The observability-ir backend: where each Kubernetes cluster's metrics and
   * logs live. Clusters themselves (URL, credentials) come from the
   * `kubernetes` block, as for the stock Kubernetes plugin.
   */
  observabilityIr?: {
    /**
     * How long an answer from the upstreams is reused for identical
     * requests. Default 15 seconds.
     */
    cacheTtl?: HumanDuration | string;
    /**
     * How long to wait for one upstream request; kept below the servers'
     * own query timeouts so a slow source fails fast with a clear error.
     * Default 10 seconds.
     */
    upstreamTimeout?: HumanDuration | string;
    /** Prometheus, Loki and Grafana per cluster, by the cluster's name. */
    clusters?: Array<{
      /** The name of a cluster in `kubernetes.clusterLocatorMethods`. */
      name: string;
      prometheus?: {
        /** Base URL of the Prometheus HTTP API, without `/api/v1`. */
        url: string;
        /**
         * Headers sent with every request, e.g. `Authorization`.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /** Sent as `X-Scope-OrgID`, for multi-tenant Mimir or Cortex. */
        tenant?: string;
      };
      loki?: {
        /** Base URL of Loki, without `/loki/api/v1`. */
        url: string;
        /**
         * Headers sent with every request, e.g. `Authorization`.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /** Sent as `X-Scope-OrgID`. */
        tenant?: string;
      };
    }>;
  };
}
