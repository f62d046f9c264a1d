import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { LabelMatcher, MatchOp } from '../prometheus/promql/ast';
import { compileAnchoredRegex, unquote } from '../prometheus/promql/parse';
import { parseDuration } from '../util/quantity';

/** A LogQL query the sandbox can answer. */
export type LogQuery =
  | { kind: 'log'; selector: LogSelector }
  | { kind: 'metric'; expr: MetricExpr };

/** A stream selector with its line filters. */
export interface LogSelector {
  matchers: LabelMatcher[];
  filters: LineFilter[];
}

/** `|=`, `!=`, `|~`, `!~` with one or more alternatives (`or`). */
export interface LineFilter {
  op: '|=' | '!=' | '|~' | '!~';
  values: string[];
  regexes?: RegExp[];
}

export type MetricExpr =
  | {
      type: 'range';
      op: 'count_over_time' | 'rate' | 'bytes_over_time' | 'bytes_rate';
      selector: LogSelector;
      rangeMs: number;
    }
  | {
      type: 'aggregate';
      op: 'sum' | 'avg' | 'min' | 'max' | 'count';
      without: boolean;
      grouping: string[];
      expr: MetricExpr;
    };

/** A LogQL error, answered with HTTP 400 and a plain text body. */
export class LogQLError extends Error {}

const FILTER_OPS: Record<string, LineFilter['op']> = {
  PipeExact: '|=',
  Neq: '!=',
  PipeMatch: '|~',
  Nre: '!~',
};
const MATCH_OPS: Record<string, MatchOp> = {
  Eq: '=',
  Neq: '!=',
  Re: '=~',
  Nre: '!~',
};
const RANGE_OPS = ['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate'];
const VECTOR_OPS = ['sum', 'avg', 'min', 'max', 'count'];

/** Compiles an unanchored RE2 style pattern as line filters use it. */
function lineRegex(pattern: string): RegExp {
  const anchored = compileAnchoredRegex(pattern);
  return new RegExp(
    anchored.source.replace(/^\^\(\?:/, '(?:').replace(/\)\$$/, ')'),
    anchored.flags,
  );
}

class Converter {
  constructor(private readonly query: string) {}

  private text(n: SyntaxNode) {
    return this.query.slice(n.from, n.to);
  }

