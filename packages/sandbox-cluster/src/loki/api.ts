import { ClusterWorld } from '../world/cluster';
import { HttpRequest, HttpResponse, json, text } from '../server/types';
import { parsePromQL } from '../prometheus/promql/parse';
import { LabelMatcher } from '../prometheus/promql/ast';
import { formatFloat, signature } from '../prometheus/promql/values';
import { parseDuration } from '../util/quantity';
import {
  linePasses,
  LogQLError,
  LogSelector,
  MetricExpr,
  parseLogQL,
} from './logql';
import { clusterStreams, Entry, selectStreams, streamEntries } from './streams';

class BadRequest extends Error {}

/** Parses a Loki time: nanosecond/millisecond/second epochs or RFC 3339. */
function parseTime(
  value: string | null,
  fallback: number,
  name: string,
): number {
  if (value === null || value === '') return fallback;
  if (/^[0-9]+$/.test(value)) {
    if (value.length >= 16)
      return Math.floor(Number(BigInt(value) / 1000n) / 1000);
    if (value.length >= 13) return Number(value);
    return Number(value) * 1000;
  }
  if (/^[0-9]+\.[0-9]+$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new BadRequest(
      `invalid ${name} parameter: cannot parse "${value}" to a valid timestamp`,
    );
  return ms;
}

function parseStep(
  value: string | null,
  startMs: number,
  endMs: number,
): number {
  if (!value)
    return Math.max(1000, Math.floor((endMs - startMs) / 250 / 1000) * 1000);
  if (/^[0-9]+(\.[0-9]+)?$/.test(value))
    return Math.round(Number(value) * 1000);
  try {
    return parseDuration(value);
  } catch {
    throw new BadRequest(
      `invalid step parameter: cannot parse "${value}" to a valid duration`,
    );
  }
}

function nanos(ms: number, seq: number): string {
  return `${BigInt(Math.round(ms)) * 1000000n + BigInt(seq)}`;
}

function filteredEntries(
  cluster: ClusterWorld,
  selector: LogSelector,
  fromMs: number,
  toMs: number,
) {
  return selectStreams(cluster, selector.matchers).map(stream => ({
    stream,
    entries: streamEntries(stream, fromMs, toMs).filter(e =>
      linePasses(e.line, selector.filters),
    ),
  }));
}

function logQueryResult(
  cluster: ClusterWorld,
  selector: LogSelector,
  fromMs: number,
  toMs: number,
  limit: number,
  forward: boolean,
) {
  const all: Array<{
    key: string;
    labels: Record<string, string>;
    entry: Entry;
  }> = [];
  for (const { stream, entries } of filteredEntries(
    cluster,
    selector,
    fromMs,
    toMs,
  )) {
    const key = signature(stream.labels);
    for (const entry of entries)
      all.push({ key, labels: stream.labels, entry });
  }
  all.sort(
    (a, b) =>
      (a.entry.ms - b.entry.ms || a.entry.seq - b.entry.seq) *
      (forward ? 1 : -1),
  );
  const picked = all.slice(0, limit);
  const streams = new Map<
    string,
    { stream: Record<string, string>; values: Array<[string, string]> }
  >();
  for (const p of picked) {
    const s = streams.get(p.key) ?? { stream: p.labels, values: [] };
    s.values.push([nanos(p.entry.ms, p.entry.seq), p.entry.line]);
    streams.set(p.key, s);
  }
  return {
    resultType: 'streams',
    result: [...streams.values()],
    stats: {
      summary: {
        totalEntriesReturned: picked.length,
        totalLinesProcessed: all.length,
      },
    },
  };
}

/** Evaluates a metric expression at a step: series labels -> value. */
function evalMetric(
  cluster: ClusterWorld,
  expr: MetricExpr,
  ts: number,
  cache: Map<
    MetricExpr,
    Array<{ labels: Record<string, string>; entries: Entry[] }>
  >,
  window: { from: number; to: number },
): Array<{ labels: Record<string, string>; value: number }> {
  if (expr.type === 'range') {
    let streams = cache.get(expr);
    if (!streams) {
      streams = filteredEntries(
        cluster,
        expr.selector,
        window.from - expr.rangeMs,
        window.to,
      ).map(s => ({ labels: s.stream.labels, entries: s.entries }));
      cache.set(expr, streams);
    }
    const out: Array<{ labels: Record<string, string>; value: number }> = [];
    for (const s of streams) {
      const inRange = s.entries.filter(
        e => e.ms > ts - expr.rangeMs && e.ms <= ts,
      );
      if (!inRange.length) continue;
      const bytes = inRange.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
      const seconds = expr.rangeMs / 1000;
      const value = {
        count_over_time: inRange.length,
        rate: inRange.length / seconds,
        bytes_over_time: bytes,
        bytes_rate: bytes / seconds,
      }[expr.op];
      out.push({ labels: s.labels, value });
    }
    return out;
  }
  const inner = evalMetric(cluster, expr.expr, ts, cache, window);
  const groups = new Map<
    string,
    { labels: Record<string, string>; values: number[] }
  >();
  for (const s of inner) {
    const labels: Record<string, string> = {};
    if (expr.without) {
      Object.assign(labels, s.labels);
      expr.grouping.forEach(l => delete labels[l]);
    } else {
      expr.grouping.forEach(
        l => s.labels[l] !== undefined && (labels[l] = s.labels[l]),
      );
    }
    const key = signature(labels);
    const g = groups.get(key) ?? { labels, values: [] };
    g.values.push(s.value);
    groups.set(key, g);
  }
  return [...groups.values()].map(g => ({
    labels: g.labels,
    value: {
      sum: g.values.reduce((a, b) => a + b, 0),
      avg: g.values.reduce((a, b) => a + b, 0) / g.values.length,
      min: Math.min(...g.values),
      max: Math.max(...g.values),
      count: g.values.length,
    }[expr.op],
  }));
}

function seriesMatchers(req: URLSearchParams): LabelMatcher[][] {
  const selectors = req.getAll('match[]').concat(req.getAll('match'));
  return selectors.map(s => {
    const node = parsePromQL(s);
    if (node.type !== 'vectorSelector')
      throw new BadRequest(`invalid match[] parameter: ${s}`);
    return node.matchers;
  });
}

function params(req: HttpRequest) {
  const merged = new URLSearchParams(req.query);
  if (
    req.method === 'POST' &&
    String(req.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    )
  ) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8')))
      merged.append(k, v);
  }
  return merged;
}

