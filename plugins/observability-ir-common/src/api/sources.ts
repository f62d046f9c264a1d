/**
 * The upstreams that evidence comes from.
 *
 * @public
 */
export type EvidenceSource =
  | 'kubernetes'
  | 'prometheus'
  | 'loki'
  | 'alertmanager';

/**
 * How one upstream of one cluster answered. Every evidence response lists
 * one per cluster and source it needed, so a failing source never hides the
 * others.
 *
 * @public
 */
export interface SourceStatus {
  cluster: string;
  source: EvidenceSource;
  /**
   * `ok`: answered. `error`: failed; `error` says why.
   * `not-configured`: the cluster has no such source configured.
   */
  status: 'ok' | 'error' | 'not-configured';
  /** What went wrong, naming the source. */
  error?: string;
  /** Warnings the upstream returned with its answer (Prometheus, Loki). */
  warnings?: string[];
}
