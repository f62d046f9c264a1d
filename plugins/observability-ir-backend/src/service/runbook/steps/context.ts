import { InputError } from '@backstage/errors';
import {
  DiagnosisResponse,
  EntityWorkload,
  ForensicsRun,
  Hypothesis,
  HypothesisId,
  IncidentAction,
  IncidentRecord,
  LogsResponse,
  MetricsResponse,
  parseMemoryQuantity,
  Recommendation,
  Replica,
  ReplicasResponse,
  RunbookCommand,
  VerifyProgress,
} from '@observability-ir/plugin-observability-ir-common';
import {
  extraMatchersFromAnnotation,
  hasPodNameShape,
  parseLabelSelector,
  PodScope,
} from '../../../queries';
import { WorkloadLocation } from '../commands';

/**
 * Everything a runbook is built from: the evidence the backend gathered
 * for one entity, the forensics runs, the incident and what the caller
 * saw of a fix.
 */
export interface RunbookInputs {
  entityRef: string;
  workload: EntityWorkload;
  diagnosis: DiagnosisResponse;
  replicas: ReplicasResponse;
  logs: LogsResponse;
  metrics: MetricsResponse;
  /** Newest first; may be empty. */
  forensicsRuns: ForensicsRun[];
  /** Why node forensics is off, when it is. */
  forensicsDisabled?: string;
  /** The open incident, or the most recent one; its actions say what people did. */
  incident?: IncidentRecord;
  /** Whether the workload's spec already carries the fix. */
  fix?: { observed: boolean; currentLimit?: string; message?: string };
  /** The verification, once a fix is observed. */
  verify?: VerifyProgress;
  now: Date;
}

/** The replicas of the entity in one cluster and namespace. */
export interface ReplicaGroup {
  cluster: string;
  namespace: string;
  /** Replicas that restarted, are not ready or not running come first. */
  replicas: Replica[];
  /** Pod names, the troubled ones first, each once. */
  pods: string[];
  /** The nodes that run the troubled pods first. */
  nodes: string[];
  /** Whether any replica of the group is in trouble. */
  troubled: boolean;
  /** The workload that owns the pods, when it can be told. */
  owner?: { kind: WorkloadLocation['kind']; name: string };
}

/** What every step reads: the inputs and what is derived from them once. */
export interface RunbookContext {
  inputs: RunbookInputs;
  now: Date;
  /** The hypothesis the runbook follows. */
  hypothesisId: HypothesisId;
  /** The diagnosis' entry for it, when the diagnosis has one. */
  hypothesis?: Hypothesis;
  /**
   * The groups the commands are about: those in trouble, or every group
   * when none is. Empty when Kubernetes listed no pod.
   */
  groups: ReplicaGroup[];
  /** Where the fix goes: the group, its workload and the container. */
  fixTarget?: WorkloadLocation;
  /** The diagnosis' recommendation, when it is for the followed hypothesis. */
  recommendation?: Recommendation;
  /** The length of the evidence range, in seconds. */
  rangeSeconds: number;
}

/** Most pods a step names in its commands, per group. */
export const MAX_PODS_PER_GROUP = 3;

/**
 * Builds a command, or leaves it out when a value cannot be written
 * faithfully (a refused quote or escape): one odd name never costs the
 * whole runbook.
 */
export function attempt<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (error instanceof InputError) {
      return undefined;
    }
    throw error;
  }
}

/** The commands that could be built, in order. */
export function commandsOf(
  ...builds: Array<() => RunbookCommand | RunbookCommand[] | undefined>
): RunbookCommand[] {
  return builds.flatMap(build => attempt(build) ?? []);
}

/**
 * The hypothesis to follow: the open incident's (a fix often makes the
 * diagnosis healthy before verification ends), the resolved incident's
 * while nothing else is wrong, else the diagnosis' top one.
 */
function followedHypothesis(inputs: RunbookInputs): HypothesisId {
  const top = inputs.diagnosis.hypotheses[0]?.id ?? 'healthy';
  const incident = inputs.incident;
  if (!incident || incident.hypothesis === 'healthy') {
    return top;
  }
  if (incident.status === 'open' || top === 'healthy') {
    return incident.hypothesis;
  }
  return top;
}

export function isTroubled(replica: Replica): boolean {
  return (
    replica.restartCount > 0 ||
    !replica.ready ||
    replica.phase !== 'Running' ||
    replica.current.state !== 'running'
  );
}

function trouble(replica: Replica): number {
  return (
    (isTroubled(replica) ? 1_000_000 : 0) +
    (replica.phase !== 'Running' ? 100_000 : 0) +
    replica.restartCount
  );
}

const STATEFUL_SET_POD = (name: string) =>
  new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);

