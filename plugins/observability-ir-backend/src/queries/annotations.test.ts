import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { fullyMatches, readQuery } from '../__testUtils__/queries/queryTree';
import {
  customSelectorFromAnnotation,
  errorLogs,
  escapeLabelValue,
  extraMatchersFromAnnotation,
  memoryWorkingSet,
  PodScope,
} from '.';

const scope: PodScope = { namespace: 'finance', pods: { names: ['api-0'] } };
const SCOPE = '{namespace="finance",pod=~"(?:api-0)"';

describe('extraMatchersFromAnnotation', () => {
  it.each([
    ['{cluster="eu-1"}', [{ name: 'cluster', op: '=', value: 'eu-1' }]],
    [
      ' { cluster = "eu-1" , env != \'dev\' } ',
      [
        { name: 'cluster', op: '=', value: 'eu-1' },
        { name: 'env', op: '!=', value: 'dev' },
      ],
    ],
    ['{a=`raw\\n`}', [{ name: 'a', op: '=', value: 'raw\\n' }]],
    ['{a="x\\"y"}', [{ name: 'a', op: '=', value: 'x"y' }]],
    [
      '{env=~"prod|staging"}',
      [{ name: 'env', op: '=~', value: '(?:prod|staging)' }],
    ],
    ['{env!~"dev"}', [{ name: 'env', op: '!~', value: '(?:dev)' }]],
    ['{region=""}', [{ name: 'region', op: '=', value: '' }]],
  ])('accepts %s', (text, matchers) => {
    expect(extraMatchersFromAnnotation(text)).toEqual(matchers);
  });

  it('only narrows the scope it is added to', () => {
    const extra = extraMatchersFromAnnotation('{cluster="eu-1"}');
    const query = memoryWorkingSet({
      ...scope,
      extraPrometheusMatchers: extra,
    });
    expect(readQuery(query, 'promql').selectors[0].matchers).toEqual([
      { name: 'namespace', op: '=', value: 'finance' },
      { name: 'pod', op: '=~', value: '(?:api-0)' },
      { name: 'cluster', op: '=', value: 'eu-1' },
      { name: 'container', op: '!=', value: '' },
      { name: 'container', op: '!=', value: 'POD' },
    ]);
  });

  it.each([
    ['', /between 1 and/],
    ['{}', /no matcher/],
    ['{namespace="other"}', /namespace.*scope owns/],
    ['{pod=~".*"}', /scope owns/],
    ['{pod="api-0"}', /pod.*scope owns/],
    ['{container!=""}', /container.*scope owns/],
    ['{__name__="up"}', /reserved/],
    ['{__name__=~".+"}', /reserved/],
    ['up{cluster="eu-1"}', /may not name a metric/],
    ['{cluster="eu-1"} or vector(1)', /BinaryExpr/],
    ['} or vector(1)', /does not parse/],
    ['{cluster="eu-1"} offset 1d', /OffsetExpr/],
    ['{cluster="eu-1"}[5m]', /MatrixSelector/],
    ['rate({cluster="eu-1"}[5m])', /FunctionCall/],
    ['sum({cluster="eu-1"})', /AggregateExpr/],
    ['{cluster="eu-1"} # hi', /LineComment/],
    ['{"cluster"="eu-1"}', /quoted label names/],
    ['{cluster=~".*"}', /plain alternatives/],
    ['{cluster=~"eu-.+"}', /plain alternatives/],
    ['{cluster=~"(?i)eu"}', /plain alternatives/],
    ['{cluster=~""}', /plain alternatives/],
    ['{cluster=~"a||b"}', /plain alternatives/],
    ['{cluster="\\q"}', /unknown escape/],
    ['{cluster="eu-1"', /does not parse/],
    ['{cluster="eu-1"}}', /does not parse/],
    ['{cluster="eu-1"},{a="b"}', /does not parse/],
    ['{cluster="eu-1"}\n{a="b"}', /does not parse/],
    ['cluster="eu-1"', /does not parse/],
    ['{cluster="eu-1"} and {a="b"}', /BinaryExpr/],
    ['{ cluster = "x" } unless {a="b"}', /BinaryExpr/],
    [`{a="${'x'.repeat(1100)}"}`, /between 1 and/],
  ])('rejects %j', (text, message) => {
    expect(() => extraMatchersFromAnnotation(text)).toThrow(InputError);
    expect(() => extraMatchersFromAnnotation(text)).toThrow(message);
  });

  it.each(HOSTILE_INPUTS.filter(([, v]) => v.length < 900))(
    'reads a hostile value back exactly: %s',
    (_label, value) => {
      const text = `{tier="${
        /[\uD800-\uDFFF]/u.test(value) ? '' : escapeLabelValue(value)
      }"}`;
      const expected = /[\uD800-\uDFFF]/u.test(value) ? '' : value;
      expect(extraMatchersFromAnnotation(text)).toEqual([
        { name: 'tier', op: '=', value: expected },
      ]);
    },
  );
});

