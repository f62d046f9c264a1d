import { InputError } from '@backstage/errors';
import { SyntaxNode } from '@lezer/common';
import { parser } from '@grafana/lezer-logql';
import {
  AnnotationGrammar,
  MatcherNodes,
  parseAnnotation,
  readMatcher,
} from './annotationMatchers';
import { describeValue } from './describe';
import { escapeLabelValue } from './escaping';
import { LabelMatcher, renderMatchers } from './matchers';
import { matcherFromAnnotation } from './narrowing';
import { PodScope, scopeMatchers } from './scope';

/**
 * The line filter of {@link errorLogs}: a constant, never user text. Besides
 * errors and panics it lets through the memory errors that say neither:
 * Go's `runtime: out of memory`, C++'s `std::bad_alloc`, Rust's `memory
 * allocation of N bytes failed`, libc's `Cannot allocate memory`.
 */
export const ERROR_LINE_PATTERN =
  '(?i)(error|exception|fatal|panic|oom|outofmemory|out of memory|bad_alloc|allocation of [0-9]+ bytes failed|cannot allocate memory)';

/** Longest custom selector annotation accepted. */
export const MAX_SELECTOR_ANNOTATION_LENGTH = 1024;

/**
 * Options of {@link errorLogs}.
 */
export type ErrorLogsOptions = {
  /** A custom LogQL stream selector annotation; see {@link customSelectorFromAnnotation}. */
  selectorAnnotation?: string;
};

/** The stream selector of a scope: `{namespace="…",pod=~"…"[,container="…"]}`. */
export function streamSelector(scope: PodScope): string {
  return renderMatchers(scopeMatchers(scope));
}

/**
 * Log lines of the scope's pods that look like errors:
 * `{namespace="…",pod=~"…"} |~ "(?i)(error|…)"`.
 */
export function errorLogs(
  scope: PodScope,
  options: ErrorLogsOptions = {},
): string {
  const selector =
    options.selectorAnnotation === undefined
      ? streamSelector(scope)
      : customSelectorFromAnnotation(options.selectorAnnotation, scope);
  return `${selector} |~ "${escapeLabelValue(ERROR_LINE_PATTERN)}"`;
}

const ALLOWED_NODES = new Set([
  'LogQL',
  'Expr',
  'LogExpr',
  'Selector',
  'Matchers',
  'Matcher',
  'Identifier',
  'Eq',
  'Neq',
  'Re',
  'Nre',
  'String',
]);

function reject(text: string, why: string): InputError {
  return new InputError(
    `Invalid custom LogQL selector ${describeValue(text)}: ${why}`,
  );
}

const LOGQL_SELECTOR: AnnotationGrammar = {
  parser,
  maxLength: MAX_SELECTOR_ANNOTATION_LENGTH,
  reject,
  disallowed: node =>
    ALLOWED_NODES.has(node.name)
      ? undefined
      : `it must be a plain stream selector like {app="checkout"}, found ${node.name}`,
};

/**
 * Parses an annotation holding a LogQL stream selector (e.g.
 * `{app="checkout"}`) and ANDs it with the scope's own matchers, returning
 * the combined stream selector.
 *
 * @remarks
 * Accepted: one stream selector of plain matchers, under the same rules as
 * extra PromQL matchers (regexes only as plain alternatives `a|b`, no `__…`
 * labels). `namespace` may only repeat the scope's namespace with `=` (it is
 * then dropped as redundant); `pod` and `container` belong to the scope.
 * Rejected: pipelines, line filters, metric queries, comments and anything
 * that does not parse.
 *
 * @throws InputError naming the problem.
 */
export function customSelectorFromAnnotation(
  text: string,
  scope: PodScope,
): string {
  const { source, tree } = parseAnnotation(text, LOGQL_SELECTOR);
  const selector = tree.topNode.getChild('Expr')?.getChild('LogExpr');
  const only = selector?.firstChild;
  if (
    !only ||
    only.name !== 'Selector' ||
    only.nextSibling ||
    only.from !== 0 ||
    only.to !== source.length
  ) {
    throw reject(text, 'it must be a single stream selector');
  }

  const own = scopeMatchers(scope);
  const added: LabelMatcher[] = [];
  for (const nodes of matcherNodes(only)) {
    const { name, op, value } = readMatcher(source, nodes);
    if (name === 'namespace' && op === '=' && value === scope.namespace) {
      continue;
    }
    if (name === 'namespace') {
      throw reject(
        text,
        `it may only repeat the scope's namespace as namespace="${scope.namespace}"`,
      );
    }
    added.push(matcherFromAnnotation(name, op, value));
  }
  return renderMatchers([...own, ...added]);
}

// Matchers nest left-recursively: Matchers(Matchers(Matcher), Matcher).
function matcherNodes(selector: SyntaxNode): MatcherNodes[] {
  const found: MatcherNodes[] = [];
  const cursor = selector.cursor();
  do {
    if (cursor.name === 'Matcher') {
      const node = cursor.node;
      const name = node.getChild('Identifier');
      const op = name?.nextSibling;
      const value = node.getChild('String');
      if (!name || !op || !value) {
        throw new InputError(
          'Invalid custom LogQL selector: incomplete matcher',
        );
      }
      found.push({ name, op, value });
    }
  } while (cursor.next() && cursor.from < selector.to);
  return found;
}
