import type { Limit } from 'p-limit';
import { HttpSourceConfig } from '../config/readObservabilityIrConfig';
import { fetchUpstream, parseJsonBody } from './fetchUpstream';
import { RangeAnswers } from './RangeAnswers';
import { UpstreamError } from './UpstreamError';
import { sanitizeUpstreamText } from './upstreamText';

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

/** A scrape target of `/api/v1/targets`, as Prometheus lists it. */
export interface PrometheusTarget {
  labels: Record<string, string>;
  discoveredLabels?: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  /** Empty when the last scrape succeeded. */
  lastError: string;
  /** RFC 3339. */
  lastScrape: string;
  health: 'up' | 'down' | 'unknown';
}

/** An alert of `/api/v1/alerts`, pending or firing now. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  /** RFC 3339: when the alert became pending. */
  activeAt?: string;
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

/**
 * A sample value as Prometheus writes it in JSON: a decimal string, or
 * `+Inf`, `-Inf` and `NaN`, which `Number()` alone does not all read.
 */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** The string values of a JSON object; anything else is dropped. */
export function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string') result[key] = v;
    }
  }
  return result;
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
      /** The most bytes read from one answer. */
      maxBodyBytes: number;
      /** The most series kept from one answer; the rest are dropped. */
      maxSeries: number;
      /** Shared by every request to this Prometheus. */
      concurrency: Limit;
      /** Range answers kept to be reused when the window moves on. */
      rangeAnswers?: RangeAnswers;
    },
  ) {}

  /**
   * `/api/v1/query_range`. With `rangeAnswers`, a query asked before over
   * a window that has since moved on asks only for what is new.
   */
  async queryRange(
    query: string,
    range: { startSeconds: number; endSeconds: number; stepSeconds: number },
  ): Promise<PrometheusResult<PrometheusMatrixSeries[]>> {
    const grid = {
      startSeconds: range.startSeconds,
      endSeconds: range.endSeconds,
      stepSeconds: clampStep(
        range.startSeconds,
        range.endSeconds,
        range.stepSeconds,
      ),
    };
    const { rangeAnswers } = this.options;
    const plan = rangeAnswers?.plan(query, grid);
    const asked = plan
      ? plan.ask && (await this.askRange(query, plan.ask))
      : await this.askRange(query, grid);
    if (!plan) {
      return asked!;
    }
    if (!asked) {
      // Every point had settled when it was read: nothing to ask.
      return { data: plan.complete([]), warnings: [] };
    }
    const data = plan.complete(asked.data);
    if (asked.warnings.length === 0 && data.length <= this.options.maxSeries) {
      rangeAnswers!.keep(query, grid, data);
    }
    return { data, warnings: asked.warnings };
  }

  private async askRange(
    query: string,
    range: { startSeconds: number; endSeconds: number; stepSeconds: number },
  ): Promise<PrometheusResult<PrometheusMatrixSeries[]>> {
    const envelope = await this.post('query_range', {
      query,
      start: String(range.startSeconds),
      end: String(range.endSeconds),
      step: String(range.stepSeconds),
    });
    if (envelope.data?.resultType !== 'matrix') {
      throw this.error(
        `answered a range query with a ${envelope.data?.resultType} result`,
      );
    }
    const result = envelope.data.result as Array<{
      metric: Record<string, string>;
      values: Array<[number, string]>;
    }>;
    const series = this.capSeries(result, envelope).map(s => ({
      metric: s.metric,
      values: s.values.map(
        ([t, v]) => [t, parseSampleValue(v)] as [number, number],
      ),
    }));
    return { data: series, warnings: this.warningsOf(envelope) };
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
    const result = envelope.data.result as Array<{
      metric: Record<string, string>;
      value: [number, string];
    }>;
    const samples = this.capSeries(result, envelope).map(s => ({
      metric: s.metric,
      value: [s.value[0], parseSampleValue(s.value[1])] as [number, number],
    }));
    return { data: samples, warnings: this.warningsOf(envelope) };
  }

  /**
   * `/api/v1/targets?state=active`: the targets service discovery found
   * and Prometheus scrapes, with the health of their last scrape.
   */
  async activeTargets(): Promise<PrometheusTarget[]> {
    const { cluster, source, timeoutMs, maxBodyBytes } = this.options;
    const response = await this.options.concurrency(() =>
      fetchUpstream({
        source: 'prometheus',
        cluster,
        url: `${source.url}/api/v1/targets?state=active`,
        method: 'GET',
        headers: source.headers,
        timeoutMs,
        maxBodyBytes,
      }),
    );
    const envelope = parseJsonBody<{
      status: string;
      data?: { activeTargets?: PrometheusTarget[] | null };
      errorType?: string;
      error?: string;
    }>(response, 'prometheus', cluster);
    if (envelope.status !== 'success' || !response.ok) {
      throw this.error(
        `answered ${response.status} ${envelope.errorType ?? 'error'}`,
        response.status,
        envelope.error ?? 'no reason given',
      );
    }
    return (envelope.data?.activeTargets ?? []).map(t => ({
      labels: t.labels ?? {},
      discoveredLabels: t.discoveredLabels,
      scrapePool: t.scrapePool ?? '',
      scrapeUrl: t.scrapeUrl ?? '',
      lastError: sanitizeUpstreamText(
        t.lastError ?? '',
        Object.values(source.headers),
      ),
      lastScrape: t.lastScrape ?? '',
      health: t.health ?? 'unknown',
    }));
  }

  /**
   * `/api/v1/alerts`: the alerts pending or firing now, at most
   * `maxSeries` of them (a warning says how many were dropped).
   */
  async alerts(): Promise<PrometheusResult<PrometheusAlert[]>> {
    const { cluster, source, timeoutMs, maxBodyBytes } = this.options;
    const response = await this.options.concurrency(() =>
      fetchUpstream({
        source: 'prometheus',
        cluster,
        url: `${source.url}/api/v1/alerts`,
        method: 'GET',
        headers: source.headers,
        timeoutMs,
        maxBodyBytes,
      }),
    );
    const envelope = parseJsonBody<
      Omit<Envelope, 'data'> & { data?: { alerts?: unknown[] | null } }
    >(response, 'prometheus', cluster);
    if (envelope.status !== 'success' || !response.ok) {
      throw this.error(
        `answered ${response.status} ${envelope.errorType ?? 'error'}`,
        response.status,
        envelope.error ?? 'no reason given',
      );
    }
    const raw = (envelope.data?.alerts ?? []) as Array<
      Partial<PrometheusAlert>
    >;
    const alerts = this.capSeries(raw, envelope as Envelope).flatMap(a =>
      a.state === 'pending' || a.state === 'firing'
        ? [
            {
              labels: stringRecord(a.labels),
              annotations: stringRecord(a.annotations),
              state: a.state,
              ...(typeof a.activeAt === 'string'
                ? { activeAt: a.activeAt }
                : {}),
            },
          ]
        : [],
    );
    return { data: alerts, warnings: this.warningsOf(envelope as Envelope) };
  }

  /** Keeps at most `maxSeries` series, and says so when it drops some. */
  private capSeries<T>(result: T[], envelope: Envelope): T[] {
    const { maxSeries } = this.options;
    if (result.length <= maxSeries) {
      return result;
    }
    envelope.warnings = [
      ...(envelope.warnings ?? []),
      `${result.length} series answered, only the first ${maxSeries} are used (observabilityIr.limits.seriesPerQuery)`,
    ];
    return result.slice(0, maxSeries);
  }

  private warningsOf(envelope: Envelope): string[] {
    return (envelope.warnings ?? []).map(w =>
      sanitizeUpstreamText(w, Object.values(this.options.source.headers)),
    );
  }

  private post(endpoint: string, params: Record<string, string>) {
    return this.options.concurrency(() => this.send(endpoint, params));
  }

  private async send(endpoint: string, params: Record<string, string>) {
    const { cluster, source, timeoutMs, maxBodyBytes } = this.options;
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
      maxBodyBytes,
    });
    const envelope = parseJsonBody<Envelope>(response, 'prometheus', cluster);
    if (envelope.status !== 'success') {
      throw this.error(
        `answered ${response.status} ${envelope.errorType ?? 'error'}`,
        response.status,
        envelope.error ?? 'no reason given',
      );
    }
    if (!response.ok) {
      throw this.error(`answered ${response.status}`, response.status);
    }
    return envelope;
  }

  private error(reason: string, status?: number, upstreamText?: string) {
    return new UpstreamError('prometheus', this.options.cluster, reason, {
      status,
      upstreamText,
      secrets: Object.values(this.options.source.headers),
    });
  }
}