describe('customSelectorFromAnnotation', () => {
  it.each([
    ['{app="checkout"}', `${SCOPE},app="checkout"}`],
    [
      '{app="checkout", tier!="batch"}',
      `${SCOPE},app="checkout",tier!="batch"}`,
    ],
    ['{namespace="finance",app="x"}', `${SCOPE},app="x"}`],
    ['{app=~"a|b"}', `${SCOPE},app=~"(?:a|b)"}`],
    ['{app=`x"y`}', `${SCOPE},app="x\\"y"}`],
  ])('ANDs %s with the scope', (text, selector) => {
    expect(customSelectorFromAnnotation(text, scope)).toBe(selector);
  });

  it('is used by errorLogs', () => {
    const query = errorLogs(scope, { selectorAnnotation: '{app="checkout"}' });
    const parsed = readQuery(query, 'logql');
    expect(parsed.selectors[0].matchers).toEqual([
      { name: 'namespace', op: '=', value: 'finance' },
      { name: 'pod', op: '=~', value: '(?:api-0)' },
      { name: 'app', op: '=', value: 'checkout' },
    ]);
    expect(parsed.lineFilters).toHaveLength(1);
  });

  it.each([
    ['{namespace="other"}', /only repeat the scope's namespace/],
    ['{namespace!="finance"}', /only repeat/],
    ['{namespace=~"finance|other"}', /only repeat/],
    ['{pod=~".*"}', /scope owns/],
    ['{pod="api-0"}', /scope owns/],
    ['{container="x"}', /scope owns/],
    ['{__stream_shard__="1"}', /reserved/],
    ['{app="x"} | json', /PipelineExpr/],
    ['{app="x"} |= "error"', /PipelineExpr/],
    ['{app="x"} |~ ".*"', /PipelineExpr/],
    ['{app="x"} | line_format "{{.a}}"', /PipelineExpr/],
    ['count_over_time({app="x"}[5m])', /MetricExpr/],
    ['sum(rate({app="x"}[1m]))', /MetricExpr/],
    ['{app="x"} or vector(1)', /MetricExpr/],
    ['"} or vector(1)', /does not parse/],
    ['{app=~".+"}', /plain alternatives/],
    ['{app="x"', /does not parse/],
    ['{app="x"}}', /does not parse/],
    ['app="x"', /does not parse/],
    ['{}', /does not parse/],
    ['', /between 1 and/],
    ['{app="\\q"}', /unknown escape/],
    ['{app="x"} # comment', /LineComment/],
  ])('rejects %j', (text, message) => {
    expect(() => customSelectorFromAnnotation(text, scope)).toThrow(InputError);
    expect(() => customSelectorFromAnnotation(text, scope)).toThrow(message);
    expect(() => errorLogs(scope, { selectorAnnotation: text })).toThrow(
      InputError,
    );
  });

  it('keeps arbitrary values exact and the scope intact', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom('=', '!='),
        (value, op) => {
          const text = `{app${op}"${escapeLabelValue(value)}"}`;
          const query = errorLogs(scope, { selectorAnnotation: text });
          const [namespace, pod, app, ...rest] = readQuery(query, 'logql')
            .selectors[0].matchers;
          expect(namespace).toEqual({
            name: 'namespace',
            op: '=',
            value: 'finance',
          });
          expect(pod.op).toBe('=~');
          expect(fullyMatches(pod.value, 'api-0')).toBe(true);
          expect(fullyMatches(pod.value, 'api-01')).toBe(false);
          expect(app).toEqual({ name: 'app', op, value });
          expect(rest).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
