import { badRequest } from './status';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

const KEY =
  /^([a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

function checkKey(key: string, selector: string) {
  if (!KEY.test(key)) {
    throw badRequest(
      `unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') (selector "${selector}")`,
    );
  }
}

function checkValue(value: string, selector: string) {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(
      `unable to parse requirement: values[0]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "${selector}")`,
    );
  }
}

/**
 * The requirements of a label selector (`app=checkout,tier in
 * (backend),!legacy`), checked as the API server checks them: a 400 error
 * otherwise.
 */
export function parseLabelRequirements(selector: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(selector)) {
    const set = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    const absent = /^!\s*(\S+)$/.exec(part);
    if (set) {
      checkKey(set[1], selector);
      const values = set[3]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean);
      values.forEach(v => checkValue(v, selector));
      requirements.push({ key: set[1], op: set[2] as 'in' | 'notin', values });
    } else if (equality) {
      checkKey(equality[1], selector);
      checkValue(equality[3], selector);
      requirements.push({
        key: equality[1],
        op: equality[2] === '!=' ? '!=' : '=',
        value: equality[3],
      });
    } else if (absent) {
      checkKey(absent[1], selector);
      requirements.push({ key: absent[1], op: '!' });
    } else if (/^\S+$/.test(part) && !/[=!()]/.test(part)) {
      checkKey(part, selector);
      requirements.push({ key: part, op: 'exists' });
    } else {
      throw badRequest(
        `unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt (selector "${selector}")`,
      );
    }
  }
  return requirements;
}

/** Parses a label selector (`app=checkout,tier in (backend),!legacy`). */
export function parseLabelSelector(
  selector: string,
): (labels: Record<string, string>) => boolean {
  const requirements = parseLabelRequirements(selector);
  return labels =>
    requirements.every(r => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.op) {
        case '=':
          return has && labels[r.key] === r.value;
        case '!=':
          return !has || labels[r.key] !== r.value;
        case 'in':
          return has && r.values.includes(labels[r.key]);
        case 'notin':
          return !has || !r.values.includes(labels[r.key]);
        case 'exists':
          return has;
        default:
          return !has;
      }
    });
}

/**
 * Parses a field selector against the fields a resource supports, as the
 * API server does: unknown fields are a 400.
 */
export function parseFieldSelector(
  selector: string,
  _resource: string,
  fields: Record<string, (obj: any) => string | undefined>,
): (obj: any) => boolean {
  const tests: Array<(obj: any) => boolean> = [];
  for (const part of splitTopLevel(selector)) {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) {
      throw badRequest(
        `invalid selector: '${selector}'; can't understand '${part}'`,
      );
    }
    const [, field, op, value] = m;
    const get = fields[field.trim()];
    if (!get) {
      throw badRequest(`field label not supported: ${field.trim()}`);
    }
    tests.push(obj => ((get(obj) ?? '') === value) === (op !== '!='));
  }
  return obj => tests.every(t => t(obj));
}
