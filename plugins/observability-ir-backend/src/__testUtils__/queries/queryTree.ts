import { Tree, TreeCursor } from '@lezer/common';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { Dialect, goUnquote } from './goUnquote';

/** A matcher read back from a parse tree, its value unquoted. */
export type ParsedMatcher = { name: string; op: string; value: string };

/** A PromQL vector selector or LogQL stream selector read back from a tree. */
export type ParsedSelector = { metric?: string; matchers: ParsedMatcher[] };

/** A LogQL line filter read back from a tree. */
export type ParsedLineFilter = { op: string; value: string };

export type ParsedQuery = {
  selectors: ParsedSelector[];
  lineFilters: ParsedLineFilter[];
  /** Names of every node, in document order. */
  nodeNames: string[];
};

export function parse(query: string, dialect: Dialect): Tree {
  return (dialect === 'promql' ? promqlParser : logqlParser).parse(query);
}

function errorsOf(tree: Tree, query: string): string[] {
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(
          `error node at ${node.from}: ${JSON.stringify(
            query.slice(Math.max(0, node.from - 10), node.to + 10),
          )}`,
        );
      }
    },
  });
  return errors;
}

const STRING_NODES: Record<Dialect, string> = {
  promql: 'StringLiteral',
  logql: 'String',
};

function childText(cursor: TreeCursor, query: string, names: string[]) {
  const found: Record<string, string> = {};
  const node = cursor.node;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (names.includes(child.name)) {
      found[child.name] = query.slice(child.from, child.to);
    }
  }
  return found;
}

/**
 * Parses a query with the real grammar and reads back every selector and
 * line filter. Throws if the tree has an error node.
 */
export function readQuery(query: string, dialect: Dialect): ParsedQuery {
  const tree = parse(query, dialect);
  const errors = errorsOf(tree, query);
  if (errors.length > 0) {
    throw new Error(`query does not parse: ${errors.join('; ')}`);
  }
  const result: ParsedQuery = { selectors: [], lineFilters: [], nodeNames: [] };
  const cursor = tree.cursor();
  let current: ParsedSelector | undefined;
  let currentEnd = -1;
  do {
    result.nodeNames.push(cursor.name);
    if (cursor.from >= currentEnd) current = undefined;
    if (cursor.name === 'VectorSelector' || cursor.name === 'Selector') {
      current = { matchers: [] };
      currentEnd = cursor.to;
      const metric = childText(cursor, query, ['Identifier']).Identifier;
      if (metric !== undefined) current.metric = metric;
      result.selectors.push(current);
    } else if (
      cursor.name === 'UnquotedLabelMatcher' ||
      cursor.name === 'QuotedLabelMatcher' ||
      cursor.name === 'Matcher'
    ) {
      if (!current) throw new Error('matcher outside a selector');
      current.matchers.push(readMatcher(cursor, query, dialect));
    } else if (cursor.name === 'LineFilter') {
      const { Filter, String: value } = childText(cursor, query, [
        'Filter',
        'String',
      ]);
      result.lineFilters.push({ op: Filter, value: goUnquote(value, dialect) });
    }
  } while (cursor.next());
  return result;
}

function readMatcher(
  cursor: TreeCursor,
  query: string,
  dialect: Dialect,
): ParsedMatcher {
  const node = cursor.node;
  const parts: string[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    parts.push(query.slice(child.from, child.to));
  }
  if (parts.length !== 3) {
    throw new Error(`matcher with ${parts.length} parts: ${parts.join(' ')}`);
  }
  const [name, op, value] = parts;
  return {
    name: node.name === 'QuotedLabelMatcher' ? goUnquote(name, dialect) : name,
    op,
    value: goUnquote(value, dialect),
  };
}

/**
 * The query with every string literal replaced by `""`: what is left is the
 * structure no value may change.
 */
export function skeleton(query: string, dialect: Dialect): string {
  const tree = parse(query, dialect);
  let out = '';
  let last = 0;
  tree.iterate({
    enter(node) {
      if (node.name === STRING_NODES[dialect]) {
        out += `${query.slice(last, node.from)}""`;
        last = node.to;
        return false;
      }
      return undefined;
    },
  });
  return out + query.slice(last);
}

/** Whether an RE2 pattern (as Prometheus/Loki anchor it) matches `value`. */
export function fullyMatches(pattern: string, value: string): boolean {
  // Prometheus and Loki compile with DotNL, hence the s flag.
  return new RegExp(`^(?:${pattern})$`, 'su').test(value);
}
