import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';

const SOURCE_TITLES: Record<EvidenceSource, string> = {
  kubernetes: 'Kubernetes API',
  prometheus: 'Prometheus',
  loki: 'Loki',
};

/**
 * A failure of one upstream of one cluster. Its message names both, so the
 * user reads which source failed and why.
 */
export class UpstreamError extends Error {
  readonly name = 'UpstreamError';

  constructor(
    readonly source: EvidenceSource,
    readonly cluster: string,
    reason: string,
    readonly status?: number,
  ) {
    super(`${SOURCE_TITLES[source]} of cluster ${cluster}: ${reason}`);
  }
}
