import { LabelMatcher, MatchOp, Node } from '../prometheus/promql/ast';
import { compileAnchoredRegex, parsePromQL } from '../prometheus/promql/parse';
import { LogSelector, MetricExpr, parseLogQL } from '../loki/logql';
import {
  LabelRequirement,
  parseLabelRequirements,
} from '../kubernetes/selectors';
import { HttpRequest } from './types';

/** The API a recorded request was sent to. */
export type RecordedApi = 'k8s' | 'prometheus' | 'loki' | 'alertmanager';

/** One label matcher of a selector, as the sandbox parsed it. */
export interface RecordedMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/**
 * One selector of a PromQL expression (a vector or matrix selector) or of a
 * LogQL query (a stream selector). `metric` is the metric name of a PromQL
 * selector; its `__name__` matcher is among the matchers too.
 */
export interface RecordedSelector {
  metric?: string;
  matchers: RecordedMatcher[];
}

/** A LogQL line filter (`|= "x"`, `!~ "y"`). */
export interface RecordedLineFilter {
  op: '|=' | '!=' | '|~' | '!~';
  values: string[];
}

/**
 * A PromQL or LogQL query parameter (`query`, `match[]`), parsed with the
 * sandbox's own grammar: every selector it holds, or why it does not parse.
 */
export interface RecordedQuery {
  /** The parameter it came in. */
  param: string;
  text: string;
  selectors: RecordedSelector[];
  /** LogQL only: the line filters of every selector. */
  lineFilters?: RecordedLineFilter[];
  /** Set when the query does not parse; `selectors` is then empty. */
  error?: string;
}

/** One requirement of a field selector (`involvedObject.name=x`). */
export interface RecordedFieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** What a Kubernetes API request reads or changes. */
export interface RecordedKubernetesTarget {
  /** `v1` or `group/version`; absent on discovery paths. */
  groupVersion?: string;
  /** The namespace in the path; absent for cluster-wide requests. */
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  labelSelector?: string;
  /** The label selector's requirements; absent when it does not parse. */
  labelRequirements?: LabelRequirement[];
  fieldSelector?: string;
  fieldRequirements?: RecordedFieldRequirement[];
  /** Why a selector did not parse. */
  error?: string;
}

/** A request one of the sandbox's APIs received. */
export interface RecordedRequest {
  /** Position in the sequence of every request recorded, from 1. */
  seq: number;
  /** Wall-clock time it arrived, RFC 3339. */
  receivedAt: string;
  api: RecordedApi;
  cluster: string;
  method: string;
  /** The path relative to the API's root, as sent (still URL-encoded). */
  path: string;
  /** Query string and form body parameters, in order. */
  params: Array<[string, string]>;
  /** Prometheus and Loki: every query parameter, parsed. */
  queries: RecordedQuery[];
  /** Kubernetes: the resource path and selectors, parsed. */
  kubernetes?: RecordedKubernetesTarget;
  /** The body of a request that changes something (not GET), as text. */
  body?: string;
  /** Set when a parameter or the body was longer than what is kept. */
  truncated?: true;
}

/**
 * Whether a recorded matcher accepts a label value, as the sandbox's
 * Prometheus and Loki decide it (`=~` and `!~` fully anchored, RE2 syntax).
 * A value absent from a series is the empty string.
 */
export function matcherMatches(m: RecordedMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return compileAnchoredRegex(m.value).test(value);
    default:
      return !compileAnchoredRegex(m.value).test(value);
  }
}

/** Options of a {@link RequestLog}. */
export interface RequestLogOptions {
  /** The most requests kept; the oldest go first. Default 10,000. */
  capacity?: number;
  /** The longest parameter value or body kept, in characters. Default 64 Ki. */
  maxValueLength?: number;
  /**
   * The most characters kept over every request (paths, parameters and
   * bodies); the oldest go first. Default 16 Mi, so a sandbox serving a
   * fleet sweep for hours holds a bounded log.
   */
  maxTotalLength?: number;
}

interface Entry {
  seq: number;
  receivedAt: string;
  api: RecordedApi;
  cluster: string;
  method: string;
  path: string;
  params: Array<[string, string]>;
  body?: string;
  truncated: boolean;
  /** Characters of path, parameters and body. */
  length: number;
  parsed?: RecordedRequest;
}

