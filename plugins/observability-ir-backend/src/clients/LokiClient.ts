import { HttpSourceConfig } from '../config/readObservabilityIrConfig';
import { fetchUpstream, readJson } from './fetchUpstream';
import { UpstreamError } from './UpstreamError';

/** A log stream: its labels and `[unix nanoseconds, line]` entries. */
export interface LokiStream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

/** The most lines one query asks Loki for. */
export const MAX_LOG_LINES = 5000;

interface Envelope {
  status: string;
  data?: { resultType: string; result: unknown[] };
  warnings?: string[];
}

/**
 * Queries one cluster's Loki through its HTTP API. Only queries built by
 * this plugin's query builders reach it.
 */
export class LokiClient {
  constructor(
    private readonly options: {
      cluster: string;
      source: HttpSourceConfig;
      timeoutMs: number;
    },
  ) {}

  /** `/loki/api/v1/query_range` for a log query, newest lines first. */
  async queryRange(
    query: string,
    range: { startSeconds: number; endSeconds: number; limit: number },
  ): Promise<{ streams: LokiStream[]; warnings: string[] }> {
    const { cluster, source, timeoutMs } = this.options;
    const limit = Math.min(Math.max(1, Math.floor(range.limit)), MAX_LOG_LINES);
    const form = new URLSearchParams({
      query,
      start: `${BigInt(Math.floor(range.startSeconds)) * 1_000_000_000n}`,
      end: `${BigInt(Math.ceil(range.endSeconds)) * 1_000_000_000n}`,
      limit: String(limit),
      direction: 'backward',
    });
    const response = await fetchUpstream({
      source: 'loki',
      cluster,
      url: `${source.url}/loki/api/v1/query_range`,
      headers: source.headers,
      form,
      timeoutMs,
    });
    if (!response.ok) {
      // Loki answers errors as plain text.
      const reason = (await response.text()).trim().slice(0, 500);
      throw new UpstreamError(
        'loki',
        cluster,
        `answered ${response.status}: ${reason || response.statusText}`,
        response.status,
      );
    }
    const envelope = await readJson<Envelope>(response, 'loki', cluster);
    if (
      envelope.status !== 'success' ||
      envelope.data?.resultType !== 'streams'
    ) {
      throw new UpstreamError(
        'loki',
        cluster,
        `answered a log query with ${envelope.status} / ${envelope.data?.resultType}`,
      );
    }
    return {
      streams: envelope.data.result as LokiStream[],
      warnings: envelope.warnings ?? [],
    };
  }
}
