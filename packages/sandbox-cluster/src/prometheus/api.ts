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
import { MetricsStore, metricsStore } from './storage';

import { SampleSource } from './promql/evaluate';
import { compareLabels } from './promql/values';
import { RuleAlert, RuleEngine, ruleEngine } from '../alerting/rules';
import { sortedLabels } from '../alerting/matchers';

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
  rules?: RuleEngine,
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
    for (const labels of rules?.seriesLabels(matchers, start, end) ?? []) {
      seen.set(JSON.stringify(labels), labels);
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
  // The rules are evaluated up to the clock first, so that ALERTS and
  // ALERTS_FOR_STATE read like every other series.
  const rules = ruleEngine(cluster);
  const source: SampleSource = {
    select: (matchers, minMs, maxMs, options) => [
      ...store.select(matchers, minMs, maxMs, options),
      ...rules.select(matchers, minMs, maxMs),
    ],
  };
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
          data: instantQuery(source, node, ts),
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
          data: rangeQuery(source, node, {
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
          rules,
        );
        return json(200, { status: 'success', data });
      }
      case '/api/v1/labels': {
        const series = seriesInRange(
          store,
          p.getAll('match[]'),
          parseTime(p.get('start'), 'start', now - 6 * 3_600_000),
          parseTime(p.get('end'), 'end', now),
          rules,
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
      case '/api/v1/alerts':
        return json(200, {
          status: 'success',
          data: { alerts: sortAlerts(rules.activeAlerts()).map(apiAlert) },
        });
      case '/api/v1/rules':
        return json(200, { status: 'success', data: ruleGroups(rules, p) });
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
            rules,
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

/** A time as Go's time.Time marshals to JSON (RFC 3339, no trailing zeros). */
function goTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** strconv.FormatFloat(v, 'e', 10, 64), as Prometheus writes an alert's value. */
function alertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toExponential(10).replace(/e([-+])(\d)$/, 'e$10$2');
}

function sortAlerts(alerts: RuleAlert[]): RuleAlert[] {
  return [...alerts].sort((a, b) => compareLabels(a.labels, b.labels));
}

function apiAlert(a: RuleAlert) {
  return {
    labels: sortedLabels(a.labels),
    annotations: sortedLabels(a.annotations),
    state: a.state,
    activeAt: goTime(a.activeAtMs),
    value: alertValue(a.value),
  };
}

const NEVER = '0001-01-01T00:00:00Z';

/** /api/v1/rules: the groups, filtered by type, rule_name[], rule_group[] and file[]. */
function ruleGroups(rules: RuleEngine, p: URLSearchParams) {
  const type = (p.get('type') ?? '').toLowerCase();
  if (type !== '' && type !== 'alert' && type !== 'record') {
    throw new BadData(
      `invalid parameter "type": not supported value ${JSON.stringify(type)}`,
    );
  }
  const names = new Set(p.getAll('rule_name[]'));
  const groupNames = new Set(p.getAll('rule_group[]'));
  const files = new Set(p.getAll('file[]'));
  const groups = rules.groups
    .filter(g => !groupNames.size || groupNames.has(g.spec.name))
    .filter(g => !files.size || files.has(g.file))
    .map(g => {
      const ruleList = g.rules
        // Every rule of the sandbox is an alerting rule.
        .filter(() => type !== 'record')
        .filter(r => !names.size || names.has(r.spec.alert))
        .map(r => {
          const active = sortAlerts(
            [...r.active.values()].filter(a => a.state !== 'inactive'),
          );
          let state = active.length ? 'pending' : 'inactive';
          if (active.some(a => a.state === 'firing')) state = 'firing';
          return {
            state,
            name: r.spec.alert,
            query: r.spec.expr.trim(),
            duration: r.holdMs / 1000,
            keepFiringFor: 0,
            labels: sortedLabels(r.spec.labels),
            annotations: sortedLabels(r.spec.annotations),
            alerts: active.map(apiAlert),
            health: r.health,
            ...(r.lastError ? { lastError: r.lastError } : {}),
            evaluationTime: r.evaluationSeconds,
            lastEvaluation:
              r.lastEvaluationMs === undefined
                ? NEVER
                : goTime(r.lastEvaluationMs),
            type: 'alerting',
          };
        });
      return {
        name: g.spec.name,
        file: g.file,
        rules: ruleList,
        interval: g.intervalMs / 1000,
        limit: 0,
        evaluationTime: g.rules.reduce(
          (sum, r) => sum + r.evaluationSeconds,
          0,
        ),
        lastEvaluation:
          g.lastEvaluationMs === undefined ? NEVER : goTime(g.lastEvaluationMs),
      };
    })
    .filter(g => g.rules.length > 0);
  return { groups };
}

/** Queries whose syntax trees are kept (trees are never changed once made). */
const PARSED_KEPT = 500;
const parsed = new Map<string, ReturnType<typeof parsePromQL>>();

function parseWithContext(query: string) {
  const known = parsed.get(query);
  if (known) return known;
  try {
    const node = parsePromQL(query);
    parsed.set(query, node);
    if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    return node;
  } catch (e) {
    if (e instanceof PromQLParseError)
      throw new BadData(`invalid parameter "query": ${e.message}`);
    throw e;
  }
}
