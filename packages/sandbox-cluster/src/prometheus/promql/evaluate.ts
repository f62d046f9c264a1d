import {
  BinaryOp,
  LabelMatcher,
  MatrixSelectorNode,
  Node,
  PromQLExecutionError,
  PromQLParseError,
  VectorMatching,
  VectorSelectorNode,
} from './ast';
import {
  assertArity,
  ELEMENT_FUNCTIONS,
  quantile,
  RANGE_FUNCTIONS,
} from './functions';
import {
  compareLabels,
  dropName,
  formatFloat,
  InstantSample,
  Labels,
  RangeSeries,
  signature,
  Value,
} from './values';

/** Where the evaluator reads samples from. */
export interface SampleSource {
  /**
   * Series matching all matchers with their samples in (minMs, maxMs].
   * With `latestOnly`, a source may return only each series' last sample
   * in the window (and its staleness markers): all an evaluation at the
   * window's end reads.
   */
  select(
    matchers: LabelMatcher[],
    minMs: number,
    maxMs: number,
    options?: { latestOnly?: boolean },
  ): RangeSeries[];
}

/** Evaluation settings shared by all steps of one query. */
export interface QueryWindow {
  startMs: number;
  endMs: number;
  stepMs: number;
  lookbackMs?: number;
}

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

function arithmetic(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return Math.pow(a, b);
    case 'atan2':
      return Math.atan2(a, b);
    default:
      throw new PromQLExecutionError(`operator "${op}" not allowed here`);
  }
}

function compare(op: BinaryOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    default:
      return a <= b;
  }
}

function matches(labels: Labels, m: LabelMatcher): boolean {
  const value = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    default:
      return !m.regex!.test(value);
  }
}

/** Checks a label set against matchers (used by the series index). */
export function matchesAll(labels: Labels, matchers: LabelMatcher[]): boolean {
  return matchers.every(m => matches(labels, m));
}

