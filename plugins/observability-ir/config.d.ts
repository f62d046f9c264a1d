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
  };
}
