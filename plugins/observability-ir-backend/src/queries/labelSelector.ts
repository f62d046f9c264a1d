import { InputError } from '@backstage/errors';
import { describeValue } from './describe';
import { isDnsSubdomain } from './kubernetesNames';

/** One requirement of a Kubernetes label selector. */
export type LabelRequirement =
  | { key: string; operator: 'exists' | 'notExists' }
  | { key: string; operator: 'equals' | 'notEquals'; value: string }
  | { key: string; operator: 'in' | 'notIn'; values: string[] };

const NAME = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** Why `key` is not a Kubernetes label key (`[prefix/]name`), if it is not. */
function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > 253) {
      return 'its prefix must hold 1 to 253 characters';
    }
    if (!isDnsSubdomain(prefix)) {
      return 'its prefix must be a DNS subdomain';
    }
  }
  if (name.length === 0 || name.length > 63) {
    return 'its name must hold 1 to 63 characters';
  }
  if (!NAME.test(name)) {
    return 'its name may only hold letters, digits, "-", "_" or "." and must be alphanumeric at both ends';
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value, if it is not. */
function valueProblem(value: string): string | undefined {
  if (value.length > 63) {
    return 'it must hold at most 63 characters';
  }
  if (value !== '' && !NAME.test(value)) {
    return 'it may only hold letters, digits, "-", "_" or "." and must be alphanumeric at both ends';
  }
  return undefined;
}

type Token = {
  kind:
    | 'id'
    | 'in'
    | 'notin'
    | '!'
    | '='
    | '=='
    | '!='
    | '('
    | ')'
    | ','
    | '<'
    | '>'
    | 'end';
  text: string;
  pos: number;
};

const WHITESPACE = /[ \t\r\n]/;
const SPECIAL = /[=!(),<>]/;

// The lexer of apimachinery's labels.Parse: operators and parentheses are
// tokens, any other run of non-blank characters is an identifier (checked as
// a key or value later), and "in"/"notin" are keywords.
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (WHITESPACE.test(c)) {
      i += 1;
    } else if (SPECIAL.test(c)) {
      const two = input.slice(i, i + 2);
      const text = two === '==' || two === '!=' ? two : c;
      tokens.push({ kind: text as Token['kind'], text, pos: i });
      i += text.length;
    } else {
      const start = i;
      while (
        i < input.length &&
        !WHITESPACE.test(input[i]) &&
        !SPECIAL.test(input[i])
      ) {
        i += 1;
      }
      const text = input.slice(start, i);
      const kind = text === 'in' || text === 'notin' ? text : 'id';
      tokens.push({ kind, text, pos: start });
    }
  }
  tokens.push({ kind: 'end', text: '', pos: input.length });
  return tokens;
}

/** Longest selector accepted. */
export const MAX_LABEL_SELECTOR_LENGTH = 4096;

/**
 * Parses a Kubernetes label selector with the grammar of apimachinery's
 * `labels.Parse`: comma-separated `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)` and `key notin (a,b)`.
 *
 * @remarks
 * Differences from `labels.Parse`: an empty selector is refused (it would
 * select everything) and the numeric `<`/`>` operators are not supported.
 * Requirements are returned in input order.
 *
 * @throws InputError naming the position and the problem.
 */
