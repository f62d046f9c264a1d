import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The observability-ir backend: where each Kubernetes cluster's metrics and
   * logs live. Clusters themselves (URL, credentials) come from the cluster
   * locators of `kubernetes.clusterLocatorMethods` (`config`, `catalog`,
   * `localKubectlProxy`) and its auth providers, as for the stock
   * Kubernetes plugin.
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
    /**
     * Which owners may claim which Kubernetes namespaces. When any rule is
     * set, an entity whose owner (`spec.owner`) is not among the owners of
     * the namespace it names is refused (403, saying why), and an entity
     * that names no namespace reads only namespaces given to its owner
     * (platform teams, with `observability-ir.incident.read-all-namespaces`,
     * read all). Without any rule, the catalog alone decides: whoever owns
     * an entity reads the namespaces its annotations name.
     */
    namespaceOwners?: Array<{
      /** A cluster of the kubernetes block; every cluster when absent or `*`. */
      cluster?: string;
      /** The namespace name. */
      namespace: string;
      /** Entity refs of the owners, e.g. `group:default/finance-team`. */
      owners: string[];
    }>;
    /** What one request may cost; every limit has a default. */
    limits?: {
      /**
       * The most bytes read from one upstream answer, per source; a larger
       * answer fails that source with an error saying so. For Kubernetes,
       * per page of a list (500 objects). Default 33554432 (32 MiB) each.
       */
      responseBytes?: {
        kubernetes?: number;
        prometheus?: number;
        loki?: number;
      };
      /** Longer log lines are cut to this many characters. Default 4096. */
      logLineLength?: number;
      /** The most log lines asked of Loki per query, 1 to 5000. Default 5000. */
      logLines?: number;
      /**
       * The most pod groups (namespace and Deployment) per cluster that
       * Prometheus and Loki are asked about. Default 20.
       */
      scopes?: number;
      /** The most series kept from one Prometheus query. Default 500. */
      seriesPerQuery?: number;
      /** Requests in flight at once to each source of each cluster. Default 32. */
      upstreamConcurrency?: number;
      /** The most bytes of answers the evidence cache holds. Default 268435456 (256 MiB). */
      cacheBytes?: number;
      /**
       * Requests a minute one user (or calling service) may make, on
       * average; more are answered 429 with Retry-After. Default 300.
       */
      userRequestsPerMinute?: number;
      /** Requests one user may make at once before the rate applies. Default 60. */
      userBurst?: number;
    };
    /** Prometheus, Loki and Grafana per cluster, by the cluster's name. */
    clusters?: Array<{
      /**
       * The name a cluster locator of `kubernetes.clusterLocatorMethods`
       * gives the cluster (a `config` entry's name, a catalog Resource's
       * name, `local` for `localKubectlProxy`).
       */
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
