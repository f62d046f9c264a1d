import { InputError } from '@backstage/errors';
import { BuilderSpec } from '../__testUtils__/queries/builders';
import {
  expectExactQuery,
  expectExactQueryOrInputError,
} from '../__testUtils__/queries/expectScope';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { readQuery } from '../__testUtils__/queries/queryTree';
import { errorLinesContaining, memoryLimitShare } from './runbookQueries';
import { ERROR_LINE_PATTERN } from './logql';
import { PodScope } from './scope';

const CADVISOR = [
  { name: 'container', op: '!=', value: '' },
  { name: 'container', op: '!=', value: 'POD' },
];

const SHARE: BuilderSpec = {
  name: 'memoryLimitShare',
  dialect: 'promql',
  build: memoryLimitShare,
  selectors: [
    { metric: 'container_memory_working_set_bytes', extra: CADVISOR },
    {
      metric: 'kube_pod_container_resource_limits',
      extra: [{ name: 'resource', op: '=', value: 'memory' }],
    },
  ],
  lineFilters: [],
};

const lines = (text: string): BuilderSpec => ({
  name: 'errorLinesContaining',
  dialect: 'logql',
  build: scope => errorLinesContaining(scope, text),
  selectors: [{ extra: [] }],
  lineFilters: [
    { op: '|~', value: ERROR_LINE_PATTERN },
    { op: '|=', value: text },
  ],
});

const scope: PodScope = {
  namespace: 'finance',
  pods: { names: ['checkout-api-0'] },
};

describe('runbook queries', () => {
  it('divide the working set by the limit, per container', () => {
    expect(memoryLimitShare(scope)).toBe(
      'max by (namespace, pod, container) (container_memory_working_set_bytes{namespace="finance",pod=~"(?:checkout-api-0)",container!="",container!="POD"}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="finance",pod=~"(?:checkout-api-0)",resource="memory"})',
    );
    const { nodeNames } = readQuery(memoryLimitShare(scope), 'promql');
    expect(nodeNames.filter(n => n === 'AggregateExpr')).toHaveLength(2);
    expect(nodeNames).toContain('Div');
  });

  it('narrow the error lines to a text, taken literally', () => {
    expect(errorLinesContaining(scope, 'java.lang.OutOfMemoryError')).toBe(
      '{namespace="finance",pod=~"(?:checkout-api-0)"} |~ "(?i)(error|exception|fatal|panic|oom|outofmemory|out of memory|bad_alloc|allocation of [0-9]+ bytes failed|cannot allocate memory)" |= "java.lang.OutOfMemoryError"',
    );
    expect(() => errorLinesContaining(scope, '')).toThrow(InputError);
  });

  describe.each(HOSTILE_INPUTS)('hostile input: %s', (_label, value) => {
    it('selects exactly the scope, or is refused', () => {
      expect.hasAssertions();
      expectExactQueryOrInputError(SHARE, {
        ...scope,
        pods: { names: [value] },
      });
      expectExactQueryOrInputError(SHARE, { ...scope, container: value });
    });

    it('filters on exactly the text, or is refused', () => {
      const spec = lines(value);
      const valid = value !== '' && !/[\uD800-\uDFFF]/u.test(value);
      let outcome: unknown;
      try {
        spec.build(scope);
        outcome = 'built';
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        outcome = 'refused';
      }
      expect(outcome).toBe(valid ? 'built' : 'refused');
      if (valid) {
        expectExactQuery(spec, scope);
      }
    });
  });
});
