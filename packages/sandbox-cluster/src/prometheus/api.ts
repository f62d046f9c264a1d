import { World } from '../world/world';
import { ClusterWorld } from '../world/cluster';
import { HttpRequest, HttpResponse, json } from '../server/types';
import { compileAnchoredRegex, parsePromQL } from './promql/parse';
import { instantQuery, rangeQuery } from './promql/evaluate';
import {
  LabelMatcher,
  PromQLExecutionError,
  PromQLParseError,
} from './promql/ast';
import { parseDuration } from '../util/quantity';
import { MetricsStore } from './storage';

const stores = new WeakMap<ClusterWorld, MetricsStore>();

/** The metrics store of a cluster (one per cluster, built lazily). */
export function metricsStore(cluster: ClusterWorld): MetricsStore {
  let store = stores.get(cluster);
  if (!store) {
    store = new MetricsStore(cluster);
    stores.set(cluster, store);
  }
  return store;
}

class BadData extends Error {}

function error(
  status: number,
  errorType: string,
  message: string,
): HttpResponse {
  return json(status, { status: 'error', errorType, error: message });
}

function params(req: HttpRequest): URLSearchParams {
  const merged = new URLSearchParams(req.query);
  const type = String(req.headers['content-type'] ?? '');
  if (
    req.method === 'POST' &&
    type.startsWith('application/x-www-form-urlencoded')
  ) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8')))
      merged.append(k, v);
  }
  return merged;
}

/** Parses a time parameter: RFC 3339 or Unix seconds. */
function parseTime(
  value: string | null,
  name: string,
  fallback: number,
): number {
  if (value === null || value === '') return fallback;
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(value))
    return Math.round(Number(value) * 1000);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new BadData(
      `invalid parameter "${name}": cannot parse "${value}" to a valid timestamp`,
    );
  return ms;
}

function parseStep(value: string | null): number {
  if (value === null || value === '')
    throw new BadData(
      'invalid parameter "step": cannot parse "" to a valid duration',
    );
  if (/^[0-9]+(\.[0-9]+)?$/.test(value))
    return Math.round(Number(value) * 1000);
  try {
    return parseDuration(value);
  } catch {
    throw new BadData(
      `invalid parameter "step": cannot parse "${value}" to a valid duration`,
    );
  }
}

function parseMatchers(selectors: string[]): LabelMatcher[][] {
  return selectors.map(sel => {
    const node = parsePromQL(sel);
    if (node.type !== 'vectorSelector')
      throw new BadData(
        `invalid parameter "match[]": 1:1: parse error: expected vector selector, got ${node.type}`,
      );
    return node.matchers;
  });
}

function seriesInRange(
  store: MetricsStore,
  selectors: string[],
  start: number,
  end: number,
) {
  const sets = selectors.length
    ? parseMatchers(selectors)
    : [
        [
          {
            name: '__name__',
            op: '=~' as const,
            value: '.+',
            regex: compileAnchoredRegex('.+'),
          },
        ],
      ];
  const seen = new Map<string, Record<string, string>>();
  for (const matchers of sets) {
    for (const s of store.matching(matchers)) {
      if (MetricsStore.scrapeTimes(s, start - 1, end).length) {
        seen.set(JSON.stringify(s.labels), s.labels);
      }
    }
  }
  return [...seen.values()];
}

const BUILD_INFO = {
  version: '2.42.0',
  revision: '225c61122d88b01d1f0eaaee0e05b6f3e0567ac0',
  branch: 'HEAD',
  buildUser: 'sandbox',
  buildDate: '20230131-16:20:22',
  goVersion: 'go1.19.5',
};