/** `app.kubernetes.io/name=x` or `app=x` of the selector, when it has one. */
function namesFromSelector(selector: string): string[] {
  const requirements = attempt(() => parseLabelSelector(selector)) ?? [];
  const wanted = [
    'app.kubernetes.io/name',
    'app.kubernetes.io/instance',
    'app',
  ];
  return wanted.flatMap(key => {
    const r = requirements.find(req => req.key === key);
    if (r?.operator === 'equals') {
      return [r.value];
    }
    return r?.operator === 'in' && r.values.length === 1 ? r.values : [];
  });
}

/**
 * The Deployment name a pod name implies: `<name>-<template hash>-<suffix>`.
 */
function deploymentOfPod(pod: string): string | undefined {
  const parts = pod.split('-');
  return parts.length >= 3 ? parts.slice(0, -2).join('-') : undefined;
}

/**
 * The workload that owns a group's pods. Pods do not name their owner in
 * the replica table, so the name is the first of the entity's kubernetes
 * id, its selector's app name and the name the pods' names imply that
 * every pod is named after (`<name>-<hash>-<suffix>`, `<name>-<ordinal>`),
 * else the first that every pod name starts with; a StatefulSet when every
 * pod is `<name>-<ordinal>`, else a Deployment.
 */
function ownerOf(
  pods: string[],
  workload: EntityWorkload,
): ReplicaGroup['owner'] {
  const implied = pods.map(deploymentOfPod);
  const candidates = [
    workload.kubernetesId,
    ...namesFromSelector(workload.labelSelector),
    ...(implied.every(n => n && n === implied[0]) ? [implied[0]] : []),
  ].filter((n): n is string => Boolean(n));
  // A name the pods are named after (`<name>-<hash>-<suffix>` or
  // `<name>-<ordinal>`) first: a selector's `app=auth` is no owner of
  // `auth-service-7b6c5d4f9-c8n2x`, though the pod's name starts with it.
  const namedAfter = (c: string) =>
    pods.every(
      pod => deploymentOfPod(pod) === c || STATEFUL_SET_POD(c).test(pod),
    );
  const name =
    candidates.find(namedAfter) ??
    candidates.find(c => pods.every(pod => pod.startsWith(`${c}-`))) ??
    (pods.length === 0 ? candidates[0] : undefined);
  if (!name) {
    return undefined;
  }
  const statefulSet =
    pods.length > 0 && pods.every(pod => STATEFUL_SET_POD(name).test(pod));
  return { kind: statefulSet ? 'StatefulSet' : 'Deployment', name };
}

function groupReplicas(inputs: RunbookInputs): ReplicaGroup[] {
  const byKey = new Map<string, Replica[]>();
  for (const replica of inputs.replicas.replicas) {
    const key = JSON.stringify([replica.cluster, replica.namespace]);
    byKey.set(key, [...(byKey.get(key) ?? []), replica]);
  }
  const groups = [...byKey.values()].map(list => {
    const replicas = [...list].sort(
      (a, b) => trouble(b) - trouble(a) || a.pod.localeCompare(b.pod),
    );
    const unique = (values: Array<string | undefined>) => [
      ...new Set(values.filter((v): v is string => Boolean(v))),
    ];
    const pods = unique(replicas.map(r => r.pod));
    return {
      cluster: replicas[0].cluster,
      namespace: replicas[0].namespace,
      replicas,
      pods,
      nodes: unique(replicas.map(r => r.node)),
      troubled: replicas.some(isTroubled),
      owner: ownerOf(pods, inputs.workload),
    };
  });
  return groups.sort(
    (a, b) =>
      Number(b.troubled) - Number(a.troubled) ||
      trouble(b.replicas[0]) - trouble(a.replicas[0]) ||
      a.cluster.localeCompare(b.cluster),
  );
}

/** The groups the runbook is about: the troubled ones, else all. */
function focusGroups(groups: ReplicaGroup[]): ReplicaGroup[] {
  const troubled = groups.filter(g => g.troubled);
  return troubled.length ? troubled : groups;
}

/**
 * Where a fix goes: for memory, the container whose limit the
 * recommendation raises (OOMKilled first); otherwise the most troubled
 * container.
 */
function fixTargetOf(
  groups: ReplicaGroup[],
  inputs: RunbookInputs,
): WorkloadLocation | undefined {
  const proposed = inputs.diagnosis.recommendation?.memoryLimit?.current;
  const candidates = groups.flatMap(group =>
    group.replicas.map(replica => ({ group, replica })),
  );
  const score = ({ replica }: { replica: Replica }) =>
    (proposed !== undefined &&
    replica.limits.memoryBytes !== undefined &&
    sameQuantity(proposed, replica.limits.memoryBytes)
      ? 10_000_000
      : 0) +
    (replica.lastTermination?.reason === 'OOMKilled' ? 2_000_000 : 0) +
    trouble(replica);
  const best = [...candidates].sort((a, b) => score(b) - score(a))[0];
  if (!best?.group.owner) {
    return undefined;
  }
  return {
    cluster: best.group.cluster,
    namespace: best.group.namespace,
    kind: best.group.owner.kind,
    name: best.group.owner.name,
    container: best.replica.container,
  };
}

