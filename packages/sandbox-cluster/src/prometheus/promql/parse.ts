import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { parseDuration } from '../../util/quantity';
import {
  BinaryOp,
  LabelMatcher,
  MatchOp,
  Node,
  PromQLParseError,
  VectorMatching,
  VectorSelectorNode,
} from './ast';

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  Atan2: 'atan2',
};
const MATCH_OPS: Record<string, MatchOp> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

/** Unquotes a PromQL string literal ("...", '...' or `...`). */
export function unquote(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (quote === '`') {
    return body;
  }
  return body.replace(
    /\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g,
    (_, e: string) => {
      switch (e[0]) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case 'a':
          return '\x07';
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'v':
          return '\v';
        case 'u':
          return String.fromCharCode(parseInt(e.slice(1), 16));
        case 'x':
          return String.fromCharCode(parseInt(e.slice(1), 16));
        default:
          return /^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
      }
    },
  );
}

/**
 * Compiles an RE2 style pattern the way Prometheus anchors it: the whole
 * value must match and `.` matches newlines. A leading `(?i)` becomes the
 * case-insensitive flag.
 */
export function compileAnchoredRegex(pattern: string): RegExp {
  let flags = 's';
  let source = pattern;
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    if (inline[1].includes('i')) flags += 'i';
    source = source.slice(inline[0].length);
  }
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (e) {
    throw new PromQLParseError(
      `error parsing regexp: ${(e as Error).message.replace(
        /^Invalid regular expression: /,
        '',
      )}`,
    );
  }
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(lower)) return parseInt(lower, 16);
  if (/^[0-9]+(ms|s|m|h|d|w|y)/.test(lower) && !/^[0-9.]+e/.test(lower))
    return parseDuration(lower) / 1000;
  const n = Number(text);
  if (Number.isNaN(n)) {
    throw new PromQLParseError(`bad number or duration syntax: "${text}"`);
  }
  return n;
}

/** Whether a matcher also selects series that lack the label. */
function matchesEmpty(m: LabelMatcher): boolean {
  if (m.regex) return m.regex.test('');
  if (m.op === '=') return m.value === '';
  return m.op === '!=' && m.value !== '';
}

/**
 * Applies a postfix modifier (`[5m]`, `offset 1h`, `@ t`) to the operand it
 * belongs to. The grammar attaches it to the whole expression before it, so
 * `a - b offset 1h` arrives as `(a - b) offset 1h`; Prometheus binds it to
 * the last operand, `a - (b offset 1h)`, and so does this.
 */
function onLastOperand(node: Node, apply: (operand: Node) => Node): Node {
  if (node.type === 'binary') {
    return { ...node, rhs: onLastOperand(node.rhs, apply) };
  }
  if (node.type === 'unary') {
    return { ...node, expr: onLastOperand(node.expr, apply) };
  }
  return apply(node);
}

function selectorOf(node: Node): VectorSelectorNode | undefined {
  if (node.type === 'matrixSelector') return node.vector;
  return node.type === 'vectorSelector' ? node : undefined;
}

class Converter {
  constructor(private readonly query: string) {}

  private text(node: SyntaxNode) {
    return this.query.slice(node.from, node.to);
  }

  private position(node: SyntaxNode) {
    const before = this.query.slice(0, node.from);
    const line = before.split('\n').length;
    const col = node.from - before.lastIndexOf('\n');
    return `${line}:${col}`;
  }

  private fail(node: SyntaxNode, message: string): never {
    throw new PromQLParseError(
      `${this.position(node)}: parse error: ${message}`,
    );
  }

