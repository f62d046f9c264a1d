/**
 * The path of `GET /v1/workload`, relative to the plugin's base URL.
 *
 * @public
 */
export const WORKLOAD_PATH = '/v1/workload';

/**
 * The paths of the evidence endpoints, relative to the plugin's base URL;
 * each takes an `EvidenceQuery`.
 *
 * @public
 */
export const EVIDENCE_PATHS = {
  replicas: '/v1/replicas',
  metrics: '/v1/metrics',
  logs: '/v1/logs',
  timeline: '/v1/timeline',
  diagnosis: '/v1/diagnosis',
  alerts: '/v1/alerts',
} as const;

/**
 * A kind of evidence, as named by its endpoint.
 *
 * @public
 */
export type EvidenceKind = keyof typeof EVIDENCE_PATHS;