  private kids(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  private all(n: SyntaxNode, name: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const visit = (x: SyntaxNode) => {
      for (const c of this.kids(x)) {
        if (c.name === name) out.push(c);
        else visit(c);
      }
    };
    visit(n);
    return out;
  }

  private unsupported(n: SyntaxNode, what: string): never {
    throw new LogQLError(
      `unsupported LogQL: ${what} (\`${this.text(
        n,
      )}\`); this server supports stream selectors, line filters (|=, !=, |~, !~) and count_over_time, rate, bytes_over_time, bytes_rate with sum, avg, min, max, count`,
    );
  }

  selector(
    selectorNode: SyntaxNode,
    pipeline: SyntaxNode | undefined,
  ): LogSelector {
    const matchers: LabelMatcher[] = this.all(selectorNode, 'Matcher').map(
      m => {
        const parts = this.kids(m);
        const op = MATCH_OPS[parts[1].name];
        const value = unquote(this.text(parts[2]));
        return {
          name: this.text(parts[0]),
          op,
          value,
          regex:
            op === '=~' || op === '!~'
              ? compileAnchoredRegex(value)
              : undefined,
        };
      },
    );
    const nonEmpty = matchers.some(
      m =>
        (m.op === '=' && m.value !== '') ||
        (m.op === '=~' && !m.regex!.test('')),
    );
    if (!nonEmpty) {
      throw new LogQLError(
        'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
      );
    }
    const filters: LineFilter[] = [];
    if (pipeline) {
      for (const stage of this.all(pipeline, 'PipelineStage')) {
        const lineFilters = this.kids(stage).find(
          k => k.name === 'LineFilters',
        );
        if (!lineFilters) {
          const what = this.kids(stage).find(k => k.name !== 'Pipe');
          this.unsupported(
            stage,
            what
              ? `${what.name
                  .replace(/([a-z])([A-Z])/g, '$1 $2')
                  .toLowerCase()} stage`
              : 'pipeline stage',
          );
        }
        for (const f of this.all(lineFilters, 'LineFilter')) {
          const opNode = this.kids(f).find(k => k.name === 'Filter');
          const op = opNode && FILTER_OPS[this.kids(opNode)[0]?.name];
          if (!op) this.unsupported(f, 'line filter operator');
          if (this.all(f, 'FilterOp').length || this.all(f, 'Ip').length)
            this.unsupported(f, 'ip() line filter');
          const values = this.all(f, 'String').map(s => unquote(this.text(s)));
          const filter: LineFilter = { op, values };
          if (op === '|~' || op === '!~') {
            try {
              filter.regexes = values.map(lineRegex);
            } catch (e) {
              throw new LogQLError(
                `parse error : invalid regex in line filter: ${
                  (e as Error).message
                }`,
              );
            }
          }
          filters.push(filter);
        }
      }
    }
    return { matchers, filters };
  }

  metric(n: SyntaxNode): MetricExpr {
    if (n.name === 'Expr' || n.name === 'MetricExpr') {
      const inner = this.kids(n)[0];
      if (!inner) this.unsupported(n, 'empty expression');
      return this.metric(inner);
    }
    if (n.name === 'RangeAggregationExpr') {
      const op = this.text(this.kids(n).find(k => k.name === 'RangeOp')!);
      if (!RANGE_OPS.includes(op))
        this.unsupported(n, `range aggregation ${op}`);
      if (this.kids(n).some(k => k.name === 'Grouping' || k.name === 'Number'))
        this.unsupported(n, 'grouping or parameter on a range aggregation');
      const range = this.kids(n).find(k => k.name === 'LogRangeExpr');
      if (!range) this.unsupported(n, 'unwrapped range aggregation');
      const parts = this.kids(range);
      if (parts.some(p => p.name === 'OffsetExpr' || p.name === 'UnwrapExpr'))
        this.unsupported(range, 'offset or unwrap');
      const selector = parts.find(p => p.name === 'Selector')!;
      const pipeline = parts.find(p => p.name === 'PipelineExpr');
      const duration =
        this.all(range, 'Duration')[0] ?? parts.find(p => p.name === 'Range');
      return {
        type: 'range',
        op: op as any,
        selector: this.selector(selector, pipeline),
        rangeMs: parseDuration(this.text(duration!).replace(/[[\]]/g, '')),
      };
    }
    if (n.name === 'VectorAggregationExpr') {
      const op = this.text(this.kids(n).find(k => k.name === 'VectorOp')!);
      if (!VECTOR_OPS.includes(op))
        this.unsupported(n, `vector aggregation ${op}`);
      const inner = this.kids(n).find(k => k.name === 'MetricExpr');
      if (!inner)
        this.unsupported(n, 'aggregation without a metric expression');
      const grouping = this.kids(n).find(k => k.name === 'Grouping');
      const labels = grouping
        ? this.all(grouping, 'Identifier').map(i => this.text(i))
        : [];
      const without = grouping
        ? this.kids(grouping)[0].name === 'Without'
        : false;
      return {
        type: 'aggregate',
        op: op as any,
        without,
        grouping: labels,
        expr: this.metric(inner),
      };
    }
    return this.unsupported(
      n,
      n.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
    );
  }
}

/** Parses LogQL, raising {@link LogQLError} for syntax errors and unsupported features. */
export function parseLogQL(query: string): LogQuery {
  const tree = parser.parse(query);
  let error: SyntaxNode | undefined;
  tree.iterate({
    enter: n => {
      if (n.type.isError && !error) error = n.node;
    },
  });
  if (error || !query.trim()) {
    const at = error?.from ?? 0;
    const before = query.slice(0, at);
    const col = at - before.lastIndexOf('\n');
    throw new LogQLError(
      `parse error at line ${
        before.split('\n').length
      }, col ${col}: syntax error: unexpected ${
        query.slice(at, at + 10) || 'end of input'
      }`,
    );
  }
  const converter = new Converter(query);
  const expr = tree.topNode.firstChild!;
  const top = expr.firstChild!;
  if (top.name === 'LogExpr') {
    const parts: SyntaxNode[] = [];
    for (let c = top.firstChild; c; c = c.nextSibling) parts.push(c);
    return {
      kind: 'log',
      selector: converter.selector(
        parts.find(p => p.name === 'Selector')!,
        parts.find(p => p.name === 'PipelineExpr'),
      ),
    };
  }
  return { kind: 'metric', expr: converter.metric(top) };
}

/** Whether a line passes all line filters. */
export function linePasses(line: string, filters: LineFilter[]): boolean {
  return filters.every(f => {
    switch (f.op) {
      case '|=':
        return f.values.some(v => line.includes(v));
      case '!=':
        return f.values.every(v => !line.includes(v));
      case '|~':
        return f.regexes!.some(r => r.test(line));
      default:
        return f.regexes!.every(r => !r.test(line));
    }
  });
}
