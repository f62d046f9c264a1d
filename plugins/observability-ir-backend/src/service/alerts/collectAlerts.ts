import {
  AlertOrigin,
  ExecutedQuery,
  IncidentAlert,
  MAX_ALERTS,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { AlertmanagerAlert } from '../../clients/AlertmanagerClient';
import {
  PrometheusAlert,
  PrometheusMatrixSeries,
  PrometheusResult,
} from '../../clients/PrometheusClient';
import { redactSecrets, shortenText } from '../../clients/upstreamText';
import {
  alertConcernsScope,
  alertmanagerFilter,
  firingAlerts,
  PodScope,
} from '../../queries';
import { ClusterConnection } from '../fanout/ClusterConnections';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';
import {
  asSpeculated,
  reconcile,
  SpeculatedWorkload,
  SpeculationCounters,
} from '../fanout/speculation';
import { ResolvedRange } from '../fanout/timeRange';

/** The most labels an alert carries in the answer. */
export const MAX_ALERT_LABELS = 20;
/** The most characters of a label value kept. */
export const MAX_LABEL_VALUE_LENGTH = 100;
/** The most characters kept of a `summary` annotation. */
export const MAX_SUMMARY_LENGTH = 200;
/** The most characters kept of a `description` annotation. */
export const MAX_DESCRIPTION_LENGTH = 400;

/** Alerts of an entity over a range, as collected from every cluster. */
export interface CollectedAlerts {
  alerts: IncidentAlert[];
  truncated: boolean;
  queries: ExecutedQuery[];
  sources: SourceStatus[];
}

// Labels that say how an alert was read, not which alert it is.
const NOT_IDENTITY = new Set(['alertstate', '__name__']);

function identityLabels(labels: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(labels)
      .filter(([name]) => !NOT_IDENTITY.has(name))
      // Code-unit order, the same whatever the locale.
      .sort(([a], [b]) => Number(a > b) - Number(a < b)),
  );
}

function keyOf(labels: Record<string, string>) {
  return JSON.stringify(identityLabels(labels));
}

/** One alert while it is merged from the sources of one cluster. */
interface Draft {
  key: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: IncidentAlert['state'];
  startMs: number;
  /** The start is the range's: it fired before, since when is unknown. */
  startClamped: boolean;
  endMs?: number;
  origins: Set<AlertOrigin>;
}

/**
 * The firing intervals of one `ALERTS` series: runs of points no more
 * than one and a half steps apart. A run that reaches the last step before
 * `openFromSeconds` is still firing.
 */
export function firingIntervals(
  series: PrometheusMatrixSeries,
  range: ResolvedRange,
  openFromSeconds: number,
): Array<{ startSeconds: number; endSeconds?: number; clamped: boolean }> {
  const times = series.values
    .filter(([, value]) => Number.isFinite(value) && value > 0)
    .map(([t]) => t)
    .sort((a, b) => a - b);
  const gap = range.stepSeconds * 1.5;
  const runs: Array<{ start: number; end: number }> = [];
  for (const t of times) {
    const last = runs[runs.length - 1];
    if (last && t - last.end <= gap) last.end = t;
    else runs.push({ start: t, end: t });
  }
  return runs.map(({ start, end }) => ({
    startSeconds: start,
    ...(end >= openFromSeconds ? {} : { endSeconds: end }),
    clamped: start - range.startSeconds < gap,
  }));
}

function isSubset(
  small: Record<string, string>,
  large: Record<string, string>,
): boolean {
  return Object.entries(small).every(([k, v]) => large[k] === v);
}

function concernsAny(labels: Record<string, string>, scopes: PodScope[]) {
  return scopes.some(scope => alertConcernsScope(labels, scope));
}

