import {
  ExecutedQuery,
  MetricSeries,
  MetricsResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { PrometheusMatrixSeries } from '../../clients/PrometheusClient';
import {
  cpuLimit,
  cpuThrottledShare,
  cpuUsage,
  lastTerminatedReason,
  memoryLimit,
  memoryRequest,
  memoryWorkingSet,
  PodScope,
  ready,
  restarts,
} from '../../queries';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';
import { ResolvedRange } from '../fanout/timeRange';

/** The series of {@link MetricsResponse}, plus the termination reasons. */
export type CollectedMetrics = Pick<
  MetricsResponse,
  'memory' | 'cpu' | 'restarts' | 'ready' | 'queries'
> & {
  /** `kube_pod_container_status_last_terminated_reason`, one series per reason. */
  terminationReasons: Array<MetricSeries & { reason: string }>;
  sources: SourceStatus[];
};

const SERIES = [
  'workingSet',
  'memoryLimit',
  'memoryRequest',
  'cpuUsage',
  'cpuLimit',
  'throttledShare',
  'restarts',
  'ready',
  'terminationReasons',
] as const;
/** The name of one of the series {@link collectMetrics} asks for. */
export type SeriesName = (typeof SERIES)[number];

function queriesFor(scope: PodScope, rateWindowSeconds: number) {
  const queries: Record<SeriesName, { name: string; query: string }> = {
    workingSet: { name: 'memory working set', query: memoryWorkingSet(scope) },
    memoryLimit: { name: 'memory limit', query: memoryLimit(scope) },
    memoryRequest: { name: 'memory request', query: memoryRequest(scope) },
    cpuUsage: {
      name: 'CPU usage',
      query: cpuUsage(scope, rateWindowSeconds),
    },
    cpuLimit: { name: 'CPU limit', query: cpuLimit(scope) },
    throttledShare: {
      name: 'CPU throttled share',
      query: cpuThrottledShare(scope, rateWindowSeconds),
    },
    restarts: { name: 'restarts', query: restarts(scope) },
    ready: { name: 'readiness', query: ready(scope) },
    terminationReasons: {
      name: 'last termination reason',
      query: lastTerminatedReason(scope),
    },
  };
  return queries;
}

function toSeries(
  cluster: string,
  series: PrometheusMatrixSeries,
): MetricSeries {
  return {
    cluster,
    pod: series.metric.pod ?? '',
    ...(series.metric.container ? { container: series.metric.container } : {}),
    points: series.values.map(([t, v]) => [Math.round(t * 1000), v]),
  };
}

/**
 * Runs every metric query for every scope of every cluster in parallel, and
 * reports each cluster's Prometheus on its own.
 */
export async function collectMetrics(
  located: LocatedWorkload[],
  range: ResolvedRange,
  only: readonly SeriesName[] = SERIES,
): Promise<CollectedMetrics> {
  const wanted = SERIES.filter(key => only.includes(key));
  // A rate needs several scrapes in its window; 4 × 15 s at least.
  const rateWindowSeconds = Math.max(60, 2 * range.stepSeconds);
  const collected: CollectedMetrics = {
    memory: { workingSet: [], limit: [], request: [] },
    cpu: { usage: [], limit: [], throttledShare: [] },
    restarts: [],
    ready: [],
    terminationReasons: [],
    queries: [],
    sources: [],
  };

  const perCluster = await Promise.all(
    located.map(({ connection, scopes }) =>
      askSource(connection, 'prometheus', async () => {
        const results = await Promise.all(
          scopes.map(async scope => {
            const queries = queriesFor(scope, rateWindowSeconds);
            const answers = await Promise.all(
              wanted.map(async key => {
                const answer = await connection.prometheus!.queryRange(
                  queries[key].query,
                  range,
                );
                return [key, answer] as const;
              }),
            );
            return { queries, answers };
          }),
        );
        return {
          value: results,
          warnings: [
            ...new Set(
              results.flatMap(r => r.answers.flatMap(([, a]) => a.warnings)),
            ),
          ],
        };
      }).then(result => ({ cluster: connection.name, ...result })),
    ),
  );

  for (const { cluster, value, status } of perCluster) {
    collected.sources.push(status);
    for (const { queries, answers } of value ?? []) {
      collected.queries.push(
        ...wanted.map((key): ExecutedQuery => ({ cluster, ...queries[key] })),
      );
      for (const [key, answer] of answers) {
        const series = answer.data.map(s => toSeries(cluster, s));
        switch (key) {
          case 'workingSet':
            collected.memory.workingSet.push(...series);
            break;
          case 'memoryLimit':
            collected.memory.limit.push(...series);
            break;
          case 'memoryRequest':
            collected.memory.request.push(...series);
            break;
          case 'cpuUsage':
            collected.cpu.usage.push(...series);
            break;
          case 'cpuLimit':
            collected.cpu.limit.push(...series);
            break;
          case 'throttledShare':
            collected.cpu.throttledShare.push(...series);
            break;
          case 'restarts':
            collected.restarts.push(...series);
            break;
          case 'ready':
            collected.ready.push(...series);
            break;
          case 'terminationReasons':
            collected.terminationReasons.push(
              ...answer.data.map(s => ({
                ...toSeries(cluster, s),
                reason: s.metric.reason ?? 'Unknown',
              })),
            );
            break;
          default:
        }
      }
    }
  }
  return collected;
}
