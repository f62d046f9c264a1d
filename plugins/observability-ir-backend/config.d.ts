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
     * Keep each Prometheus's range answers and, when the same query is
     * asked over a window that has moved on, ask only for the points after
     * those at least 5 minutes old when read. Only for a Prometheus whose
     * history is never rewritten (no series deleted, no blocks backfilled
     * or replaced): a kept point is never read again. Default false.
     */
    reuseRangeAnswers?: boolean;
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
        alertmanager?: number;
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
    /**
     * Node forensics: a Kubernetes Job on a pod's node that enters the
     * container's network namespace and reads its memory cgroup (see the
     * README's "Node forensics"). Off unless `enabled` is true; when on,
     * `image` is required. Nothing here is secret.
     */
    /** The guided runbook of an incident. */
    runbook?: {
      /** How a fix is verified before the incident closes. */
      verify?: {
        /**
         * How long the replicas must hold after a fix (no restart, Ready,
         * memory below the share of the limit). Default 15 minutes.
         */
        window?: HumanDuration | string;
        /**
         * The highest working set, as a share of the memory limit, that
         * passes. Default 0.9.
         */
        maxWorkingSetShare?: number;
      };
    };
    /** Fixes the portal makes. */
    fixes?: {
      /**
       * The highest memory limit a fix sets (a Kubernetes quantity), in
       * the cluster and in manifests. Default 16Gi.
       */
      maxMemoryLimit?: string;
    };
    forensics?: {
      /** Whether users may start node forensics runs. Default false. */
      enabled?: boolean;
      /** The namespace of the Jobs. Default `observability-ir-forensics`. */
      namespace?: string;
      /**
       * The image with the node-forensics script, pinned by digest:
       * `registry/name@sha256:<64 hex digits>` (a tag before the digest is
       * allowed; the digest decides). A tag alone is refused. Required when
       * enabled.
       */
      image?: string;
      /** Secrets in the Jobs' namespace for pulling the image. */
      imagePullSecrets?: string[];
      /**
       * The CRI socket on the nodes, mounted read-only. Default
       * `/run/containerd/containerd.sock` (CRI-O: `/var/run/crio/crio.sock`).
       */
      criSocketPath?: string;
      /** The cgroup mount on the nodes, mounted read-only. Default `/sys/fs/cgroup`. */
      cgroupRoot?: string;
      /**
       * Run the container privileged instead of with only SYS_ADMIN and
       * SYS_PTRACE, for runtimes or policies where those do not suffice.
       * Default false.
       */
      privileged?: boolean;
      /** Seconds a Job may run before Kubernetes stops it, 10 to 3600. Default 120. */
      activeDeadlineSeconds?: number;
      /**
       * Seconds a finished Job is kept before Kubernetes deletes it, 60 to
       * 604800, should the backend not delete it itself. Default 600.
       */
      ttlSecondsAfterFinished?: number;
      /**
       * The Jobs' tolerations. Default one toleration with `operator:
       * Exists`, tolerating every taint, so forensics runs on a tainted
       * (e.g. not-ready) node; `[]` respects every taint.
       */
      tolerations?: Array<{
        key?: string;
        /** `Exists` or `Equal` (default). */
        operator?: string;
        value?: string;
        /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`; every effect when absent. */
        effect?: string;
        /** Only with `NoExecute`. */
        tolerationSeconds?: number;
      }>;
      /**
       * A run for the same pod and container that is in flight or finished
       * within this time is answered instead of starting another. 1 second
       * to 24 hours; default 10 minutes.
       */
      dedupeWindow?: HumanDuration | string;
      /**
       * Job names are the same for the same pod and container within one
       * bucket of this length, so concurrent requests create one Job.
       * Default: the dedupe window.
       */
      timeBucket?: HumanDuration | string;
      /**
       * The container's requests and limits, as Kubernetes quantities.
       * Default requests 10m CPU and 32Mi memory, limits 250m and 128Mi.
       */
      resources?: {
        requests?: { cpu?: string | number; memory?: string };
        limits?: { cpu?: string | number; memory?: string };
      };
      limits?: {
        /** Runs in flight at once on one node, 1 to 10. Default 1. */
        runsPerNode?: number;
        /** Runs one user may start per hour, on average. Default 10. */
        userRunsPerHour?: number;
        /** Runs one user may start at once before the hourly rate applies. Default 3. */
        userBurst?: number;
      };
      /**
       * The Jobs' service account (e.g. for an image pull secret or an
       * admission policy keyed on it); its token is never mounted. Default
       * the namespace's `default`.
       */
      serviceAccountName?: string;
      /**
       * How long finished runs are kept before the scheduled upkeep deletes
       * them, 1 day to 10 years. Default 30 days.
       */
      retention?: HumanDuration | string;
    };
    /**
     * The fleet sweep behind `GET /v1/fleet/silent-outages`: every cluster
     * and namespace, on the Backstage scheduler (one replica at a time),
     * its result kept in the cache service.
     */
    fleet?: {
      /** Whether the sweep runs and the endpoint answers. Default true. */
      enabled?: boolean;
      /**
       * From this share of its memory limit, 0 to 1, a container's working
       * set is next to OOM. Default 0.9.
       */
      nearOomShare?: number;
      /**
       * The telemetry audit behind `GET /v1/fleet/telemetry`: every catalog
       * Component with Kubernetes annotations, on the Backstage scheduler,
       * its result kept in the cache service. Off with `fleet.enabled`.
       */
      telemetry?: {
        /** Whether the audit runs and the endpoint answers. Default true. */
        enabled?: boolean;
        /** How often the audit runs. Default 15 minutes. */
        frequency?: HumanDuration | string;
        /** The longest one audit may take. Default 10 minutes. */
        timeout?: HumanDuration | string;
        /** How long after start-up the first audit runs. Default 30 seconds. */
        initialDelay?: HumanDuration | string;
        /** Entities audited at the same time, 1 to 16. Default 4. */
        concurrency?: number;
      };
      sweep?: {
        /** How often the sweep runs. Default 5 minutes. */
        frequency?: HumanDuration | string;
        /** The longest one sweep may take. Default 4 minutes. */
        timeout?: HumanDuration | string;
        /** How long after start-up the first sweep runs. Default 15 seconds. */
        initialDelay?: HumanDuration | string;
        /** Pods per page of each cluster's list, 1 to 500. Default 500. */
        pageSize?: number;
      };
      notifications?: {
        /**
         * Whether the owning group of an entity the sweep finds OOMKilled
         * gets a Backstage notification, once per incident. Default true.
         */
        enabled?: boolean;
      };
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
      /**
       * The Alertmanager that the cluster's Prometheus sends alerts to;
       * optional (without it, alerts are read from Prometheus alone).
       */
      alertmanager?: {
        /** Base URL of Alertmanager, without `/api/v2`. */
        url: string;
        /**
         * Headers sent with every request, e.g. `Authorization`.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /** Sent as `X-Scope-OrgID`, for a multi-tenant Mimir Alertmanager. */
        tenant?: string;
      };
    }>;
  };
}
