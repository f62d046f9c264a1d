export interface Config {
  observabilityIr?: {
    /** Grafana, for links that open the Incident tab's queries in Explore. */
    grafana?: {
      /**
       * Base URL of Grafana, e.g. `https://grafana.example.com`. When set, the
       * error log panel links its LogQL to Grafana Explore.
       * @visibility frontend
       */
      url?: string;
      /**
       * UID of the Loki data source in Grafana; Grafana's default data
       * source when absent.
       * @visibility frontend
       */
      lokiDatasource?: string;
    };
    /**
     * Per cluster (the names of the backend's `observabilityIr.clusters`),
     * a Grafana over the global one: its links open that cluster's queries.
     */
    clusters?: Array<{
      /**
       * The cluster's name, as its queries name it.
       * @visibility frontend
       */
      name: string;
      /**
       * The cluster's Grafana, field by field over `observabilityIr.grafana`;
       * with a `url` of its own, the global `lokiDatasource` is not taken.
       */
      grafana?: {
        /**
         * Base URL of the Grafana of this cluster.
         * @visibility frontend
         */
        url?: string;
        /**
         * UID of the Loki data source of this cluster in its Grafana.
         * @visibility frontend
         */
        lokiDatasource?: string;
      };
    }>;
  };
}