const QUERY_PARAMS: Record<string, string[]> = {
  prometheus: ['query', 'match[]'],
  loki: ['query', 'match[]', 'match'],
};

function collectPromSelectors(node: Node, out: RecordedSelector[]) {
  switch (node.type) {
    case 'vectorSelector':
      out.push({ metric: node.name, matchers: node.matchers.map(matcher) });
      return;
    case 'matrixSelector':
      collectPromSelectors(node.vector, out);
      return;
    case 'call':
      node.args.forEach(a => collectPromSelectors(a, out));
      return;
    case 'aggregate':
      if (node.param) collectPromSelectors(node.param, out);
      collectPromSelectors(node.expr, out);
      return;
    case 'binary':
      collectPromSelectors(node.lhs, out);
      collectPromSelectors(node.rhs, out);
      return;
    case 'unary':
    case 'paren':
    case 'subquery':
      collectPromSelectors(node.expr, out);
      return;
    default:
      return;
  }
}

function matcher(m: LabelMatcher): RecordedMatcher {
  return { name: m.name, op: m.op, value: m.value };
}

function logSelectors(expr: MetricExpr, out: LogSelector[]) {
  if (expr.type === 'range') {
    out.push(expr.selector);
  } else {
    logSelectors(expr.expr, out);
  }
}

function parseQuery(
  api: RecordedApi,
  param: string,
  text: string,
): RecordedQuery {
  try {
    if (api === 'prometheus') {
      const selectors: RecordedSelector[] = [];
      collectPromSelectors(parsePromQL(text), selectors);
      return { param, text, selectors };
    }
    const parsed = parseLogQL(text);
    const found: LogSelector[] = [];
    if (parsed.kind === 'log') {
      found.push(parsed.selector);
    } else {
      logSelectors(parsed.expr, found);
    }
    return {
      param,
      text,
      selectors: found.map(s => ({ matchers: s.matchers.map(matcher) })),
      lineFilters: found.flatMap(s =>
        s.filters.map(f => ({ op: f.op, values: [...f.values] })),
      ),
    };
  } catch (e) {
    return { param, text, selectors: [], error: (e as Error).message };
  }
}

function parseFieldRequirements(selector: string): RecordedFieldRequirement[] {
  return selector
    .split(',')
    .map(p => p.trim())
    .filter(Boolean)
    .map(part => {
      const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m) {
        throw new Error(`invalid field selector requirement '${part}'`);
      }
      return {
        field: m[1].trim(),
        op: m[2] === '!=' ? '!=' : '=',
        value: m[3],
      } as RecordedFieldRequirement;
    });
}

