export interface Config {
  observabilityIr?: {
    /** The memory-limit fixes of the scaffolder actions. */
    fixes?: {
      /**
       * The largest memory limit `observability:memory-limit:raise` and
       * `observability:memory-limit:apply` set, as a Kubernetes quantity; a
       * larger one is refused. Default `16Gi`.
       */
      maxMemoryLimit?: string;
    };
  };
}
