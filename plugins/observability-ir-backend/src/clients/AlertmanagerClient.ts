import type { Limit } from 'p-limit';
import { HttpSourceConfig } from '../config/readObservabilityIrConfig';
import { fetchUpstream, parseJsonBody } from './fetchUpstream';
import { stringRecord } from './PrometheusClient';
import { UpstreamError } from './UpstreamError';

/** An alert Alertmanager holds, as `/api/v2/alerts` lists it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339: when it started firing. */
  startsAt?: string;
  /** `active`, `suppressed` or `unprocessed`. */
  state?: string;
}

/**
 * Reads one cluster's Alertmanager through its API v2. Only filters built
 * by this plugin's query builders reach it.
 */
export class AlertmanagerClient {
  constructor(
    private readonly options: {
      cluster: string;
      source: HttpSourceConfig;
      timeoutMs: number;
      /** The most bytes read from one answer. */
      maxBodyBytes: number;
      /** The most alerts kept from one answer. */
      maxAlerts: number;
      /** Shared by every request to this Alertmanager. */
      concurrency: Limit;
    },
  ) {}

  /**
   * `/api/v2/alerts` with one `filter` per matcher: the alerts it holds
   * that every matcher selects (silenced and inhibited ones included).
   */
  async alerts(
    filter: readonly string[],
  ): Promise<{ alerts: AlertmanagerAlert[]; warnings: string[] }> {
    const { cluster, source, timeoutMs, maxBodyBytes, maxAlerts } =
      this.options;
    const params = new URLSearchParams();
    for (const matcher of filter) params.append('filter', matcher);
    const response = await this.options.concurrency(() =>
      fetchUpstream({
        source: 'alertmanager',
        cluster,
        url: `${source.url}/api/v2/alerts?${params}`,
        method: 'GET',
        headers: source.headers,
        timeoutMs,
        maxBodyBytes,
      }),
    );
    const body = parseJsonBody<unknown>(response, 'alertmanager', cluster);
    if (!response.ok || !Array.isArray(body)) {
      const text =
        typeof body === 'string'
          ? body
          : (body as { message?: unknown } | null)?.message;
      throw new UpstreamError(
        'alertmanager',
        cluster,
        `answered ${response.status}`,
        {
          status: response.status,
          upstreamText: typeof text === 'string' ? text : 'no reason given',
          secrets: Object.values(source.headers),
        },
      );
    }
    const alerts = (body as Array<Record<string, unknown>>).map(a => ({
      labels: stringRecord(a.labels),
      annotations: stringRecord(a.annotations),
      ...(typeof a.startsAt === 'string' ? { startsAt: a.startsAt } : {}),
      ...(typeof (a.status as { state?: unknown } | undefined)?.state ===
      'string'
        ? { state: (a.status as { state: string }).state }
        : {}),
    }));
    const warnings =
      alerts.length > maxAlerts
        ? [
            `${alerts.length} alerts answered, only the first ${maxAlerts} are used`,
          ]
        : [];
    return { alerts: alerts.slice(0, maxAlerts), warnings };
  }
}
