import {
  describeBytes,
  describePercent,
  EvidenceItem,
  MetricsResponse,
  RunbookCommand,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { memoryLimitShare, restartIncrease } from '../../../queries';
import { isSeriesOf } from '../../metrics/seriesFacts';
import { promqlCommand, topNodes, topPods } from '../commands';
import { commandsOf, RunbookContext, scopeOf } from './context';
import {
  answersOf,
  describeFailures,
  diagnosisEvidence,
  sentences,
} from './evidence';
import { playbookOf } from './playbooks';

/** The clusters a step's commands are about. */
export function focusClusters(
  ctx: RunbookContext,
  queries: { cluster: string }[],
): Set<string> {
  return new Set(
    ctx.groups.length
      ? ctx.groups.map(g => g.cluster)
      : queries.map(q => q.cluster),
  );
}

/** The queries the backend ran, the playbook's first, in its order. */
function executedQueries(ctx: RunbookContext): RunbookCommand[] {
  const { queries } = ctx.inputs.metrics;
  const clusters = focusClusters(ctx, queries);
  const order = playbookOf(ctx).triageQueries;
  return order.flatMap(name =>
    queries
      .filter(q => q.name === name && clusters.has(q.cluster))
      .map(q => promqlCommand(`${q.name} (${q.cluster})`, q.query)),
  );
}

/** The working set's peak against the limit, for the containers closest to it. */
function peakMemoryEvidence(metrics: MetricsResponse): EvidenceItem[] {
  const peaks = metrics.memory.workingSet.flatMap(series => {
    const peak = Math.max(...series.points.map(([, v]) => v));
    const limit = metrics.memory.limit.find(l =>
      isSeriesOf(l, {
        cluster: series.cluster,
        pod: series.pod,
        container: series.container,
      }),
    );
    const limitBytes = limit?.points[limit.points.length - 1]?.[1];
    return Number.isFinite(peak) && limitBytes && Number.isFinite(limitBytes)
      ? [{ series, peak, limitBytes, share: peak / limitBytes }]
      : [];
  });
  return peaks
    .sort((a, b) => b.share - a.share)
    .slice(0, 3)
    .map(({ series, peak, limitBytes, share }) => ({
      source: 'prometheus' as const,
      description: `${series.pod}${
        series.container ? ` (${series.container})` : ''
      }: working set peaked at ${describeBytes(peak)}, ${describePercent(
        share,
      )} of the ${describeBytes(limitBytes)} limit`,
    }));
}

/** Triage: what Prometheus shows of memory, CPU and restarts. */
export function triageStep(ctx: RunbookContext): RunbookStep {
  const { metrics, workload } = ctx.inputs;
  const { answered, failed } = answersOf(metrics.sources, 'prometheus');
  const memoryFirst = ['memory-limit-too-low', 'memory-leak'].includes(
    ctx.hypothesisId,
  );
  const share = ctx.groups.map(
    group => () =>
      promqlCommand(
        `Working set as a share of the memory limit, 1 = the limit (${group.cluster})`,
        memoryLimitShare(scopeOf(group, workload)),
      ),
  );
  const restarts = ctx.groups.map(
    group => () =>
      promqlCommand(
        `Restarts over the range (${group.cluster})`,
        restartIncrease(scopeOf(group, workload), ctx.rangeSeconds),
      ),
  );
  const commands = [
    ...(memoryFirst ? commandsOf(...share) : []),
    ...executedQueries(ctx),
    ...(memoryFirst ? [] : commandsOf(...share)),
    ...commandsOf(...restarts),
    ...commandsOf(
      ...ctx.groups.map(group => () => topPods(group, workload.labelSelector)),
      ...ctx.groups.map(
        group => () =>
          group.nodes.length ? topNodes(group.cluster, group.nodes) : undefined,
      ),
    ),
  ];

  const fromDiagnosis = diagnosisEvidence(ctx, ['prometheus']);
  const evidence = fromDiagnosis.length
    ? fromDiagnosis
    : peakMemoryEvidence(metrics);
  const notAll =
    failed.length > 0 && `It did not answer for ${describeFailures(failed)}`;
  if (answered.length === 0) {
    return {
      id: 'triage',
      title: playbookOf(ctx).titles.triage,
      status: 'needs-person',
      summary: `Prometheus did not answer (${
        describeFailures(failed) || 'no cluster has it configured'
      }): run the queries below in your own Prometheus, or kubectl top.`,
      evidence,
      commands,
    };
  }
  return {
    id: 'triage',
    title: playbookOf(ctx).titles.triage,
    status: 'done',
    summary: sentences(
      `Prometheus answered for ${answered.map(s => s.cluster).join(', ')}`,
      evidence[0]?.description ?? 'Nothing in the metrics stands out',
      notAll,
    ),
    evidence,
    commands,
  };
}
