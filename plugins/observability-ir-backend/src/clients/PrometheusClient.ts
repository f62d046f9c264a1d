import { HttpSourceConfig } from '../config/readObservabilityIrConfig';
import { fetchUpstream, readJson } from './fetchUpstream';
import { UpstreamError } from './UpstreamError';

/** A series of a range query: labels and `[unix seconds, value]` points. */
export interface PrometheusMatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/** A sample of an instant query. */
export interface PrometheusVectorSample {
  metric: Record<string, string>;
  value: [number, number];
}

/** An answer, with the warnings Prometheus attached to it. */
export interface PrometheusResult<T> {
  data: T;
  warnings: string[];
}

interface Envelope {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown[] };
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

// Prometheus refuses range queries of more than 11,000 points per series.
const MAX_POINTS = 11_000;

/**
 * Smallest step that keeps a range within Prometheus' point limit, never
 * below `minimumStepSeconds`.
 */
export function clampStep(
  startSeconds: number,
  endSeconds: number,
  stepSeconds: number,
  minimumStepSeconds = 1,
) {
  const floor = Math.ceil((endSeconds - startSeconds) / MAX_POINTS);
  return Math.max(stepSeconds, floor, minimumStepSeconds);
}

/**
 * Queries one cluster's Prometheus through its HTTP API. Only queries built
 * by this plugin's query builders reach it.
 */
export class PrometheusClient {
  constructor(
    private readonly options: {
      cluster: string;
      source: HttpSourceConfig;
      timeoutMs: number;
    },
  ) {}

  /** `/api/v1/query_range`. */
  async queryRange(
    query: string,
    range: { startSeconds: number; endSeconds: number; stepSeconds: number },
  ): Promise<PrometheusResult<PrometheusMatrixSeries[]>> {
    const step = clampStep(
      range.startSeconds,
      range.endSeconds,
      range.stepSeconds,
    );
    const envelope = await this.post('query_range', {
      query,
      start: String(range.startSeconds),
      end: String(range.endSeconds),
      step: String(step),
    });
    if (envelope.data?.resultType !== 'matrix') {
      throw this.error(
        `answered a range query with a ${envelope.data?.resultType} result`,
      );
    }
    const series = (
      envelope.data.result as Array<{
        metric: Record<string, string>;
        values: Array<[number, string]>;
      }>
    ).map(s => ({
      metric: s.metric,
      values: s.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
    return { data: series, warnings: envelope.warnings ?? [] };
  }

  /** `/api/v1/query` at one instant. */
  async query(
    query: string,
    timeSeconds: number,
  ): Promise<PrometheusResult<PrometheusVectorSample[]>> {
    const envelope = await this.post('query', {
      query,
      time: String(timeSeconds),
    });
    if (envelope.data?.resultType !== 'vector') {
      throw this.error(
        `answered an instant query with a ${envelope.data?.resultType} result`,
      );
    }
    const samples = (
      envelope.data.result as Array<{
        metric: Record<string, string>;
        value: [number, string];
      }>
    ).map(s => ({
      metric: s.metric,
      value: [s.value[0], Number(s.value[1])] as [number, number],
    }));
    return { data: samples, warnings: envelope.warnings ?? [] };
  }

  private async post(endpoint: string, params: Record<string, string>) {
    const { cluster, source, timeoutMs } = this.options;
    // Prometheus stops evaluating at its own `timeout`; ask it to stop just
    // before this client gives up, so no abandoned query keeps running.
    const form = new URLSearchParams({
      ...params,
      timeout: `${Math.max(1, Math.floor(timeoutMs / 1000) - 1)}s`,
    });
    const response = await fetchUpstream({
      source: 'prometheus',
      cluster,
      url: `${source.url}/api/v1/${endpoint}`,
      headers: source.headers,
      form,
      timeoutMs,
    });
    const envelope = await readJson<Envelope>(response, 'prometheus', cluster);
    if (envelope.status !== 'success') {
      throw this.error(
        `${envelope.errorType ?? 'error'}: ${
          envelope.error ?? 'no reason given'
        }`,
        response.status,
      );
    }
    if (!response.ok) {
      throw this.error(`answered ${response.status}`, response.status);
    }
    return envelope;
  }

  private error(reason: string, status?: number) {
    return new UpstreamError(
      'prometheus',
      this.options.cluster,
      reason,
      status,
    );
  }
}
