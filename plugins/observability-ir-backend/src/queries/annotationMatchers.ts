import { InputError } from '@backstage/errors';
import { Parser, SyntaxNode, SyntaxNodeRef, Tree } from '@lezer/common';
import { MatchOperator } from './matchers';
import { unquoteGoString } from './unquote';

/** How the annotations of one query language are parsed and checked. */
export type AnnotationGrammar = {
  parser: Parser;
  /** Longest annotation accepted, once trimmed. */
  maxLength: number;
  /** The error for an annotation `text` that breaks a rule, `why`. */
  reject(text: string, why: string): InputError;
  /** Why a node that parsed is not allowed, or undefined if it is. */
  disallowed(node: SyntaxNodeRef): string | undefined;
};

/**
 * Trims and parses an annotation, rejecting it if it is empty or too long,
 * does not parse, or holds a node the grammar does not allow.
 *
 * @throws InputError from `grammar.reject` naming the first problem.
 */
export function parseAnnotation(
  text: string,
  grammar: AnnotationGrammar,
): { source: string; tree: Tree } {
  const source = text.trim();
  if (source.length === 0 || source.length > grammar.maxLength) {
    throw grammar.reject(
      text,
      `it must hold between 1 and ${grammar.maxLength} characters`,
    );
  }
  const tree = grammar.parser.parse(source);
  // A parse error is reported first: it explains the other oddities.
  let parseError: string | undefined;
  let disallowed: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        parseError ??= `it does not parse at position ${node.from}`;
      } else {
        disallowed ??= grammar.disallowed(node);
      }
    },
  });
  const problem = parseError ?? disallowed;
  if (problem) {
    throw grammar.reject(text, problem);
  }
  return { source, tree };
}

/** The syntax nodes of one matcher: `name op "value"`. */
export type MatcherNodes = {
  name: SyntaxNode;
  op: SyntaxNode;
  value: SyntaxNode;
};

/** A matcher as written in `source`, its value unquoted. */
export function readMatcher(
  source: string,
  nodes: MatcherNodes,
): { name: string; op: MatchOperator; value: string } {
  const text = (node: SyntaxNode) => source.slice(node.from, node.to);
  return {
    name: text(nodes.name),
    op: text(nodes.op) as MatchOperator,
    value: unquoteGoString(text(nodes.value)),
  };
}
