import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { BUILDERS } from '../__testUtils__/queries/builders';
import {
  expectExactQuery,
  expectExactQueryOrInputError,
} from '../__testUtils__/queries/expectScope';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { readQuery } from '../__testUtils__/queries/queryTree';
import {
  cpuThrottledShare,
  cpuUsage,
  errorLogs,
  formatDuration,
  memoryLimit,
  memoryWorkingSet,
  peakWorkingSet,
  PodScope,
  restartIncrease,
} from '.';

const scope: PodScope = {
  namespace: 'finance',
  pods: { names: ['api-0', 'api-1'] },
};

describe('query builders', () => {
  it('write the expected queries', () => {
    expect(memoryWorkingSet(scope)).toBe(
      'container_memory_working_set_bytes{namespace="finance",pod=~"(?:api-0|api-1)",container!="",container!="POD"}',
    );
    expect(memoryLimit({ ...scope, container: 'app' })).toBe(
      'kube_pod_container_resource_limits{namespace="finance",pod=~"(?:api-0|api-1)",container="app",resource="memory"}',
    );
    expect(
      cpuUsage(
        {
          namespace: 'finance',
          pods: { owners: [{ kind: 'StatefulSet', name: 'api' }] },
        },
        300,
      ),
    ).toBe(
      'sum by (pod, container) (rate(container_cpu_usage_seconds_total{namespace="finance",pod=~"api-(?:0|[1-9][0-9]*)",container!="",container!="POD"}[5m]))',
    );
    expect(cpuThrottledShare(scope, 300)).toBe(
      'sum by (pod, container) (rate(container_cpu_cfs_throttled_periods_total{namespace="finance",pod=~"(?:api-0|api-1)",container!="",container!="POD"}[5m]))' +
        ' / sum by (pod, container) (rate(container_cpu_cfs_periods_total{namespace="finance",pod=~"(?:api-0|api-1)",container!="",container!="POD"}[5m]))',
    );
    expect(restartIncrease(scope, 3600)).toBe(
      'increase(kube_pod_container_status_restarts_total{namespace="finance",pod=~"(?:api-0|api-1)"}[1h])',
    );
    expect(peakWorkingSet(scope, 90)).toBe(
      'max by (pod, container) (max_over_time(container_memory_working_set_bytes{namespace="finance",pod=~"(?:api-0|api-1)",container!="",container!="POD"}[90s]))',
    );
    expect(errorLogs(scope)).toBe(
      '{namespace="finance",pod=~"(?:api-0|api-1)"} |~ "(?i)(error|exception|fatal|panic|oom|outofmemory|out of memory|bad_alloc|allocation of [0-9]+ bytes failed|cannot allocate memory)"',
    );
  });

  it('keep the grouping, functions and windows in the parse tree', () => {
    const { nodeNames } = readQuery(cpuThrottledShare(scope, 300), 'promql');
    expect(nodeNames.filter(n => n === 'AggregateExpr')).toHaveLength(2);
    expect(nodeNames.filter(n => n === 'MatrixSelector')).toHaveLength(2);
    expect(nodeNames).toContain('Div');
  });

  it('add extra Prometheus matchers after the scope, and only narrowing ones', () => {
    const narrowed: PodScope = {
      ...scope,
      extraPrometheusMatchers: [{ name: 'cluster', op: '=', value: 'eu-1' }],
    };
    expect(memoryWorkingSet(narrowed)).toBe(
      'container_memory_working_set_bytes{namespace="finance",pod=~"(?:api-0|api-1)",cluster="eu-1",container!="",container!="POD"}',
    );
    // LogQL ignores them: Loki's labels are not Prometheus'.
    expect(errorLogs(narrowed)).toBe(errorLogs(scope));
    for (const name of ['namespace', 'pod', 'container', '__name__', 'a-b']) {
      expect(() =>
        memoryWorkingSet({
          ...scope,
          extraPrometheusMatchers: [{ name, op: '!=', value: 'x' }],
        }),
      ).toThrow(InputError);
    }
  });

  it.each([
    ['no pods', { namespace: 'finance', pods: { names: [] } }],
    ['no pods nor workloads', { namespace: 'finance', pods: { owners: [] } }],
    [
      'an empty workload name',
      {
        namespace: 'finance',
        pods: { owners: [{ kind: 'Deployment', name: '' }] },
      },
    ],
    ['empty container', { ...scope, container: '' }],
    [
      'too many pods',
      {
        namespace: 'finance',
        pods: { names: Array.from({ length: 1001 }, (_, i) => `p${i}`) },
      },
    ],
    ['uppercase namespace', { ...scope, namespace: 'Finance' }],
    ['long namespace', { ...scope, namespace: 'a'.repeat(64) }],
  ] as Array<[string, PodScope]>)('refuse a scope with %s', (_label, bad) => {
    for (const builder of BUILDERS) {
      expect(() => builder.build(bad)).toThrow(InputError);
    }
  });

  describe.each(HOSTILE_INPUTS)('hostile input: %s', (_label, value) => {
    const positions: Array<[string, PodScope]> = [
      ['namespace', { namespace: value, pods: { names: ['api-0'] } }],
      ['the only pod name', { namespace: 'finance', pods: { names: [value] } }],
      [
        'one of the pod names',
        { namespace: 'finance', pods: { names: ['api-0', value] } },
      ],
      [
        'Deployment name',
        {
          namespace: 'finance',
          pods: { owners: [{ kind: 'Deployment', name: value }] },
        },
      ],
      [
        'StatefulSet name',
        {
          namespace: 'finance',
          pods: {
            owners: [{ kind: 'StatefulSet', name: value }],
            names: ['api-0'],
          },
        },
      ],
      [
        'container',
        {
          namespace: 'finance',
          pods: { owners: [{ kind: 'Deployment', name: 'api' }] },
          container: value,
        },
      ],
    ];

    it.each(positions)('as %s builds exactly the scope or throws', (_p, s) => {
      expect.hasAssertions();
      for (const builder of BUILDERS) {
        expectExactQueryOrInputError(builder, s);
      }
    });
  });

  it('select exactly the scope for arbitrary values', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }),
    );
    const arbitraryScope: fc.Arbitrary<PodScope> = fc.record(
      {
        namespace: fc.stringMatching(/^[a-z0-9](?:[-a-z0-9]{0,20}[a-z0-9])?$/),
        pods: fc.oneof(
          fc.record({ names: fc.array(text, { minLength: 1, maxLength: 5 }) }),
          fc.record(
            {
              owners: fc.array(
                fc.record({
                  kind: fc.constantFrom(
                    'Deployment' as const,
                    'StatefulSet' as const,
                  ),
                  name: text,
                }),
                { minLength: 1, maxLength: 2 },
              ),
              names: fc.array(text, { minLength: 1, maxLength: 3 }),
            },
            { requiredKeys: ['owners'] },
          ),
        ),
        container: text,
      },
      { requiredKeys: ['namespace', 'pods'] },
    );
    fc.assert(
      fc.property(arbitraryScope, fc.nat(BUILDERS.length - 1), (s, i) => {
        expect(() => expectExactQuery(BUILDERS[i], s)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [1, '1s'],
    [90, '90s'],
    [300, '5m'],
    [5400, '90m'],
    [3600, '1h'],
    [86400, '1d'],
    [30 * 86400, '30d'],
  ])('formats %d as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([0, -60, 1.5, NaN, Infinity, 30 * 86400 + 1])('refuses %d', s => {
    expect(() => formatDuration(s)).toThrow(InputError);
    expect(() => cpuUsage(scope, s)).toThrow(InputError);
  });
});