export function parseLabelSelector(input: string): LabelRequirement[] {
  if (input.length > MAX_LABEL_SELECTOR_LENGTH) {
    throw new InputError(
      `Label selector is longer than ${MAX_LABEL_SELECTOR_LENGTH} characters`,
    );
  }
  const tokens = tokenize(input);
  let at = 0;
  const peek = () => tokens[at];
  const fail = (token: Token, why: string): never => {
    throw new InputError(
      `Invalid label selector ${describeValue(input)} at position ${
        token.pos
      }: ${why}`,
    );
  };
  const expect = (kind: Token['kind'], what: string): Token => {
    const token = tokens[at];
    if (token.kind !== kind) {
      fail(token, `expected ${what}, found ${describeToken(token)}`);
    }
    at += 1;
    return token;
  };
  const key = (): string => {
    const token = expect('id', 'a label key');
    const problem = keyProblem(token.text);
    if (problem) {
      fail(token, `invalid key ${describeValue(token.text)}: ${problem}`);
    }
    return token.text;
  };
  // A value may be empty: "key=" and "key in (a,)" are valid.
  const value = (): string => {
    const token = peek();
    if (token.kind !== 'id') {
      return '';
    }
    at += 1;
    const problem = valueProblem(token.text);
    if (problem) {
      fail(token, `invalid value ${describeValue(token.text)}: ${problem}`);
    }
    return token.text;
  };

  if (peek().kind === 'end') {
    fail(peek(), 'an empty selector would select everything');
  }
  const requirements: LabelRequirement[] = [];
  for (;;) {
    if (peek().kind === '!') {
      at += 1;
      requirements.push({ key: key(), operator: 'notExists' });
    } else {
      const k = key();
      const op = peek();
      if (op.kind === '=' || op.kind === '==' || op.kind === '!=') {
        at += 1;
        const v = value();
        requirements.push({
          key: k,
          operator: op.kind === '!=' ? 'notEquals' : 'equals',
          value: v,
        });
      } else if (op.kind === 'in' || op.kind === 'notin') {
        at += 1;
        expect('(', '"("');
        const values = [value()];
        while (peek().kind === ',') {
          at += 1;
          values.push(value());
        }
        expect(')', '")" or ","');
        requirements.push({
          key: k,
          operator: op.kind === 'in' ? 'in' : 'notIn',
          values,
        });
      } else if (op.kind === '<' || op.kind === '>') {
        fail(op, 'the numeric operators < and > are not supported');
      } else {
        requirements.push({ key: k, operator: 'exists' });
      }
    }
    const next = peek();
    if (next.kind === 'end') {
      return requirements;
    }
    if (next.kind !== ',') {
      fail(next, `expected "," or the end, found ${describeToken(next)}`);
    }
    at += 1;
  }
}

function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end' : describeValue(token.text);
}

/**
 * Renders requirements as the canonical selector string the Kubernetes API
 * takes: requirements sorted by key, set values sorted and de-duplicated.
 *
 * @throws InputError if a key or value is invalid, or there is no requirement.
 */
export function renderLabelSelector(
  requirements: readonly LabelRequirement[],
): string {
  if (requirements.length === 0) {
    throw new InputError(
      'A label selector needs at least one requirement; an empty one selects everything',
    );
  }
  const checkValue = (v: string) => {
    const problem = valueProblem(v);
    if (problem) {
      throw new InputError(
        `Invalid label value ${describeValue(v)}: ${problem}`,
      );
    }
    return v;
  };
  const rendered = requirements.map(r => {
    const problem = keyProblem(r.key);
    if (problem) {
      throw new InputError(
        `Invalid label key ${describeValue(r.key)}: ${problem}`,
      );
    }
    switch (r.operator) {
      case 'exists':
        return { key: r.key, text: r.key };
      case 'notExists':
        return { key: r.key, text: `!${r.key}` };
      case 'equals':
        return { key: r.key, text: `${r.key}=${checkValue(r.value)}` };
      case 'notEquals':
        return { key: r.key, text: `${r.key}!=${checkValue(r.value)}` };
      case 'in':
      case 'notIn': {
        if (r.values.length === 0) {
          throw new InputError(`The set of values for ${r.key} is empty`);
        }
        const values = [...new Set(r.values.map(checkValue))].sort();
        const op = r.operator === 'in' ? 'in' : 'notin';
        return { key: r.key, text: `${r.key} ${op} (${values.join(',')})` };
      }
      default:
        throw new InputError('Unknown label selector operator');
    }
  });
  return rendered
    .sort((a, b) => compareCodeUnits(a.key, b.key))
    .map(r => r.text)
    .join(',');
}

// Plain code-unit order (not locale order), like Go's sort of the keys.
function compareCodeUnits(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/** The label Backstage's Kubernetes plugin uses to tie objects to an entity. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * The selector `backstage.io/kubernetes-id=<id>`.
 *
 * @throws InputError unless `id` is a non-empty Kubernetes label value.
 */
export function labelSelectorForKubernetesId(id: string): string {
  if (id === '') {
    throw new InputError('The kubernetes id must not be empty');
  }
  return renderLabelSelector([
    { key: KUBERNETES_ID_LABEL, operator: 'equals', value: id },
  ]);
}