function parseTime(text: string | undefined): number | undefined {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * Merges what one cluster's sources said into one list: the `ALERTS`
 * history's intervals, then the alerts pending or firing now at Prometheus,
 * then those Alertmanager holds, an alert of a later source joining the
 * open interval of the same alert (Alertmanager's labels may add the
 * Prometheus' external labels).
 */
export function mergeClusterAlerts(input: {
  history: PrometheusMatrixSeries[];
  live: PrometheusAlert[];
  alertmanager: AlertmanagerAlert[];
  range: ResolvedRange;
  openFromSeconds: number;
}): Draft[] {
  const drafts: Draft[] = [];
  for (const series of input.history) {
    const labels = identityLabels(series.metric);
    for (const interval of firingIntervals(
      series,
      input.range,
      input.openFromSeconds,
    )) {
      drafts.push({
        key: keyOf(labels),
        labels,
        annotations: {},
        state: interval.endSeconds === undefined ? 'firing' : 'resolved',
        startMs: interval.startSeconds * 1000,
        startClamped: interval.clamped,
        ...(interval.endSeconds !== undefined
          ? { endMs: interval.endSeconds * 1000 }
          : {}),
        origins: new Set(['history']),
      });
    }
  }
  const openFiring = (match: (d: Draft) => boolean) =>
    drafts.find(d => d.state === 'firing' && match(d));
  const earlier = (draft: Draft, ms: number | undefined) => {
    if (ms !== undefined && (draft.startClamped || ms < draft.startMs)) {
      draft.startMs = draft.startClamped ? ms : Math.min(ms, draft.startMs);
      draft.startClamped = false;
    }
  };

  for (const alert of input.live) {
    const labels = identityLabels(alert.labels);
    const key = keyOf(labels);
    const activeMs = parseTime(alert.activeAt);
    const known =
      alert.state === 'firing'
        ? openFiring(d => d.key === key)
        : drafts.find(d => d.state === 'pending' && d.key === key);
    if (known) {
      known.origins.add('prometheus');
      known.annotations = { ...alert.annotations, ...known.annotations };
      if (known.startClamped) earlier(known, activeMs);
      continue;
    }
    drafts.push({
      key,
      labels,
      annotations: alert.annotations,
      state: alert.state,
      startMs: activeMs ?? input.range.startSeconds * 1000,
      startClamped: activeMs === undefined,
      origins: new Set(['prometheus']),
    });
  }

  for (const alert of input.alertmanager) {
    const labels = identityLabels(alert.labels);
    const startsMs = parseTime(alert.startsAt);
    const known = openFiring(
      d =>
        d.labels.alertname === labels.alertname &&
        (isSubset(d.labels, labels) || isSubset(labels, d.labels)),
    );
    if (known) {
      known.origins.add('alertmanager');
      known.annotations = { ...alert.annotations, ...known.annotations };
      // Alertmanager's startsAt is when it started firing: the most precise.
      if (
        startsMs !== undefined &&
        (known.startClamped || !known.origins.has('history'))
      ) {
        known.startMs = startsMs;
        known.startClamped = false;
      }
      continue;
    }
    drafts.push({
      key: keyOf(labels),
      labels,
      annotations: alert.annotations,
      state: 'firing',
      startMs: startsMs ?? input.range.startSeconds * 1000,
      startClamped: startsMs === undefined,
      origins: new Set(['alertmanager']),
    });
  }
  return drafts;
}

const ORIGIN_ORDER: AlertOrigin[] = ['prometheus', 'history', 'alertmanager'];
const STATE_ORDER: Record<IncidentAlert['state'], number> = {
  firing: 0,
  pending: 1,
  resolved: 2,
};

/** An alert fit for a browser: annotations redacted and shortened. */
export function toIncidentAlert(
  draft: Draft,
  cluster: string,
  secrets: readonly string[] = [],
): IncidentAlert {
  const text = (value: string | undefined, max: number) =>
    value ? shortenText(redactSecrets(value, secrets), max) : undefined;
  const { labels, annotations } = draft;
  const summary = text(annotations.summary, MAX_SUMMARY_LENGTH);
  const description = text(
    annotations.description ?? annotations.message,
    MAX_DESCRIPTION_LENGTH,
  );
  const shown = Object.entries(labels)
    .filter(([name]) => name !== 'alertname')
    .slice(0, MAX_ALERT_LABELS)
    .map(([name, value]) => [
      name,
      shortenText(redactSecrets(value, secrets), MAX_LABEL_VALUE_LENGTH),
    ]);
  return {
    name: shortenText(
      labels.alertname ?? '(no alertname)',
      MAX_LABEL_VALUE_LENGTH,
    ),
    ...(labels.severity
      ? { severity: shortenText(labels.severity, MAX_LABEL_VALUE_LENGTH) }
      : {}),
    state: draft.state,
    startsAt: new Date(draft.startMs).toISOString(),
    ...(draft.endMs !== undefined
      ? { endsAt: new Date(draft.endMs).toISOString() }
      : {}),
    cluster,
    namespace: labels.namespace ?? '',
    ...(labels.pod ? { pod: labels.pod } : {}),
    ...(labels.container ? { container: labels.container } : {}),
    ...(summary ? { summary } : {}),
    ...(description ? { description } : {}),
    labels: Object.fromEntries(shown),
    origins: ORIGIN_ORDER.filter(o => draft.origins.has(o)),
  };
}

/** Firing, then pending, then resolved; the newest start first. */
export function compareAlerts(a: IncidentAlert, b: IncidentAlert): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    Date.parse(b.startsAt) - Date.parse(a.startsAt) ||
    a.name.localeCompare(b.name) ||
    (a.pod ?? '').localeCompare(b.pod ?? '')
  );
}

/**
 * Reads the alerts about every scope of every cluster: the `ALERTS`
 * series over the range, and, when the range reaches now, the alerts
 * Prometheus holds pending or firing and those the cluster's Alertmanager
 * holds. Each source of each cluster answers on its own: a failing one is
 * a status, the others' alerts stand. Where the pods are still being
 * listed, every source is asked at once about the speculative scopes (their
 * namespaces, for Alertmanager), and the answers are narrowed to the listed
 * pods' scopes when the list arrives.
 */