function lastIndexAtOrBefore(t: number[], ms: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The mark of a one-to-one match's right-hand sample, once matched. */
const MATCHED = Symbol('matched');

function describe(v: Value): string {
  if (v.type === 'vector') return 'instant vector';
  return v.type === 'matrix' ? 'range vector' : v.type;
}

/**
 * Evaluates PromQL at individual timestamps. Samples for each selector are
 * fetched once for the whole query window and sliced per step.
 */
export class Evaluator {
  private readonly lookbackMs: number;
  private readonly cache = new Map<VectorSelectorNode, RangeSeries[]>();

  constructor(
    private readonly source: SampleSource,
    private readonly window: QueryWindow,
  ) {
    this.lookbackMs = window.lookbackMs ?? 300_000;
  }

  private fetch(
    node: VectorSelectorNode,
    rangeMs: number,
    instant = false,
  ): RangeSeries[] {
    let cached = this.cache.get(node);
    if (!cached) {
      const first = node.atMs ?? this.window.startMs;
      const last = node.atMs ?? this.window.endMs;
      // An instant selector evaluated at one moment reads one sample a
      // series: the last in its look-back window.
      const latestOnly = instant && first === last;
      cached = this.source.select(
        node.matchers,
        first - node.offsetMs - rangeMs,
        last - node.offsetMs,
        { latestOnly },
      );
      this.cache.set(node, cached);
    }
    return cached;
  }

  private instantSelector(
    node: VectorSelectorNode,
    ts: number,
  ): InstantSample[] {
    const ref = (node.atMs ?? ts) - node.offsetMs;
    const out: InstantSample[] = [];
    for (const s of this.fetch(node, this.lookbackMs, true)) {
      const i = lastIndexAtOrBefore(s.t, ref);
      const stale =
        (s.staleAt !== undefined && s.staleAt <= ref) ||
        (i >= 0 && s.staleMarkers?.some(m => m > s.t[i] && m <= ref) === true);
      if (i >= 0 && s.t[i] > ref - this.lookbackMs && !stale) {
        out.push({ labels: s.labels, value: s.v[i] });
      }
    }
    return out;
  }

  private rangeSelector(node: MatrixSelectorNode, ts: number): RangeSeries[] {
    const ref = (node.vector.atMs ?? ts) - node.vector.offsetMs;
    const out: RangeSeries[] = [];
    for (const s of this.fetch(node.vector, node.rangeMs)) {
      const end = lastIndexAtOrBefore(s.t, ref);
      const start = lastIndexAtOrBefore(s.t, ref - node.rangeMs) + 1;
      if (end >= start) {
        out.push({
          labels: s.labels,
          t: s.t.slice(start, end + 1),
          v: s.v.slice(start, end + 1),
        });
      }
    }
    return out;
  }

  /** Evaluates a node at one timestamp. */
  eval(node: Node, ts: number): Value {
    switch (node.type) {
      case 'number':
        return { type: 'scalar', value: node.value };
      case 'string':
        return { type: 'string', value: node.value };
      case 'paren':
        return this.eval(node.expr, ts);
      case 'vectorSelector':
        return { type: 'vector', samples: this.instantSelector(node, ts) };
      case 'matrixSelector':
        return { type: 'matrix', series: this.rangeSelector(node, ts) };
      case 'subquery':
        throw new PromQLParseError(
          'subqueries are not supported by this server',
        );
      case 'unary': {
        const v = this.eval(node.expr, ts);
        if (node.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
        if (v.type === 'vector')
          return {
            type: 'vector',
            samples: v.samples.map(s => ({
              labels: namelessLabels(s.labels),
              value: -s.value,
            })),
          };
        throw new PromQLParseError(
          `unary expression only allowed on expressions of type scalar or instant vector, got "${describe(
            v,
          )}"`,
        );
      }
      case 'call':
        return this.call(node.func, node.args, ts);
      case 'aggregate':
        return this.aggregate(node, ts);
      case 'binary':
        return this.binary(
          node.op,
          node.lhs,
          node.rhs,
          node.returnBool,
          node.matching,
          ts,
        );
      default:
        throw new PromQLExecutionError('unknown expression');
    }
  }

  private expectVector(v: Value, context: string): InstantSample[] {
    if (v.type !== 'vector') {
      throw new PromQLParseError(
        `expected type instant vector in ${context}, got ${describe(v)}`,
      );
    }
    return v.samples;
  }

  private scalarArg(node: Node, ts: number, context: string): number {
    const v = this.eval(node, ts);
    if (v.type !== 'scalar')
      throw new PromQLParseError(
        `expected type scalar in ${context}, got ${describe(v)}`,
      );
    return v.value;
  }

  private call(func: string, args: Node[], ts: number): Value {
    const range = RANGE_FUNCTIONS[func];
    if (range) {
      assertArity(func, args.length, range.params + 1);
      const params = args
        .slice(0, range.params)
        .map(a => this.scalarArg(a, ts, `call to function "${func}"`));
      const arg = args[range.params];
      if (arg.type !== 'matrixSelector') {
        throw new PromQLParseError(
          `expected type range vector in call to function "${func}", got ${
            arg.type === 'subquery' ? 'range vector' : 'instant vector'
          }`,
        );
      }
      const ref = (arg.vector.atMs ?? ts) - arg.vector.offsetMs;
      const window = {
        startMs: ref - arg.rangeMs,
        endMs: ref,
        rangeMs: arg.rangeMs,
      };
      const samples: InstantSample[] = [];
      for (const s of this.rangeSelector(arg, ts)) {
        const value = range.fn(s, window, params);
        if (value !== undefined) {
          samples.push({
            labels: range.keepName ? s.labels : namelessLabels(s.labels),
            value,
          });
        }
      }
      return { type: 'vector', samples };
    }
    const element = ELEMENT_FUNCTIONS[func];
    if (element) {
      if (element.params >= 0)
        assertArity(func, args.length, element.params + 1);
      const vector = this.expectVector(
        this.eval(args[0], ts),
        `call to function "${func}"`,
      );
      const params = args
        .slice(1)
        .map(a => this.scalarArg(a, ts, `call to function "${func}"`));
      return {
        type: 'vector',
        samples: vector.map(s => ({
          labels: namelessLabels(s.labels),
          value: element.fn(s.value, params),
        })),
      };
    }
    switch (func) {
      case 'time':
        assertArity(func, args.length, 0);
        return { type: 'scalar', value: ts / 1000 };
      case 'vector':
        assertArity(func, args.length, 1);
        return {
          type: 'vector',
          samples: [
            {
              labels: {},
              value: this.scalarArg(args[0], ts, 'call to function "vector"'),
            },
          ],
        };
      case 'scalar': {
        assertArity(func, args.length, 1);
        const v = this.expectVector(
          this.eval(args[0], ts),
          'call to function "scalar"',
        );
        return { type: 'scalar', value: v.length === 1 ? v[0].value : NaN };
      }
      case 'timestamp': {
        assertArity(func, args.length, 1);
        const arg = args[0];
        if (arg.type !== 'vectorSelector') {
          const v = this.expectVector(
            this.eval(arg, ts),
            'call to function "timestamp"',
          );
          return {
            type: 'vector',
            samples: v.map(s => ({
              labels: namelessLabels(s.labels),
              value: ts / 1000,
            })),
          };
        }
        const ref = (arg.atMs ?? ts) - arg.offsetMs;
        const out: InstantSample[] = [];
        for (const s of this.fetch(arg, this.lookbackMs, true)) {
          const i = lastIndexAtOrBefore(s.t, ref);
          if (i >= 0 && s.t[i] > ref - this.lookbackMs)
            out.push({
              labels: namelessLabels(s.labels),
              value: s.t[i] / 1000,
            });
        }
        return { type: 'vector', samples: out };
      }
      case 'sort':
      case 'sort_desc': {
        assertArity(func, args.length, 1);
        const v = this.expectVector(
          this.eval(args[0], ts),
          `call to function "${func}"`,
        );
        const sorted = [...v].sort((a, b) =>
          func === 'sort' ? a.value - b.value : b.value - a.value,
        );
        return { type: 'vector', samples: sorted };
      }
      case 'absent': {
        assertArity(func, args.length, 1);
        const v = this.expectVector(
          this.eval(args[0], ts),
          'call to function "absent"',
        );
        if (v.length) return { type: 'vector', samples: [] };
        const labels: Labels = {};
        if (args[0].type === 'vectorSelector') {
          for (const m of args[0].matchers)
            if (m.op === '=' && m.name !== '__name__') labels[m.name] = m.value;
        }
        return { type: 'vector', samples: [{ labels, value: 1 }] };
      }
      default:
        throw new PromQLParseError(
          `function "${func}" is not supported by this server (supported: ${[
            ...Object.keys(RANGE_FUNCTIONS),
            ...Object.keys(ELEMENT_FUNCTIONS),
            'time',
            'vector',
            'scalar',
            'timestamp',
            'sort',
            'sort_desc',
            'absent',
          ].join(', ')})`,
        );
    }
  }

  private aggregate(
    node: Extract<Node, { type: 'aggregate' }>,
    ts: number,
  ): Value {
    const samples = this.expectVector(
      this.eval(node.expr, ts),
      'aggregation expression',
    );
    const param = node.param ? this.eval(node.param, ts) : undefined;
    const groups = node.without
      ? groupWithout(samples, node.grouping)
      : groupBy(samples, sortedGrouping(node.grouping));
    const out: InstantSample[] = [];
    for (const { labels, items } of groups) {
      const values = items.map(i => i.value);
      switch (node.op) {
        case 'sum': {
          let sum = 0;
          let c = 0;
          for (const v of values) {
            const t = sum + v;
            c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
            sum = t;
          }
          out.push({ labels, value: sum + c });
          break;
        }
        case 'avg': {
          let mean = 0;
          values.forEach((v, i) => {
            mean += (v - mean) / (i + 1);
          });
          out.push({ labels, value: mean });
          break;
        }
        case 'max':
          out.push({
            labels,
            value: values.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a)),
          });
          break;
        case 'min':
          out.push({
            labels,
            value: values.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a)),
          });
          break;
        case 'count':
          out.push({ labels, value: values.length });
          break;
        case 'group':
          out.push({ labels, value: 1 });
          break;
        case 'stddev':
        case 'stdvar': {
          let mean = 0;
          let aux = 0;
          values.forEach((v, i) => {
            const d = v - mean;
            mean += d / (i + 1);
            aux += d * (v - mean);
          });
          const variance = aux / values.length;
          out.push({
            labels,
            value: node.op === 'stddev' ? Math.sqrt(variance) : variance,
          });
          break;
        }
        case 'quantile': {
          if (param?.type !== 'scalar')
            throw new PromQLParseError(
              'expected type scalar in aggregation parameter',
            );
          out.push({ labels, value: quantile(param.value, values) });
          break;
        }
        case 'topk':
        case 'bottomk': {
          if (param?.type !== 'scalar')
            throw new PromQLParseError(
              'expected type scalar in aggregation parameter',
            );
          const k = Math.floor(param.value);
          const sorted = [...items].sort((a, b) =>
            node.op === 'topk' ? b.value - a.value : a.value - b.value,
          );
          out.push(...sorted.slice(0, Math.max(0, k)));
          break;
        }
        default:
          throw new PromQLParseError(
            `aggregation "${node.op}" is not supported by this server`,
          );
      }
    }
    return { type: 'vector', samples: out };
  }

  private matchSignature(
    sample: InstantSample,
    matching: VectorMatching | undefined,
  ): string {
    const labels = sample.labels;
    if (!matching?.on && !matching?.labels.length) {
      return sample.namelessSignature ?? namelessSignature(labels);
    }
    if (matching?.on) {
      const picked: Labels = {};
      for (const l of matching.labels)
        if (labels[l] !== undefined) picked[l] = labels[l];
      return signature(picked);
    }
    const rest = dropName(labels);
    for (const l of matching?.labels ?? []) delete rest[l];
    return signature(rest);
  }

  private binary(
    op: BinaryOp,
    lhsNode: Node,
    rhsNode: Node,
    returnBool: boolean,
    matching: VectorMatching | undefined,
    ts: number,
  ): Value {
    const lhs = this.eval(lhsNode, ts);
    const rhs = this.eval(rhsNode, ts);
    const comparison = COMPARISON.has(op);
    if (
      (lhs.type !== 'scalar' && lhs.type !== 'vector') ||
      (rhs.type !== 'scalar' && rhs.type !== 'vector')
    ) {
      throw new PromQLParseError(
        `binary expression must contain only scalar and instant vector types`,
      );
    }
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      if (comparison)
        return {
          type: 'scalar',
          value: compare(op, lhs.value, rhs.value) ? 1 : 0,
        };
      return { type: 'scalar', value: arithmetic(op, lhs.value, rhs.value) };
    }
    if (SET_OPS.has(op)) {
      if (lhs.type !== 'vector' || rhs.type !== 'vector') {
        throw new PromQLParseError(
          `set operator "${op}" not allowed in binary scalar expression`,
        );
      }
      return this.setOperation(op, lhs.samples, rhs.samples, matching);
    }
    if (lhs.type === 'scalar' || rhs.type === 'scalar') {
      const swap = lhs.type === 'scalar';
      const vector = (swap ? rhs : lhs) as { samples: InstantSample[] };
      const scalar = ((swap ? lhs : rhs) as { value: number }).value;
      const out: InstantSample[] = [];
      for (const s of vector.samples) {
        const a = swap ? scalar : s.value;
        const b = swap ? s.value : scalar;
        const labels =
          returnBool || !comparison ? dropName(s.labels) : s.labels;
        if (comparison) {
          const keep = compare(op, a, b);
          if (returnBool) out.push({ labels, value: keep ? 1 : 0 });
          else if (keep) out.push({ labels, value: s.value });
        } else {
          out.push({ labels, value: arithmetic(op, a, b) });
        }
      }
      return { type: 'vector', samples: out };
    }
    return this.vectorBinary(
      op,
      lhs.samples,
      rhs.samples,
      returnBool,
      matching,
    );
  }

  private setOperation(
    op: BinaryOp,
    lhs: InstantSample[],
    rhs: InstantSample[],
    matching: VectorMatching | undefined,
  ): Value {
    const rightSigs = new Set(rhs.map(s => this.matchSignature(s, matching)));
    if (op === 'and')
      return {
        type: 'vector',
        samples: lhs.filter(s =>
          rightSigs.has(this.matchSignature(s, matching)),
        ),
      };
    if (op === 'unless')
      return {
        type: 'vector',
        samples: lhs.filter(
          s => !rightSigs.has(this.matchSignature(s, matching)),
        ),
      };
    const leftSigs = new Set(lhs.map(s => this.matchSignature(s, matching)));
    return {
      type: 'vector',
      samples: [
        ...lhs,
        ...rhs.filter(s => !leftSigs.has(this.matchSignature(s, matching))),
      ],
    };
  }

  private vectorBinary(
    op: BinaryOp,
    lhs: InstantSample[],
    rhs: InstantSample[],
    returnBool: boolean,
    matching: VectorMatching | undefined,
  ): Value {
    const card = matching?.card ?? 'one-to-one';
    const comparison = COMPARISON.has(op);
    // The "one" side must have unique signatures.
    const [manySide, oneSide, swapped] =
      card === 'one-to-many' ? [rhs, lhs, true] : [lhs, rhs, false];
    // One-to-one: a matched sample's entry becomes MATCHED, so a second
    // match of the same signature is found without another set.
    const one = new Map<string, InstantSample | typeof MATCHED>();
    for (const s of oneSide) {
      const sig = this.matchSignature(s, matching);
      const before = one.get(sig) as InstantSample | undefined;
      if (before) {
        throw new PromQLExecutionError(
          `found duplicate series for the match group ${sig
            .split('\u0000')
            .join('=')
            .split('\u0001')
            .join(', ')} on the ${
            swapped ? 'left' : 'right'
          } hand-side of the operation: [${JSON.stringify(
            before.labels,
          )}, ${JSON.stringify(
            s.labels,
          )}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      one.set(sig, s);
    }
    const out: InstantSample[] = [];
    const outSigs = new Set<string>();
    for (const s of manySide) {
      const sig = this.matchSignature(s, matching);
      const other = one.get(sig);
      if (!other) continue;
      if (other === MATCHED) {
        throw new PromQLExecutionError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      if (card === 'one-to-one') one.set(sig, MATCHED);
      const l = swapped ? other : s;
      const r = swapped ? s : other;
      let value: number;
      let keep = true;
      if (comparison) {
        keep = compare(op, l.value, r.value);
        value = returnBool ? Number(keep) : l.value;
        if (returnBool) keep = true;
      } else {
        value = arithmetic(op, l.value, r.value);
      }
      if (!keep) continue;
      let labels: Labels =
        !comparison || returnBool ? dropName(s.labels) : { ...s.labels };
      if (card === 'one-to-one') {
        if (matching?.on) {
          const kept: Labels = {};
          for (const k of matching.labels)
            if (labels[k] !== undefined) kept[k] = labels[k];
          labels = kept;
        } else {
          for (const k of matching?.labels ?? []) delete labels[k];
        }
      } else {
        for (const k of matching?.include ?? []) {
          if (other.labels[k] !== undefined && other.labels[k] !== '')
            labels[k] = other.labels[k];
          else delete labels[k];
        }
      }
      if (card !== 'one-to-one') {
        const outSig = signature(labels);
        if (outSigs.has(outSig)) {
          throw new PromQLExecutionError(
            'multiple matches for labels: grouping labels must ensure unique matches',
          );
        }
        outSigs.add(outSig);
        out.push({ labels, value });
      } else if (!matching?.on && !matching?.labels.length) {
        // Matched on every label but the name, which the result holds:
        // its own default signature is the one just matched on.
        out.push({ labels, value, namelessSignature: sig });
      } else {
        out.push({ labels, value });
      }
    }
    return { type: 'vector', samples: out };
  }
}

/** The result of an instant or range query in API form. */
export type QueryResult =
  | { resultType: 'scalar' | 'string'; result: [number, string] }
  | {
      resultType: 'vector';
      result: Array<{ metric: Labels; value: [number, string] }>;
    }
  | {
      resultType: 'matrix';
      result: Array<{ metric: Labels; values: Array<[number, string]> }>;
    };

/** Runs an instant query. */
export function instantQuery(
  source: SampleSource,
  node: Node,
  ts: number,
): QueryResult {
  const evaluator = new Evaluator(source, {
    startMs: ts,
    endMs: ts,
    stepMs: 1,
  });
  const v = evaluator.eval(node, ts);
  const t = ts / 1000;
  switch (v.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [t, formatFloat(v.value)] };
    case 'string':
      return { resultType: 'string', result: [t, v.value] };
    case 'vector':
      assertUnique(v.samples);
      return {
        resultType: 'vector',
        result: v.samples.map(s => ({
          metric: s.labels,
          value: [t, formatFloat(s.value)],
        })),
      };
    default:
      return {
        resultType: 'matrix',
        result: v.series
          .sort((a, b) => compareLabels(a.labels, b.labels))
          .map(s => ({
            metric: s.labels,
            values: s.t.map(
              (x, i) => [x / 1000, formatFloat(s.v[i])] as [number, string],
            ),
          })),
      };
  }
}

/** The samples an aggregation reduces to one output sample. */
type Group = { labels: Labels; items: InstantSample[] };

/** Groups samples by their labels less the name and the `without` labels. */
function groupWithout(samples: InstantSample[], without: string[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const labels = dropName(s.labels);
    for (const l of without) delete labels[l];
    const key = signature(labels);
    let group = groups.get(key);
    if (!group) {
      group = { labels, items: [] };
      groups.set(key, group);
    }
    group.items.push(s);
  }
  return [...groups.values()];
}

/**
 * Groups samples by the values of the (sorted) `by` labels, missing and
 * empty alike, through one map a label: no key is built a sample, and a
 * label set is only made for a new group. Groups come in order of their
 * first sample.
 */
function groupBy(samples: InstantSample[], by: string[]): Group[] {
  const groups: Group[] = [];
  if (by.length === 0) {
    if (samples.length) groups.push({ labels: {}, items: [...samples] });
    return groups;
  }
  const root = new Map<string, any>();
  const last = by.length - 1;
  for (const s of samples) {
    let level = root;
    for (let i = 0; i < last; i++) {
      const v = s.labels[by[i]] ?? '';
      let next = level.get(v);
      if (!next) {
        next = new Map<string, any>();
        level.set(v, next);
      }
      level = next;
    }
    const v = s.labels[by[last]] ?? '';
    let group: Group | undefined = level.get(v);
    if (!group) {
      const labels: Labels = {};
      for (const l of by) {
        const value = s.labels[l];
        if (value !== undefined && value !== '') labels[l] = value;
      }
      group = { labels, items: [] };
      level.set(v, group);
      groups.push(group);
    }
    group.items.push(s);
  }
  return groups;
}

const sortedGroupings = new WeakMap<string[], string[]>();

/** An aggregation's `by` labels, sorted and without repeats (kept per node). */
function sortedGrouping(grouping: string[]): string[] {
  let sorted = sortedGroupings.get(grouping);
  if (!sorted) {
    sorted = [...new Set(grouping)].sort();
    sortedGroupings.set(grouping, sorted);
  }
  return sorted;
}

const nameless = new WeakMap<Labels, Labels>();

/**
 * A label set without its metric name, made once per label set: the
 * functions of a range query drop the name of the same series at every
 * step. Never to be changed (copy it first).
 */
function namelessLabels(labels: Labels): Labels {
  let out = nameless.get(labels);
  if (!out) {
    out = dropName(labels);
    nameless.set(labels, out);
  }
  return out;
}

const signatures = new WeakMap<Labels, string>();

/** The signature of a label set of a result, kept per label set. */
function labelsSignature(labels: Labels): string {
  let sig = signatures.get(labels);
  if (sig === undefined) {
    sig = signature(labels);
    signatures.set(labels, sig);
  }
  return sig;
}

const namelessSignatures = new WeakMap<Labels, string>();

/**
 * The signature of a label set without its metric name, what vectors are
 * matched on by default; kept per label set, as the same series' labels
 * are matched again and again (label sets are never changed once made).
 */
function namelessSignature(labels: Labels): string {
  let sig = namelessSignatures.get(labels);
  if (sig === undefined) {
    sig = signature(dropName(labels));
    namelessSignatures.set(labels, sig);
  }
  return sig;
}

/**
 * Refuses a vector with two samples of one label set, as Prometheus does
 * for a query's and a rule's result.
 */
export function assertUnique(samples: InstantSample[]): string[] {
  const seen = new Set<string>();
  const sigs: string[] = [];
  for (const s of samples) {
    const sig = labelsSignature(s.labels);
    if (seen.has(sig))
      throw new PromQLExecutionError(
        'vector cannot contain metrics with the same labelset',
      );
    seen.add(sig);
    sigs.push(sig);
  }
  return sigs;
}

/** Runs a range query: the expression at every step from start to end. */
export function rangeQuery(
  source: SampleSource,
  node: Node,
  window: QueryWindow,
): QueryResult {
  const evaluator = new Evaluator(source, window);
  const series = new Map<
    string,
    { metric: Labels; values: Array<[number, string]> }
  >();
  for (let ts = window.startMs; ts <= window.endMs; ts += window.stepMs) {
    const v = evaluator.eval(node, ts);
    if (v.type === 'scalar') {
      const entry = series.get('') ?? { metric: {}, values: [] };
      entry.values.push([ts / 1000, formatFloat(v.value)]);
      series.set('', entry);
    } else if (v.type === 'vector') {
      const sigs = assertUnique(v.samples);
      v.samples.forEach((s, i) => {
        const sig = sigs[i];
        const entry = series.get(sig) ?? { metric: s.labels, values: [] };
        entry.values.push([ts / 1000, formatFloat(s.value)]);
        series.set(sig, entry);
      });
    } else {
      throw new PromQLParseError(
        `invalid expression type "${describe(
          v,
        )}" for range query, must be Scalar or instant Vector`,
      );
    }
  }
  return {
    resultType: 'matrix',
    result: [...series.values()].sort((a, b) =>
      compareLabels(a.metric, b.metric),
    ),
  };
}
