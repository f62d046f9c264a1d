import { InputError } from '@backstage/errors';
import { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import {
  AnnotationGrammar,
  parseAnnotation,
  readMatcher,
} from './annotationMatchers';
import { describeValue } from './describe';
import { LabelMatcher } from './matchers';
import { matcherFromAnnotation } from './narrowing';

/** Longest extra-matchers annotation accepted. */
export const MAX_ANNOTATION_LENGTH = 1024;

// Everything a bare matcher list parses into. Any other node (a metric name,
// a function, an operator, a comment, an error) means more than matchers.
const ALLOWED_NODES = new Set([
  'PromQL',
  'VectorSelector',
  'LabelMatchers',
  'UnquotedLabelMatcher',
  'LabelName',
  'MatchOp',
  'EqlSingle',
  'Neq',
  'EqlRegex',
  'NeqRegex',
  'StringLiteral',
]);

function reject(text: string, why: string): InputError {
  return new InputError(
    `Invalid extra PromQL matchers ${describeValue(text)}: ${why}`,
  );
}

const PROMQL_MATCHERS: AnnotationGrammar = {
  parser,
  maxLength: MAX_ANNOTATION_LENGTH,
  reject,
  disallowed(node) {
    if (node.name === 'Identifier') {
      return 'it may not name a metric';
    }
    if (node.name === 'QuotedLabelMatcher') {
      return 'quoted label names are not supported';
    }
    return ALLOWED_NODES.has(node.name)
      ? undefined
      : `it must be a bare matcher list like {cluster="eu-1"}, found ${node.name}`;
  },
};

/**
 * Parses an annotation holding extra PromQL matchers, e.g.
 * `{cluster="eu-1",env=~"prod|staging"}`, into matchers that narrow every
 * Prometheus selector of a pod scope.
 *
 * @remarks
 * Accepted: one bare `{…}` list of at least one matcher; label names in the
 * classic charset, not `__…` and not the scope's own `namespace`, `pod` or
 * `container`; `=` and `!=` with any string value; `=~` and `!~` only with a
 * plain list of alternatives such as `a|b`, which is rebuilt with escaping.
 * Rejected: metric names, functions, operators, offsets, ranges, comments,
 * quoted label names and anything that does not parse.
 *
 * @throws InputError naming the problem.
 */
export function extraMatchersFromAnnotation(text: string): LabelMatcher[] {
  const { source, tree } = parseAnnotation(text, PROMQL_MATCHERS);
  const selector = tree.topNode.firstChild;
  const list = selector?.getChild('LabelMatchers');
  if (
    !selector ||
    selector.name !== 'VectorSelector' ||
    selector.from !== 0 ||
    selector.to !== source.length ||
    selector.nextSibling ||
    !list
  ) {
    throw reject(text, 'it must be a single bare matcher list');
  }
  const matchers = list
    .getChildren('UnquotedLabelMatcher')
    .map(node => toMatcher(source, node));
  if (matchers.length === 0) {
    throw reject(text, 'it holds no matcher');
  }
  return matchers;
}

function toMatcher(source: string, node: SyntaxNode): LabelMatcher {
  const name = node.getChild('LabelName');
  const op = node.getChild('MatchOp');
  const value = node.getChild('StringLiteral');
  if (!name || !op || !value) {
    throw reject(source, 'a matcher is incomplete');
  }
  const matcher = readMatcher(source, { name, op, value });
  return matcherFromAnnotation(matcher.name, matcher.op, matcher.value);
}
