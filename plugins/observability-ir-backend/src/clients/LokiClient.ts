import type { Limit } from 'p-limit';
import {
  HttpSourceConfig,
  MAX_LOG_LINES,
} from '../config/readObservabilityIrConfig';
import { fetchUpstream, parseJsonBody } from './fetchUpstream';
import { UpstreamError } from './UpstreamError';
import { sanitizeUpstreamText } from './upstreamText';

/** A log stream: its labels and `[unix nanoseconds, line]` entries. */
export interface LokiStream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

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
      /** The most bytes read from one answer. */
      maxBodyBytes: number;
      /** Longer lines are cut to this many characters. */
      maxLineLength: number;
      /** Shared by every request to this Loki. */
      concurrency: Limit;
    },
  ) {}

  /**
   * `/loki/api/v1/query_range` for a log query, newest lines first (oldest
   * first with `direction: 'forward'`), each line cut to the configured
   * length.
   */
  queryRange(
    query: string,
    range: {
      startSeconds: number;
      endSeconds: number;
      limit: number;
      direction?: 'forward' | 'backward';
    },
  ): Promise<{ streams: LokiStream[]; warnings: string[] }> {
    return this.options.concurrency(() => this.send(query, range));
  }

  /**
   * `/loki/api/v1/series`: the label sets of the streams matching a
   * selector that had entries within the range.
   */
  series(
    selector: string,
    range: { startSeconds: number; endSeconds: number },
  ): Promise<Array<Record<string, string>>> {
    return this.options.concurrency(async () => {
      const { cluster, source, timeoutMs, maxBodyBytes } = this.options;
      const secrets = Object.values(source.headers);
      const response = await fetchUpstream({
        source: 'loki',
        cluster,
        url: `${source.url}/loki/api/v1/series`,
        headers: source.headers,
        form: new URLSearchParams({
          'match[]': selector,
          start: `${BigInt(Math.floor(range.startSeconds)) * 1_000_000_000n}`,
          end: `${BigInt(Math.ceil(range.endSeconds)) * 1_000_000_000n}`,
        }),
        timeoutMs,
        maxBodyBytes,
      });
      if (!response.ok) {
        throw new UpstreamError(
          'loki',
          cluster,
          `answered ${response.status}`,
          {
            status: response.status,
            upstreamText: response.body.trim() || response.statusText,
            secrets,
          },
        );
      }
      const envelope = parseJsonBody<{
        status: string;
        data?: Array<Record<string, string>>;
      }>(response, 'loki', cluster);
      if (envelope.status !== 'success' || !Array.isArray(envelope.data)) {
        throw new UpstreamError(
          'loki',
          cluster,
          'answered a series query with something other than label sets',
          { upstreamText: String(envelope.status) },
        );
      }
      return envelope.data;
    });
  }

  private async send(
    query: string,
    range: {
      startSeconds: number;
      endSeconds: number;
      limit: number;
      direction?: 'forward' | 'backward';
    },
  ): Promise<{ streams: LokiStream[]; warnings: string[] }> {
    const { cluster, source, timeoutMs, maxBodyBytes, maxLineLength } =
      this.options;
    const secrets = Object.values(source.headers);
    const limit = Math.min(Math.max(1, Math.floor(range.limit)), MAX_LOG_LINES);
    const form = new URLSearchParams({
      query,
      start: `${BigInt(Math.floor(range.startSeconds)) * 1_000_000_000n}`,
      end: `${BigInt(Math.ceil(range.endSeconds)) * 1_000_000_000n}`,
      limit: String(limit),
      direction: range.direction ?? 'backward',
    });
    const response = await fetchUpstream({
      source: 'loki',
      cluster,
      url: `${source.url}/loki/api/v1/query_range`,
      headers: source.headers,
      form,
      timeoutMs,
      maxBodyBytes,
    });
    if (!response.ok) {
      // Loki answers errors as plain text.
      throw new UpstreamError('loki', cluster, `answered ${response.status}`, {
        status: response.status,
        upstreamText: response.body.trim() || response.statusText,
        secrets,
      });
    }
    const envelope = parseJsonBody<Envelope>(response, 'loki', cluster);
    if (
      envelope.status !== 'success' ||
      envelope.data?.resultType !== 'streams'
    ) {
      throw new UpstreamError(
        'loki',
        cluster,
        'answered a log query with something other than streams',
        { upstreamText: `${envelope.status} / ${envelope.data?.resultType}` },
      );
    }
    const streams = (envelope.data.result as LokiStream[]).map(stream => ({
      stream: stream.stream,
      values: stream.values.map(([time, line]): [string, string] => [
        time,
        line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line,
      ]),
    }));
    return {
      streams,
      warnings: (envelope.warnings ?? []).map(w =>
        sanitizeUpstreamText(w, secrets),
      ),
    };
  }
}
