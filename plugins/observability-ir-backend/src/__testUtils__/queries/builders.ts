import { Dialect } from './goUnquote';
import { ParsedLineFilter, ParsedMatcher } from './queryTree';
import {
  cpuLimit,
  cpuThrottledShare,
  cpuUsage,
  errorLogs,
  lastTerminatedReason,
  memoryLimit,
  memoryRequest,
  memoryWorkingSet,
  peakWorkingSet,
  PodScope,
  ready,
  restartIncrease,
  restarts,
  streamSelector,
} from '../../queries';

/** What a builder must produce, written out independently of the code. */
export type BuilderSpec = {
  name: string;
  dialect: Dialect;
  build: (scope: PodScope) => string;
  /** Each selector: its metric and the matchers after the scope's own. */
  selectors: Array<{ metric?: string; extra: ParsedMatcher[] }>;
  lineFilters: ParsedLineFilter[];
};

const CADVISOR: ParsedMatcher[] = [
  { name: 'container', op: '!=', value: '' },
  { name: 'container', op: '!=', value: 'POD' },
];
const MEMORY = [{ name: 'resource', op: '=', value: 'memory' }];
const CPU = [{ name: 'resource', op: '=', value: 'cpu' }];

const prom = (
  name: string,
  build: (scope: PodScope) => string,
  selectors: BuilderSpec['selectors'],
): BuilderSpec => ({
  name,
  dialect: 'promql',
  build,
  selectors,
  lineFilters: [],
});

export const BUILDERS: BuilderSpec[] = [
  prom('memoryWorkingSet', memoryWorkingSet, [
    { metric: 'container_memory_working_set_bytes', extra: CADVISOR },
  ]),
  prom('memoryLimit', memoryLimit, [
    { metric: 'kube_pod_container_resource_limits', extra: MEMORY },
  ]),
  prom('memoryRequest', memoryRequest, [
    { metric: 'kube_pod_container_resource_requests', extra: MEMORY },
  ]),
  prom('cpuLimit', cpuLimit, [
    { metric: 'kube_pod_container_resource_limits', extra: CPU },
  ]),
  prom('cpuUsage', s => cpuUsage(s, 300), [
    { metric: 'container_cpu_usage_seconds_total', extra: CADVISOR },
  ]),
  prom('cpuThrottledShare', s => cpuThrottledShare(s, 600), [
    { metric: 'container_cpu_cfs_throttled_periods_total', extra: CADVISOR },
    { metric: 'container_cpu_cfs_periods_total', extra: CADVISOR },
  ]),
  prom('restarts', restarts, [
    { metric: 'kube_pod_container_status_restarts_total', extra: [] },
  ]),
  prom('restartIncrease', s => restartIncrease(s, 3600), [
    { metric: 'kube_pod_container_status_restarts_total', extra: [] },
  ]),
  prom('lastTerminatedReason', lastTerminatedReason, [
    { metric: 'kube_pod_container_status_last_terminated_reason', extra: [] },
  ]),
  prom('ready', ready, [
    { metric: 'kube_pod_container_status_ready', extra: [] },
  ]),
  prom('peakWorkingSet', s => peakWorkingSet(s, 86400), [
    { metric: 'container_memory_working_set_bytes', extra: CADVISOR },
  ]),
  {
    name: 'errorLogs',
    dialect: 'logql',
    build: s => errorLogs(s),
    selectors: [{ extra: [] }],
    lineFilters: [
      {
        op: '|~',
        value:
          '(?i)(error|exception|fatal|panic|oom|outofmemory|out of memory|bad_alloc|allocation of [0-9]+ bytes failed|cannot allocate memory)',
      },
    ],
  },
  {
    name: 'streamSelector',
    dialect: 'logql',
    build: streamSelector,
    selectors: [{ extra: [] }],
    lineFilters: [],
  },
];