export async function collectAlerts(
  located: Array<LocatedWorkload | SpeculatedWorkload>,
  range: ResolvedRange,
  nowSeconds: number,
  options: { maxSeries?: number; counters?: SpeculationCounters } = {},
): Promise<CollectedAlerts> {
  const queries: ExecutedQuery[] = [];
  // Live sources say what holds now: only a range that reaches now asks them.
  const live = range.endSeconds >= nowSeconds - range.stepSeconds;
  const openFromSeconds =
    Math.min(range.endSeconds, nowSeconds) - range.stepSeconds * 1.5;

  const perCluster = await Promise.all(
    located.map(asSpeculated).map(async workload => {
      const { connection, speculative } = workload;
      const listed = workload.located.then(l => l.scopes);
      const prometheusAnswer = askSource(connection, 'prometheus', async () => {
        const early =
          live && speculative?.length
            ? settle(connection.prometheus!.alerts())
            : undefined;
        const { located: found, answers } = await reconcile<
          PrometheusResult<PrometheusMatrixSeries[]>
        >({
          workload,
          counters: options.counters,
          ask: scope =>
            connection.prometheus!.queryRange(firingAlerts(scope), range),
          narrow: (answer, exact) => {
            if (
              options.maxSeries !== undefined &&
              answer.data.length >= options.maxSeries
            ) {
              return undefined;
            }
            const data = answer.data.filter(s =>
              alertConcernsScope(s.metric, exact),
            );
            return { answer: { ...answer, data }, kept: data.length };
          },
          size: answer => answer.data.length,
          onLocated: ({ scopes }) =>
            queries.push(
              ...scopes.map(scope => ({
                name: 'firing alerts',
                cluster: connection.name,
                query: firingAlerts(scope),
              })),
            ),
        });
        const { scopes } = found;
        const current =
          live && scopes.length > 0
            ? await (early
                ? early.then(unsettle)
                : connection.prometheus!.alerts())
            : { data: [], warnings: [] };
        return {
          value: {
            history: answers
              .flatMap(({ answer }) => answer.data)
              .filter(s => concernsAny(s.metric, scopes)),
            live: current.data.filter(a => concernsAny(a.labels, scopes)),
          },
          warnings: [
            ...answers.flatMap(({ answer }) => answer.warnings),
            ...current.warnings,
          ],
        };
      });
      const alertmanagerAnswer =
        connection.alertmanager && live
          ? askAlertmanager(connection, speculative, listed, queries)
          : undefined;
      const [prometheus, alertmanager] = await Promise.all([
        prometheusAnswer,
        alertmanagerAnswer,
      ]);
      const drafts = mergeClusterAlerts({
        history: prometheus.value?.history ?? [],
        live: prometheus.value?.live ?? [],
        alertmanager: alertmanager?.value ?? [],
        range,
        openFromSeconds,
      });
      return {
        alerts: drafts.map(d => toIncidentAlert(d, connection.name)),
        sources: [
          prometheus.status,
          ...(alertmanager ? [alertmanager.status] : []),
        ],
      };
    }),
  );

  const all = perCluster.flatMap(c => c.alerts).sort(compareAlerts);
  return {
    alerts: all.slice(0, MAX_ALERTS),
    truncated: all.length > MAX_ALERTS,
    queries,
    sources: perCluster.flatMap(c => c.sources),
  };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    value => ({ ok: true as const, value }),
    error => ({ ok: false as const, error }),
  );
}

function unsettle<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}

function filtersOf(scopes: PodScope[]): string[][] {
  return [
    ...new Set(scopes.map(s => JSON.stringify(alertmanagerFilter(s)))),
  ].map(f => JSON.parse(f) as string[]);
}

/**
 * The cluster's Alertmanager alerts about the listed scopes, by namespace:
 * asked at once about the speculative scopes' namespaces, and again only
 * for namespaces of the listed pods it is not.
 */
async function askAlertmanager(
  connection: ClusterConnection,
  speculative: PodScope[] | undefined,
  listed: Promise<PodScope[]>,
  queries: ExecutedQuery[],
): Promise<{ value?: AlertmanagerAlert[]; status: SourceStatus } | undefined> {
  const early = new Map<
    string,
    Promise<Settled<{ alerts: AlertmanagerAlert[]; warnings: string[] }>>
  >();
  if (speculative?.length) {
    for (const filter of filtersOf(speculative)) {
      early.set(
        JSON.stringify(filter),
        settle(connection.alertmanager!.alerts(filter)),
      );
    }
  }
  const scopes = await listed;
  if (scopes.length === 0) return undefined;
  return askSource(connection, 'alertmanager', async () => {
    const filters = filtersOf(scopes);
    queries.push(
      ...filters.map(filter => ({
        name: 'Alertmanager filter',
        cluster: connection.name,
        query: filter.join(', '),
      })),
    );
    const answers = await Promise.all(
      filters.map(f => {
        const asked = early.get(JSON.stringify(f));
        return asked
          ? asked.then(unsettle)
          : connection.alertmanager!.alerts(f);
      }),
    );
    return {
      value: answers
        .flatMap(a => a.alerts)
        .filter(a => concernsAny(a.labels, scopes)),
      warnings: answers.flatMap(a => a.warnings),
    };
  });
}