  private children(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) {
      out.push(c);
    }
    return out;
  }

  private duration(node: SyntaxNode): number {
    const text = this.text(node).trim();
    try {
      if (/^-/.test(text)) return -parseDuration(text.slice(1));
      return /^[0-9.]+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
    } catch {
      return this.fail(node, `bad duration syntax: "${text}"`);
    }
  }

  private matchers(node: SyntaxNode): LabelMatcher[] {
    return this.children(node)
      .filter(
        c =>
          c.name === 'UnquotedLabelMatcher' ||
          c.name === 'QuotedLabelMatcher' ||
          c.name === 'QuotedLabelName',
      )
      .map(m => {
        if (m.name === 'QuotedLabelName') {
          return {
            name: '__name__',
            op: '=' as MatchOp,
            value: unquote(this.text(m)),
          };
        }
        const parts = this.children(m);
        const nameNode = parts[0];
        const name =
          nameNode.name === 'QuotedLabelName'
            ? unquote(this.text(nameNode))
            : this.text(nameNode);
        const opNode = parts.find(p => p.name === 'MatchOp');
        const valueNode = parts.find(p => p.name === 'StringLiteral');
        if (!opNode || !valueNode) {
          return this.fail(m, `unexpected "${this.text(m)}" in label matching`);
        }
        const op = MATCH_OPS[opNode.firstChild!.name];
        const value = unquote(this.text(valueNode));
        const matcher: LabelMatcher = { name, op, value };
        if (op === '=~' || op === '!~') {
          matcher.regex = compileAnchoredRegex(value);
        }
        return matcher;
      });
  }

  private vectorSelector(node: SyntaxNode): VectorSelectorNode {
    const parts = this.children(node);
    const ident = parts.find(p => p.name === 'Identifier');
    const matcherNode = parts.find(p => p.name === 'LabelMatchers');
    const matchers = matcherNode ? this.matchers(matcherNode) : [];
    const name = ident
      ? this.text(ident)
      : matchers.find(m => m.name === '__name__' && m.op === '=')?.value;
    if (ident) {
      matchers.unshift({ name: '__name__', op: '=', value: this.text(ident) });
    }
    if (!matchers.some(m => !matchesEmpty(m))) {
      this.fail(
        node,
        'vector selector must contain at least one non-empty matcher',
      );
    }
    return { type: 'vectorSelector', name, matchers, offsetMs: 0 };
  }

  convert(node: SyntaxNode): Node {
    const parts = this.children(node).filter(
      c => c.type.isError === false || c.name !== '⚠',
    );
    if (this.children(node).some(c => c.type.isError)) {
      const bad = this.children(node).find(c => c.type.isError)!;
      this.fail(bad, `unexpected "${this.text(bad) || 'end of input'}"`);
    }
    switch (node.name) {
      case 'PromQL':
        if (!parts.length) this.fail(node, 'no expression found in input');
        return this.convert(parts[0]);
      case 'NumberDurationLiteral':
        return { type: 'number', value: parseNumber(this.text(node)) };
      case 'StringLiteral':
        return { type: 'string', value: unquote(this.text(node)) };
      case 'VectorSelector':
        return this.vectorSelector(node);
      case 'MatrixSelector': {
        const rangeMs = this.duration(parts[1]);
        return onLastOperand(this.convert(parts[0]), inner => {
          if (inner.type !== 'vectorSelector') {
            this.fail(node, 'ranges only allowed for vector selectors');
          }
          return { type: 'matrixSelector', vector: inner, rangeMs };
        });
      }
      case 'OffsetExpr': {
        const offset = this.duration(parts[2]);
        return onLastOperand(this.convert(parts[0]), inner => {
          if (inner.type === 'subquery') {
            return { ...inner, offsetMs: offset };
          }
          const target = selectorOf(inner);
          if (!target)
            this.fail(
              node,
              'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
            );
          target.offsetMs = offset;
          return inner;
        });
      }
      case 'StepInvariantExpr': {
        const at = this.text(parts[2]);
        return onLastOperand(this.convert(parts[0]), inner => {
          const target = selectorOf(inner);
          if (!target)
            this.fail(
              node,
              '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
            );
          if (at === 'start()' || at === 'end()')
            this.fail(node, `@ ${at} is not supported by this server`);
          target.atMs = Number(at) * 1000;
          return inner;
        });
      }
      case 'SubqueryExpr':
        return {
          type: 'subquery',
          expr: this.convert(parts[0]),
          rangeMs: this.duration(parts[1]),
          stepMs: parts[2] ? this.duration(parts[2]) : undefined,
          offsetMs: 0,
        };
      case 'ParenExpr':
        return { type: 'paren', expr: this.convert(parts[0]) };
      case 'UnaryExpr': {
        const op = this.text(parts[0]) as '-' | '+';
        const expr = this.convert(parts[1]);
        if (expr.type === 'number')
          return {
            type: 'number',
            value: op === '-' ? -expr.value : expr.value,
          };
        return { type: 'unary', op, expr };
      }
      case 'FunctionCall': {
        const func = this.text(parts[0]);
        const body = parts[1];
        return {
          type: 'call',
          func,
          args: this.children(body).map(a => this.convert(a)),
        };
      }
      case 'AggregateExpr': {
        const op = this.text(parts[0]);
        const modifier = parts.find(p => p.name === 'AggregateModifier');
        const body = parts.find(p => p.name === 'FunctionCallBody')!;
        const args = this.children(body).map(a => this.convert(a));
        const grouping = modifier
          ? this.children(
              this.children(modifier).find(c => c.name === 'GroupingLabels')!,
            ).map(l => this.text(l))
          : [];
        const without = modifier
          ? this.children(modifier)[0].name === 'Without'
          : false;
        const param = args.length > 1 ? args[0] : undefined;
        const expr = args[args.length - 1];
        if (!expr)
          this.fail(
            node,
            `wrong number of arguments for aggregate expression provided, expected 1, got 0`,
          );
        return {
          type: 'aggregate',
          op,
          without,
          grouping,
          hasGrouping: Boolean(modifier),
          param,
          expr,
        };
      }
      case 'BinaryExpr': {
        const lhs = this.convert(parts[0]);
        const rhs = this.convert(parts[parts.length - 1]);
        const op = BINARY_OPS[parts[1].name];
        if (!op)
          this.fail(parts[1], `unexpected operator "${this.text(parts[1])}"`);
        const returnBool = parts.some(p => p.name === 'BoolModifier');
        const clause = parts.find(p => p.name === 'MatchingModifierClause');
        let matching: VectorMatching | undefined;
        if (clause) {
          const cs = this.children(clause);
          const groupings = cs
            .filter(c => c.name === 'GroupingLabels')
            .map(g => this.children(g).map(l => this.text(l)));
          const left = cs.some(c => c.name === 'GroupLeft');
          const right = cs.some(c => c.name === 'GroupRight');
          matching = {
            on: cs[0].name === 'On',
            labels: groupings[0] ?? [],
            card: cardinality(left, right),
            include: groupings[1] ?? [],
          };
        }
        const comparison = ['==', '!=', '>', '<', '>=', '<='].includes(op);
        if (returnBool && !comparison)
          this.fail(
            node,
            'bool modifier can only be used on comparison operators',
          );
        if (
          comparison &&
          !returnBool &&
          lhs.type === 'number' &&
          rhs.type === 'number'
        ) {
          this.fail(node, 'comparisons between scalars must use BOOL modifier');
        }
        return { type: 'binary', op, lhs, rhs, returnBool, matching };
      }
      default:
        return this.fail(node, `unexpected "${this.text(node)}"`);
    }
  }
}

function cardinality(left: boolean, right: boolean): VectorMatching['card'] {
  if (left) return 'many-to-one';
  return right ? 'one-to-many' : 'one-to-one';
}

/** Parses a PromQL expression; syntax errors raise {@link PromQLParseError}. */
export function parsePromQL(query: string): Node {
  if (!query.trim()) {
    throw new PromQLParseError(
      '1:1: parse error: no expression found in input',
    );
  }
  const tree = parser.parse(query);
  let error: SyntaxNode | undefined;
  tree.iterate({
    enter: n => {
      if (n.type.isError && !error) {
        error = n.node;
      }
    },
  });
  const converter = new Converter(query);
  if (error) {
    const before = query.slice(0, error.from);
    const found =
      query.slice(error.from, error.to) ||
      query.slice(error.from, error.from + 1) ||
      'end of input';
    throw new PromQLParseError(
      `${before.split('\n').length}:${
        error.from - before.lastIndexOf('\n')
      }: parse error: unexpected "${found}"`,
    );
  }
  return converter.convert(tree.topNode);
}