/** Serves the Loki HTTP API of one cluster. */
export function handleLoki(
  cluster: ClusterWorld,
  req: HttpRequest,
): HttpResponse {
  const now = cluster.clock.now();
  const p = params(req);
  const path = req.path.replace(/\/+$/, '');
  try {
    if (path === '/ready' || path === '/loki/ready')
      return text(200, 'ready\n');
    if (path === '/loki/api/v1/status/buildinfo')
      return json(200, {
        version: '3.4.2',
        revision: 'sandbox',
        branch: 'HEAD',
      });
    switch (path) {
      case '/loki/api/v1/query_range': {
        const query = p.get('query') ?? '';
        const end = parseTime(p.get('end'), now, 'end');
        const since = p.get('since');
        const start = parseTime(
          p.get('start'),
          end - (since ? parseDuration(since) : 3_600_000),
          'start',
        );
        if (end < start)
          throw new BadRequest(
            'invalid start and end: end timestamp must not be before or equal to start time',
          );
        const limit = Number(p.get('limit') ?? 100);
        const direction = (p.get('direction') ?? 'backward').toLowerCase();
        if (direction !== 'forward' && direction !== 'backward')
          throw new BadRequest(`invalid direction parameter: "${direction}"`);
        const parsed = parseLogQL(query);
        if (parsed.kind === 'log') {
          return json(200, {
            status: 'success',
            data: logQueryResult(
              cluster,
              parsed.selector,
              start,
              Math.min(end, now),
              limit,
              direction === 'forward',
            ),
          });
        }
        const step = parseStep(p.get('step'), start, end);
        const cache = new Map();
        const series = new Map<
          string,
          { metric: Record<string, string>; values: Array<[number, string]> }
        >();
        for (let ts = start; ts <= end; ts += step) {
          for (const s of evalMetric(cluster, parsed.expr, ts, cache, {
            from: start,
            to: Math.min(end, now),
          })) {
            const key = signature(s.labels);
            const entry = series.get(key) ?? { metric: s.labels, values: [] };
            entry.values.push([ts / 1000, formatFloat(s.value)]);
            series.set(key, entry);
          }
        }
        return json(200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [...series.values()],
            stats: {},
          },
        });
      }
      case '/loki/api/v1/query': {
        const query = p.get('query') ?? '';
        const ts = parseTime(p.get('time'), now, 'time');
        const parsed = parseLogQL(query);
        if (parsed.kind === 'log') {
          throw new BadRequest(
            'log queries are not supported as an instant query type, please change your query to a range query type',
          );
        }
        const result = evalMetric(cluster, parsed.expr, ts, new Map(), {
          from: ts,
          to: Math.min(ts, now),
        });
        return json(200, {
          status: 'success',
          data: {
            resultType: 'vector',
            result: result.map(s => ({
              metric: s.labels,
              value: [ts / 1000, formatFloat(s.value)],
            })),
            stats: {},
          },
        });
      }
      case '/loki/api/v1/labels':
      case '/loki/api/v1/series': {
        const end = parseTime(p.get('end'), now, 'end');
        const start = parseTime(p.get('start'), end - 6 * 3_600_000, 'start');
        const sets = seriesMatchers(p);
        const streams = clusterStreams(cluster).filter(
          s =>
            s.pod.createdMs <= end &&
            (s.pod.deletedMs === undefined || s.pod.deletedMs >= start) &&
            (!sets.length ||
              sets.some(m => m.every(x => matchOne(s.labels, x)))),
        );
        if (path.endsWith('/series')) {
          if (!sets.length)
            throw new BadRequest('at least one match[] argument required');
          return json(200, {
            status: 'success',
            data: streams.map(s => s.labels),
          });
        }
        const names = new Set<string>();
        streams.forEach(s => Object.keys(s.labels).forEach(k => names.add(k)));
        return json(200, { status: 'success', data: [...names].sort() });
      }
      default: {
        const m = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
        if (m) {
          const name = decodeURIComponent(m[1]);
          const end = parseTime(p.get('end'), now, 'end');
          const start = parseTime(p.get('start'), end - 6 * 3_600_000, 'start');
          const query = p.get('query');
          const matchers = query
            ? (parseLogQL(query) as { kind: 'log'; selector: LogSelector })
                .selector?.matchers ?? []
            : [];
          const values = new Set<string>();
          for (const s of clusterStreams(cluster)) {
            if (
              s.pod.createdMs > end ||
              (s.pod.deletedMs !== undefined && s.pod.deletedMs < start)
            )
              continue;
            if (!matchers.every(x => matchOne(s.labels, x))) continue;
            if (s.labels[name] !== undefined) values.add(s.labels[name]);
          }
          return json(200, { status: 'success', data: [...values].sort() });
        }
        return text(404, '404 page not found\n');
      }
    }
  } catch (e) {
    if (e instanceof LogQLError || e instanceof BadRequest)
      return text(400, `${e.message}\n`);
    if (e instanceof Error && e.constructor.name === 'PromQLParseError')
      return text(400, `parse error : ${e.message}\n`);
    throw e;
  }
}

function matchOne(labels: Record<string, string>, m: LabelMatcher): boolean {
  const v = labels[m.name] ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  if (m.op === '=~') return m.regex!.test(v);
  return !m.regex!.test(v);
}
