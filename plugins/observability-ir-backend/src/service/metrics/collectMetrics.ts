import {
  ExecutedQuery,
  MetricSeries,
  MetricsResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import {
  PrometheusMatrixSeries,
  PrometheusResult,
} from '../../clients/PrometheusClient';
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
import {
  asSpeculated,
  podSelector,
  reconcile,
  SpeculatedWorkload,
  SpeculationCounters,
} from '../fanout/speculation';
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

type Answers = Array<
  readonly [SeriesName, PrometheusResult<PrometheusMatrixSeries[]>]
>;

/**
 * Runs every metric query for every scope of every cluster in parallel, and
 * reports each cluster's Prometheus on its own. Where the pods are still
 * being listed, the queries ask about the speculative scope at once and
 * their series are narrowed to the listed pods' scopes when the list
 * arrives; a scope the speculation missed, or whose answer the series
 * limit cut, is asked again on its own.
 */
export async function collectMetrics(
  located: Array<LocatedWorkload | SpeculatedWorkload>,
  range: ResolvedRange,
  only: readonly SeriesName[] = SERIES,
  options: {
    /** The series limit of one query (`observabilityIr.limits.seriesPerQuery`). */
    maxSeries?: number;
    counters?: SpeculationCounters;
  } = {},
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
    located.map(asSpeculated).map(workload => {
      const { connection } = workload;
      return askSource(connection, 'prometheus', async () => {
        const { answers: results } = await reconcile<Answers>({
          workload,
          counters: options.counters,
          ask: async scope => {
            const queries = queriesFor(scope, rateWindowSeconds);
            return Promise.all(
              wanted.map(async key => {
                const answer = await connection.prometheus!.queryRange(
                  queries[key].query,
                  range,
                );
                return [key, answer] as const;
              }),
            );
          },
          narrow: (answers, exact, { askedNamespace }) => {
            // A cut answer may lack series of the exact scope's pods.
            if (
              options.maxSeries !== undefined &&
              answers.some(([, a]) => a.data.length >= options.maxSeries!)
            ) {
              return undefined;
            }
            const selects = podSelector(exact, askedNamespace);
            const narrowed = answers.map(
              ([key, answer]) =>
                [
                  key,
                  {
                    ...answer,
                    data: answer.data.filter(s => selects(s.metric)),
                  },
                ] as const,
            );
            return {
              answer: narrowed,
              kept: narrowed.reduce((n, [, a]) => n + a.data.length, 0),
            };
          },
          size: answers => answers.reduce((n, [, a]) => n + a.data.length, 0),
        });
        const value = results.map(({ scope, answer }) => ({
          queries: queriesFor(scope, rateWindowSeconds),
          answers: answer,
        }));
        return {
          value,
          warnings: [
            ...new Set(
              value.flatMap(r => r.answers.flatMap(([, a]) => a.warnings)),
            ),
          ],
        };
      }).then(result => ({ cluster: connection.name, ...result }));
    }),
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