/** Serves the Prometheus HTTP API of one cluster. */
export function handlePrometheus(
  world: World,
  cluster: ClusterWorld,
  req: HttpRequest,
): HttpResponse {
  const store = metricsStore(cluster);
  const now = world.clock.now();
  const p = params(req);
  const path = req.path.replace(/\/+$/, '');
  try {
    if (path === '/-/ready' || path === '/-/healthy') {
      return {
        status: 200,
        headers: { 'Content-Type': 'text/plain' },
        body:
          path === '/-/ready'
            ? 'Prometheus Server is Ready.\n'
            : 'Prometheus Server is Healthy.\n',
      };
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      return {
        status: 405,
        headers: { 'Content-Type': 'text/plain' },
        body: 'Method Not Allowed\n',
      };
    }
    switch (path) {
      case '/api/v1/query': {
        const query = p.get('query');
        if (!query)
          throw new BadData(
            'invalid parameter "query": 1:1: parse error: no expression found in input',
          );
        const ts = parseTime(p.get('time'), 'time', now);
        const node = parseWithContext(query);
        return json(200, {
          status: 'success',
          data: instantQuery(store, node, ts),
        });
      }
      case '/api/v1/query_range': {
        const query = p.get('query');
        const start = parseTime(p.get('start'), 'start', NaN);
        const end = parseTime(p.get('end'), 'end', NaN);
        if (Number.isNaN(start))
          throw new BadData(
            'invalid parameter "start": cannot parse "" to a valid timestamp',
          );
        if (Number.isNaN(end))
          throw new BadData(
            'invalid parameter "end": cannot parse "" to a valid timestamp',
          );
        if (end < start)
          throw new BadData(
            'invalid parameter "end": end timestamp must not be before start time',
          );
        const step = parseStep(p.get('step'));
        if (step <= 0)
          throw new BadData(
            'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
          );
        if ((end - start) / step > 11000)
          throw new BadData(
            'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
          );
        if (!query)
          throw new BadData(
            'invalid parameter "query": 1:1: parse error: no expression found in input',
          );
        const node = parseWithContext(query);
        return json(200, {
          status: 'success',
          data: rangeQuery(store, node, {
            startMs: start,
            endMs: end,
            stepMs: step,
          }),
        });
      }
      case '/api/v1/series': {
        const selectors = p.getAll('match[]');
        if (!selectors.length)
          throw new BadData('no match[] parameter provided');
        const data = seriesInRange(
          store,
          selectors,
          parseTime(p.get('start'), 'start', now - 300_000),
          parseTime(p.get('end'), 'end', now),
        );
        return json(200, { status: 'success', data });
      }
      case '/api/v1/labels': {
        const series = seriesInRange(
          store,
          p.getAll('match[]'),
          parseTime(p.get('start'), 'start', now - 6 * 3_600_000),
          parseTime(p.get('end'), 'end', now),
        );
        const names = new Set<string>();
        series.forEach(s => Object.keys(s).forEach(k => names.add(k)));
        return json(200, { status: 'success', data: [...names].sort() });
      }
      case '/api/v1/targets': {
        const state = p.get('state') ?? 'any';
        const active =
          state === 'dropped'
            ? []
            : store
                .targets()
                .filter(
                  t =>
                    t.fromMs <= now && (t.toMs === undefined || now < t.toMs),
                )
                .map(t => {
                  const health = t.health(now);
                  const last =
                    Math.floor((now - t.offsetMs) / t.intervalMs) *
                      t.intervalMs +
                    t.offsetMs;
                  return {
                    discoveredLabels: t.discoveredLabels,
                    labels: t.labels,
                    scrapePool: t.scrapePool,
                    scrapeUrl: t.scrapeUrl,
                    globalUrl: t.scrapeUrl,
                    lastError:
                      health === 'up'
                        ? ''
                        : t.scrapeError?.(now) ??
                          `Get "${t.scrapeUrl}": dial tcp ${t.labels.instance}: connect: connection refused`,
                    lastScrape: new Date(last).toISOString(),
                    lastScrapeDuration: 0.004,
                    health,
                    scrapeInterval: `${t.intervalMs / 1000}s`,
                    scrapeTimeout: '10s',
                  };
                });
        return json(200, {
          status: 'success',
          data: { activeTargets: active, droppedTargets: [] },
        });
      }
      case '/api/v1/status/buildinfo':
        return json(200, { status: 'success', data: BUILD_INFO });
      case '/api/v1/metadata':
        return json(200, { status: 'success', data: {} });
      default: {
        const label = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
        if (label) {
          const name = decodeURIComponent(label[1]);
          const series = seriesInRange(
            store,
            p.getAll('match[]'),
            parseTime(p.get('start'), 'start', now - 6 * 3_600_000),
            parseTime(p.get('end'), 'end', now),
          );
          const values = new Set<string>();
          series.forEach(s => s[name] !== undefined && values.add(s[name]));
          return json(200, { status: 'success', data: [...values].sort() });
        }
        return {
          status: 404,
          headers: { 'Content-Type': 'text/plain' },
          body: '404 page not found\n',
        };
      }
    }
  } catch (e) {
    if (e instanceof BadData) return error(400, 'bad_data', e.message);
    if (e instanceof PromQLParseError) return error(400, 'bad_data', e.message);
    if (e instanceof PromQLExecutionError)
      return error(422, 'execution', e.message);
    throw e;
  }
}

function parseWithContext(query: string) {
  try {
    return parsePromQL(query);
  } catch (e) {
    if (e instanceof PromQLParseError)
      throw new BadData(`invalid parameter "query": ${e.message}`);
    throw e;
  }
}