function sameQuantity(quantity: string, bytes: number): boolean {
  try {
    return parseMemoryQuantity(quantity) === bytes;
  } catch {
    return false;
  }
}

/** Assembles the context every step reads. */
export function runbookContext(inputs: RunbookInputs): RunbookContext {
  const hypothesisId = followedHypothesis(inputs);
  const groups = focusGroups(groupReplicas(inputs));
  const { start, end } = inputs.metrics.range;
  const rangeMs = Date.parse(end) - Date.parse(start);
  return {
    inputs,
    now: inputs.now,
    hypothesisId,
    hypothesis: inputs.diagnosis.hypotheses.find(h => h.id === hypothesisId),
    groups,
    fixTarget: fixTargetOf(groups, inputs),
    recommendation:
      inputs.diagnosis.hypotheses[0]?.id === hypothesisId
        ? inputs.diagnosis.recommendation
        : undefined,
    rangeSeconds:
      Number.isFinite(rangeMs) && rangeMs > 0
        ? Math.round(rangeMs / 1000)
        : 3600,
  };
}

function podsOf(group: ReplicaGroup): PodScope['pods'] {
  const { owner } = group;
  if (owner?.kind !== 'Deployment' && owner?.kind !== 'StatefulSet') {
    return { names: group.pods };
  }
  const podOwner = { kind: owner.kind, name: owner.name };
  // Names of the owner's shape are selected by it already.
  const names = group.pods.filter(pod => !hasPodNameShape(podOwner, pod));
  return { owners: [podOwner], ...(names.length > 0 ? { names } : {}) };
}

/**
 * The pods of a group as a query scope: their names and, when the group's
 * owner is a Deployment or a StatefulSet, the names it gives its pods, so
 * pods that replace them during a rollout are included.
 */
export function scopeOf(
  group: ReplicaGroup,
  workload: EntityWorkload,
  options: { container?: string } = {},
): PodScope {
  const extra = workload.prometheusMatchers
    ? attempt(() => extraMatchersFromAnnotation(workload.prometheusMatchers!))
    : undefined;
  return {
    namespace: group.namespace,
    pods: podsOf(group),
    ...(options.container !== undefined && { container: options.container }),
    ...(extra && { extraPrometheusMatchers: extra }),
  };
}

/**
 * The replicas a step names one by one: those in trouble, else all, at
 * most {@link MAX_PODS_PER_GROUP} pods.
 */
export function replicasToInspect(group: ReplicaGroup): Replica[] {
  const troubled = group.replicas.filter(isTroubled);
  const chosen = troubled.length ? troubled : group.replicas;
  const pods = [...new Set(chosen.map(r => r.pod))].slice(
    0,
    MAX_PODS_PER_GROUP,
  );
  return pods.map(pod => chosen.find(r => r.pod === pod)!);
}

/** The group the fix target is in. */
export function fixGroup(ctx: RunbookContext): ReplicaGroup | undefined {
  const target = ctx.fixTarget;
  return target
    ? ctx.groups.find(
        g => g.cluster === target.cluster && g.namespace === target.namespace,
      )
    : undefined;
}

/** The newest action of the kinds given, optionally for one step. */
export function lastAction(
  ctx: RunbookContext,
  kinds: IncidentAction['kind'][],
  stepId?: string,
): IncidentAction | undefined {
  const actions = ctx.inputs.incident?.actions ?? [];
  return [...actions]
    .reverse()
    .find(
      a =>
        kinds.includes(a.kind) && (stepId === undefined || a.stepId === stepId),
    );
}

/**
 * Whether memory-limit-too-low is the runtime's own memory cap stopping
 * the container below its limit: the diagnosis proposes no limit, no
 * replica the runbook is about was OOMKilled, and some ended otherwise
 * (the exit after a memory error).
 */
export function runtimeCapReached(ctx: RunbookContext): boolean {
  if (
    ctx.hypothesisId !== 'memory-limit-too-low' ||
    ctx.recommendation?.memoryLimit
  ) {
    return false;
  }
  const replicas = ctx.groups.flatMap(g => g.replicas);
  return (
    !replicas.some(r => r.lastTermination?.reason === 'OOMKilled') &&
    replicas.some(
      r =>
        r.lastTermination !== undefined &&
        r.lastTermination.reason !== 'Completed',
    )
  );
}
