import {
  describeTime,
  EvidenceItem,
  listNames,
  plural,
  Replica,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { describePod, podEvents, podsWide, restartCounts } from '../commands';
import {
  commandsOf,
  isTroubled,
  replicasToInspect,
  RunbookContext,
} from './context';
import {
  answersOf,
  describeFailures,
  diagnosisEvidence,
  sentences,
} from './evidence';
import { playbookOf } from './playbooks';

/** Replicas described one by one in the evidence, at most. */
const MAX_REPLICA_ITEMS = 5;

/** "checkout-api-v1-abc (checkout-api) on worker-1: 45 restarts, last terminated OOMKilled (exit 137) at 09:23:04Z; now running, not ready". */
export function describeReplica(replica: Replica, now: Date): string {
  const t = replica.lastTermination;
  const parts = [plural(replica.restartCount, 'restart')];
  if (t) {
    parts.push(
      `last terminated ${t.reason} (exit ${t.exitCode})${
        t.finishedAt ? ` at ${describeTime(t.finishedAt, now)}` : ''
      }`,
    );
  }
  const state = replica.current.reason
    ? `${replica.current.state} (${replica.current.reason})`
    : replica.current.state;
  const phase =
    replica.phase === 'Running'
      ? ''
      : `pod ${replica.phase}${
          replica.podReason ? ` (${replica.podReason})` : ''
        }, `;
  return `${replica.pod} (${replica.container})${
    replica.node ? ` on ${replica.node}` : ''
  }: ${parts.join(', ')}; now ${phase}${state}, ${
    replica.ready ? 'ready' : 'not ready'
  }`;
}

function replicaEvidence(ctx: RunbookContext): EvidenceItem[] {
  const fromDiagnosis = diagnosisEvidence(ctx, ['kubernetes']);
  const mentioned = (pod: string) =>
    fromDiagnosis.some(item => item.description.includes(pod));
  const own = ctx.groups
    .flatMap(g => g.replicas)
    .filter(r => isTroubled(r) && !mentioned(r.pod))
    .slice(0, MAX_REPLICA_ITEMS)
    .map(r => ({
      source: 'kubernetes' as const,
      description: describeReplica(r, ctx.now),
    }));
  return [...fromDiagnosis, ...own];
}

/**
 * "2 of 2 containers in trouble: 87 restarts, last terminations OOMKilled (2)";
 * "1 of 3 containers in trouble (cart-service-6f7d9c8b4-v5r7n): …".
 */
function troubleSummary(ctx: RunbookContext): string {
  const replicas = ctx.groups.flatMap(g => g.replicas);
  const troubled = replicas.filter(isTroubled);
  if (troubled.length === 0) {
    return `All ${plural(
      replicas.length,
      'container',
    )} run, ready, without restarts`;
  }
  const restarts = troubled.reduce((n, r) => n + r.restartCount, 0);
  const notReady = troubled.filter(r => !r.ready).length;
  const reasons = new Map<string, number>();
  for (const r of troubled) {
    const reason = r.lastTermination?.reason ?? r.podReason ?? r.current.reason;
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const facts = [
    restarts > 0 && plural(restarts, 'restart'),
    notReady > 0 && `${notReady} not ready`,
    reasons.size > 0 &&
      `last ended ${[...reasons]
        .map(([reason, n]) => `${reason} (${n})`)
        .join(', ')}`,
  ].filter(Boolean);
  // When only some are, which: the others show what the workload needs.
  const which =
    troubled.length < replicas.length
      ? ` (${listNames(troubled.map(r => r.pod))})`
      : '';
  return `${troubled.length} of ${plural(
    replicas.length,
    'container',
  )} in trouble${which}: ${facts.join('; ')}`;
}

/** Replicas: restarts, terminations and events from the Kubernetes API. */
export function replicasStep(ctx: RunbookContext): RunbookStep {
  const { replicas, workload } = ctx.inputs;
  const playbook = playbookOf(ctx);
  const { answered, failed } = answersOf(replicas.sources, 'kubernetes');
  const fallbackLocations = ctx.groups.length
    ? []
    : [...new Set(replicas.sources.map(s => s.cluster))].flatMap(cluster =>
        workload.namespace ? [{ cluster, namespace: workload.namespace }] : [],
      );
  const commands = commandsOf(
    ...[...ctx.groups, ...fallbackLocations].map(
      at => () => restartCounts(at, workload.labelSelector),
    ),
    ...(ctx.hypothesisId === 'node-memory-pressure'
      ? ctx.groups.map(g => () => podsWide(g, workload.labelSelector))
      : []),
    ...ctx.groups.flatMap(g =>
      replicasToInspect(g).flatMap(({ pod }) => [
        () => describePod(g, pod),
        () => podEvents(g, pod),
      ]),
    ),
  );
  const evidence = replicaEvidence(ctx);
  const base = {
    id: 'replicas' as const,
    title: playbook.titles.replicas,
    evidence,
    commands,
  };
  if (answered.length === 0) {
    return {
      ...base,
      status: 'needs-person',
      summary: sentences(
        `The Kubernetes API did not answer (${
          describeFailures(failed) || 'no cluster'
        })`,
        'Run the commands below with your own credentials',
      ),
    };
  }
  if (replicas.replicas.length === 0) {
    return {
      ...base,
      status: 'needs-person',
      summary: sentences(
        `Kubernetes lists no pod for ${workload.labelSelector}${
          workload.namespace ? ` in ${workload.namespace}` : ''
        }`,
        "Check the entity's kubernetes annotations, or whether the workload is scaled to zero",
      ),
    };
  }
  return {
    ...base,
    status: 'done',
    summary: sentences(
      troubleSummary(ctx),
      failed.length > 0 &&
        `Kubernetes did not answer for ${describeFailures(failed)}`,
    ),
  };
}
