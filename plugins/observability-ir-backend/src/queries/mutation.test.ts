/**
 * Proves the checks of the other tests can fail: with a broken escaper the
 * same oracle must catch the hostile inputs.
 */
import { BUILDERS } from '../__testUtils__/queries/builders';
import { expectExactQuery } from '../__testUtils__/queries/expectScope';
import * as escaping from './escaping';
import { PodScope } from '.';

jest.mock('./escaping', () => {
  const actual = jest.requireActual('./escaping');
  return {
    ...actual,
    escapeLabelValue: jest.fn(actual.escapeLabelValue),
    escapeRegexValue: jest.fn(actual.escapeRegexValue),
  };
});

const actual = jest.requireActual('./escaping') as typeof escaping;
const labelValue = escaping.escapeLabelValue as jest.Mock;
const regexValue = escaping.escapeRegexValue as jest.Mock;

afterEach(() => {
  labelValue.mockImplementation(actual.escapeLabelValue);
  regexValue.mockImplementation(actual.escapeRegexValue);
});

const scopeWith = (container: string): PodScope => ({
  namespace: 'finance',
  pods: { names: ['api-0'] },
  container,
});

function caught(scope: PodScope): number {
  let failures = 0;
  for (const builder of BUILDERS) {
    try {
      expectExactQuery(builder, scope);
    } catch {
      failures += 1;
    }
  }
  return failures;
}

describe('the oracle catches broken escaping', () => {
  it.each<[string, (v: string) => string, string]>([
    [
      'quotes left alone',
      v => v.replace(/\\/g, '\\\\'),
      'x",namespace="kube-system',
    ],
    ['backslashes left alone', v => v.replace(/"/g, '\\"'), 'pod\\'],
    ['newlines left alone', v => v.replace(/[\\"]/g, '\\$&'), 'a\nb'],
    [
      'controls dropped',
      v => actual.escapeLabelValue(v.replace(/\0/g, '')),
      'a\u0000b',
    ],
    [
      'single quotes escaped',
      v => actual.escapeLabelValue(v).replace(/'/g, "\\'"),
      "'",
    ],
  ])('%s', (_label, broken, hostile) => {
    expect(caught(scopeWith(hostile))).toBe(0);
    labelValue.mockImplementation(broken);
    expect(caught(scopeWith(hostile))).toBe(BUILDERS.length);
  });

  it('regex metacharacters left alone', () => {
    const scope: PodScope = { namespace: 'finance', pods: { names: ['.*'] } };
    expect(caught(scope)).toBe(0);
    regexValue.mockImplementation((v: string) => v);
    expect(caught(scope)).toBe(BUILDERS.length);
  });
});