function kubernetesTarget(
  path: string,
  params: Array<[string, string]>,
): RecordedKubernetesTarget {
  const target: RecordedKubernetesTarget = {};
  let segments: string[];
  try {
    segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = path.split('/').filter(Boolean);
  }
  let rest: string[] = [];
  if (segments[0] === 'api' && segments.length >= 2) {
    target.groupVersion = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    target.groupVersion = `${segments[1]}/${segments[2]}`;
    rest = segments.slice(3);
  }
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    target.namespace = rest[1];
    rest = rest.length === 2 ? ['namespaces', rest[1]] : rest.slice(2);
    if (rest[0] === 'namespaces') {
      // `GET /api/v1/namespaces/<name>`: the namespace object itself.
      target.resource = 'namespaces';
      target.name = rest[1];
      rest = [];
    }
  }
  if (rest.length > 0) {
    [target.resource, target.name, target.subresource] = rest;
  }
  const errors: string[] = [];
  const labelSelector = params.find(([k]) => k === 'labelSelector')?.[1];
  if (labelSelector !== undefined) {
    target.labelSelector = labelSelector;
    try {
      target.labelRequirements = parseLabelRequirements(labelSelector);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const fieldSelector = params.find(([k]) => k === 'fieldSelector')?.[1];
  if (fieldSelector !== undefined) {
    target.fieldSelector = fieldSelector;
    try {
      target.fieldRequirements = parseFieldRequirements(fieldSelector);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) {
    target.error = errors.join('; ');
  }
  return target;
}

/**
 * Every request the sandbox's Kubernetes, Prometheus, Loki and Alertmanager
 * APIs received, oldest first, at most `capacity` of them and
 * `maxTotalLength` characters in all: its method,
 * path and parameters, and what each query selects, parsed with the
 * sandbox's own PromQL, LogQL and label selector grammars, so a test can
 * check the selectors that reached a data source rather than the text
 * sent.
 */
export class RequestLog {
  private readonly capacity: number;
  private readonly maxValueLength: number;
  private readonly maxTotalLength: number;
  private totalLength = 0;
  private entries: Entry[] = [];
  private next = 1;
  private droppedCount = 0;

  constructor(options: RequestLogOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 10_000);
    this.maxValueLength = Math.max(1, options.maxValueLength ?? 64 * 1024);
    this.maxTotalLength = Math.max(
      1,
      options.maxTotalLength ?? 16 * 1024 * 1024,
    );
  }

  /** Records a request as an API handler receives it. */
  record(api: RecordedApi, cluster: string, req: HttpRequest): void {
    let truncated = false;
    const cut = (value: string) => {
      if (value.length <= this.maxValueLength) return value;
      truncated = true;
      return value.slice(0, this.maxValueLength);
    };
    const params: Array<[string, string]> = [...req.query].map(([k, v]) => [
      cut(k),
      cut(v),
    ]);
    const form =
      req.method === 'POST' &&
      String(req.headers['content-type'] ?? '').startsWith(
        'application/x-www-form-urlencoded',
      );
    if (form) {
      for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) {
        params.push([cut(k), cut(v)]);
      }
    }
    const body =
      !form && req.method !== 'GET' && req.body.length > 0
        ? cut(req.body.toString('utf8'))
        : undefined;
    const path = cut(req.path);
    const length =
      path.length +
      (body?.length ?? 0) +
      params.reduce((n, [k, v]) => n + k.length + v.length, 0);
    this.entries.push({
      seq: this.next++,
      receivedAt: new Date().toISOString(),
      api,
      cluster,
      method: req.method,
      path,
      params,
      ...(body === undefined ? {} : { body }),
      truncated,
      length,
    });
    this.totalLength += length;
    let excess = 0;
    while (
      excess < this.entries.length - 1 &&
      (this.entries.length - excess > this.capacity ||
        this.totalLength > this.maxTotalLength)
    ) {
      this.totalLength -= this.entries[excess].length;
      excess += 1;
    }
    if (excess > 0) {
      this.entries.splice(0, excess);
      this.droppedCount += excess;
    }
  }

  /**
   * The requests kept, oldest first: all of them, or those after the
   * sequence number `since` (the `seq` of the last one already seen).
   */
  requests(filter: { since?: number; api?: RecordedApi } = {}) {
    return this.entries
      .filter(e => filter.since === undefined || e.seq > filter.since)
      .filter(e => filter.api === undefined || e.api === filter.api)
      .map(e => this.view(e));
  }

  /** The sequence number of the newest request recorded, 0 before any. */
  get lastSeq(): number {
    return this.next - 1;
  }

  /** How many requests were let go because the log was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Forgets every request recorded so far. */
  clear(): void {
    this.droppedCount = 0;
    this.totalLength = 0;
    this.entries = [];
  }

  private view(e: Entry): RecordedRequest {
    if (e.parsed) return e.parsed;
    const names = QUERY_PARAMS[e.api] ?? [];
    const queries =
      e.api === 'prometheus' || e.api === 'loki'
        ? e.params
            .filter(([k]) => names.includes(k))
            .map(([k, v]) => parseQuery(e.api, k, v))
        : [];
    e.parsed = {
      seq: e.seq,
      receivedAt: e.receivedAt,
      api: e.api,
      cluster: e.cluster,
      method: e.method,
      path: e.path,
      params: e.params,
      queries,
      ...(e.api === 'k8s'
        ? { kubernetes: kubernetesTarget(e.path, e.params) }
        : {}),
      ...(e.body === undefined ? {} : { body: e.body }),
      ...(e.truncated ? { truncated: true as const } : {}),
    };
    return e.parsed;
  }
}
