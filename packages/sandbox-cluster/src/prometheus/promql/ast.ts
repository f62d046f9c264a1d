/** The PromQL syntax tree the evaluator works on. */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled, fully anchored regular expression for =~ and !~. */
  regex?: RegExp;
}

export interface VectorSelectorNode {
  type: 'vectorSelector';
  name?: string;
  matchers: LabelMatcher[];
  offsetMs: number;
  /** `@` modifier: fixed evaluation time in ms. */
  atMs?: number;
}

export interface MatrixSelectorNode {
  type: 'matrixSelector';
  vector: VectorSelectorNode;
  rangeMs: number;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless'
  | 'atan2';

export interface VectorMatching {
  on: boolean;
  labels: string[];
  card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  include: string[];
}

export type Node =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | VectorSelectorNode
  | MatrixSelectorNode
  | { type: 'call'; func: string; args: Node[] }
  | {
      type: 'aggregate';
      op: string;
      without: boolean;
      grouping: string[];
      hasGrouping: boolean;
      param?: Node;
      expr: Node;
    }
  | {
      type: 'binary';
      op: BinaryOp;
      lhs: Node;
      rhs: Node;
      returnBool: boolean;
      matching?: VectorMatching;
    }
  | { type: 'unary'; op: '-' | '+'; expr: Node }
  | { type: 'paren'; expr: Node }
  | {
      type: 'subquery';
      expr: Node;
      rangeMs: number;
      stepMs?: number;
      offsetMs: number;
    };

/** A query error, reported as bad_data (400). */
export class PromQLParseError extends Error {}

/** An evaluation error, reported as execution (422). */
export class PromQLExecutionError extends Error {}
