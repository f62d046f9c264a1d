import { ClusterWorld } from '../world/cluster';
import { HttpRequest, HttpResponse, json } from '../server/types';
import { ruleEngine } from './rules';
import {
  AlertMatcher,
  anchoredRegex,
  MatcherError,
  matcherMatches,
  parseMatcher,
  sortedLabels,
} from './matchers';

/**
 * The Alertmanager API v2 (answers as Alertmanager 0.25) of one cluster:
 * the alerts its Prometheus sent, i.e. firing alerts and, until their end,
 * resolved ones. The sandbox has no silences and no inhibition rules, and
 * one route to one receiver, as Alertmanager's shipped configuration.
 */

/** The receiver of Alertmanager's shipped alertmanager.yml. */
export const RECEIVER = 'web.hook';

/** Values go-openapi's swag.ConvertBool reads as true; anything else is false. */
const TRUE = new Set([
  'true',
  '1',
  'yes',
  'ok',
  'y',
  'on',
  'selected',
  'checked',
  't',
  'enabled',
]);

/** A boolean query parameter as go-swagger binds it: absent or empty is the default, true. */
function boolParam(query: URLSearchParams, name: string): boolean {
  const values = query.getAll(name);
  const raw = values[values.length - 1];
  if (raw === undefined || raw === '') return true;
  return TRUE.has(raw.toLowerCase());
}

/** RFC 3339 with milliseconds, as go-openapi's strfmt.DateTime writes. */
function dateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The link Prometheus puts in an alert: its graph page for the rule's expression. */
export function generatorUrl(prometheusUrl: string, expr: string): string {
  return `${prometheusUrl}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
}

function notFound(path: string): HttpResponse {
  return json(404, { code: 404, message: `path ${path} was not found` });
}

function getAlerts(
  cluster: ClusterWorld,
  req: HttpRequest,
  prometheusUrl: string,
): HttpResponse {
  let matchers: AlertMatcher[];
  let receiver: RegExp | undefined;
  // Nothing is silenced or inhibited, and an alert is processed as it
  // arrives: every alert is active, so `silenced`, `inhibited` and
  // `unprocessed` leave the list as it is and `active=false` empties it.
  const active = boolParam(req.query, 'active');
  try {
    matchers = req.query.getAll('filter').map(parseMatcher);
  } catch (e) {
    if (e instanceof MatcherError) return json(400, e.message);
    throw e;
  }
  const receiverParam = req.query.get('receiver');
  if (receiverParam !== null && receiverParam !== '') {
    try {
      receiver = anchoredRegex(receiverParam);
    } catch (e) {
      return json(
        400,
        `failed to parse receiver param: ${(e as Error).message}`,
      );
    }
  }
  const now = cluster.clock.now();
  const alerts = ruleEngine(cluster)
    .receivedAlerts()
    .filter(a => a.endsAtMs > now)
    .filter(a => matchers.every(m => matcherMatches(m, a.labels)))
    .filter(() => !receiver || receiver.test(RECEIVER))
    .filter(() => active)
    // Fingerprints are unique: Alertmanager sorts by them.
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1))
    .map(a => ({
      annotations: sortedLabels(a.annotations),
      endsAt: dateTime(a.endsAtMs),
      fingerprint: a.fingerprint,
      receivers: [{ name: RECEIVER }],
      startsAt: dateTime(a.startsAtMs),
      status: { inhibitedBy: [], silencedBy: [], state: 'active' },
      updatedAt: dateTime(a.updatedAtMs),
      generatorURL: generatorUrl(prometheusUrl, a.expr),
      labels: sortedLabels(a.labels),
    }));
  return json(200, alerts);
}

/**
 * Serves `/api/v2/alerts` (GET with `active`, `silenced`, `inhibited`,
 * `unprocessed`, `filter`, `receiver`), `/api/v2/receivers`,
 * `/api/v2/silences` (always empty) and `/-/ready`, `/-/healthy`.
 * `prometheusUrl` is the cluster's Prometheus, whose graph page the
 * alerts' generatorURL links to.
 */
export function handleAlertmanager(
  cluster: ClusterWorld,
  req: HttpRequest,
  prometheusUrl: string,
): HttpResponse {
  const path = req.path.replace(/\/+$/, '') || '/';
  if (path === '/-/ready' || path === '/-/healthy') {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'OK',
    };
  }
  const routes: Record<string, () => HttpResponse> = {
    '/api/v2/alerts': () => getAlerts(cluster, req, prometheusUrl),
    '/api/v2/receivers': () => json(200, [{ name: RECEIVER }]),
    '/api/v2/silences': () => json(200, []),
  };
  const route = routes[path];
  if (!route) return notFound(path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return json(
      405,
      {
        code: 405,
        message: `method ${req.method} is not allowed, but [GET] are`,
      },
      { Allow: 'GET' },
    );
  }
  return route();
}
