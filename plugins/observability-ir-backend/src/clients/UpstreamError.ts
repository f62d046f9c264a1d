import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';
import { redactSecrets, sanitizeUpstreamText } from './upstreamText';

const SOURCE_TITLES: Record<EvidenceSource, string> = {
  kubernetes: 'Kubernetes API',
  prometheus: 'Prometheus',
  loki: 'Loki',
  alertmanager: 'Alertmanager',
};

/** The most characters of upstream text kept for the backend log. */
const MAX_DETAIL_LENGTH = 4096;

/** What an {@link UpstreamError} carries besides its reason. */
export interface UpstreamErrorOptions {
  /** The HTTP status the upstream answered, if it answered. */
  status?: number;
  /**
   * What the upstream said (an error body, a `Status` message). Shown to
   * the user redacted and shortened after the reason; kept in
   * {@link UpstreamError.detail} for the log.
   */
  upstreamText?: string;
  /** Values that must never be shown, e.g. the configured tokens. */
  secrets?: readonly string[];
}

/**
 * A failure of one upstream of one cluster. Its message names both, and
 * the status, so the user reads which source failed and why; any text the
 * upstream sent is redacted and cut short in the message, and kept longer
 * in `detail` for the backend log.
 */
export class UpstreamError extends Error {
  readonly name = 'UpstreamError';
  readonly status?: number;
  /** The reason with the upstream's own text, for the backend log. */
  readonly detail: string;

  constructor(
    readonly source: EvidenceSource,
    readonly cluster: string,
    reason: string,
    options: UpstreamErrorOptions = {},
  ) {
    const { status, upstreamText, secrets } = options;
    const prefix = `${SOURCE_TITLES[source]} of cluster ${cluster}: ${reason}`;
    const shown = upstreamText
      ? sanitizeUpstreamText(upstreamText, secrets)
      : '';
    super(shown ? `${prefix}: ${shown}` : prefix);
    this.status = status;
    this.detail = upstreamText
      ? `${prefix}: ${redactSecrets(upstreamText, secrets).slice(
          0,
          MAX_DETAIL_LENGTH,
        )}`
      : prefix;
  }
}
