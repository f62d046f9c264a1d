import {
  describeBytes,
  formatMemoryQuantity,
  listNames,
  MemoryLimitFix,
  parseMemoryQuantity,
  plural,
  Replica,
  RunbookCommand,
} from '@observability-ir/plugin-observability-ir-common';
import {
  containerCommandAndEnv,
  goHeapProfile,
  jvmHeapDump,
  nodeJsHeapSnapshot,
  patchMemoryLimit,
  previousLogs,
  processMemory,
  processMemoryMaps,
  rolloutStatus,
  setMemoryLimit,
  workloadResources,
} from '../../commands';
import {
  commandsOf,
  fixGroup,
  RunbookContext,
  runtimeCapReached,
} from '../context';
import { sentences } from '../evidence';
import { FixPlan, unknownWorkload } from './plan';

function sameLimit(a: string, b: string): boolean {
  try {
    return parseMemoryQuantity(a) === parseMemoryQuantity(b);
  } catch {
    return a === b;
  }
}

/**
 * The limit the container started the range with, from the limit series:
 * after a raise, the one the incident was about.
 */
function earliestLimit(ctx: RunbookContext): string | undefined {
  const target = ctx.fixTarget;
  const first = ctx.inputs.metrics.memory.limit
    .filter(
      s =>
        s.cluster === target?.cluster &&
        (s.container === undefined || s.container === target.container) &&
        s.points.length > 0,
    )
    .map(s => s.points[0])
    .sort((a, b) => a[0] - b[0])[0];
  return first && Number.isFinite(first[1]) && first[1] > 0
    ? formatMemoryQuantity(first[1])
    : undefined;
}

/** The limit in the target container's spec now, from the replica table. */
function specLimit(ctx: RunbookContext): string | undefined {
  const target = ctx.fixTarget;
  const bytes = fixGroup(ctx)?.replicas.find(
    r => r.container === target?.container && r.limits.memoryBytes,
  )?.limits.memoryBytes;
  return bytes ? formatMemoryQuantity(bytes) : undefined;
}

/**
 * The memory-limit change: proposed from the recommendation; once the
 * caller sees a fix in the spec, from the limit before it to the one now.
 */
function memoryLimitFixOf(ctx: RunbookContext): MemoryLimitFix | undefined {
  const target = ctx.fixTarget;
  const recommended = ctx.recommendation?.memoryLimit;
  const fix = ctx.inputs.fix;
  if (!target) {
    return undefined;
  }
  let currentLimit = recommended?.current ?? specLimit(ctx);
  let proposedLimit = recommended?.proposed;
  const limitNow = fix?.currentLimit ?? specLimit(ctx);
  if (fix?.observed && limitNow) {
    const before = earliestLimit(ctx);
    currentLimit =
      before && !sameLimit(before, limitNow)
        ? before
        : recommended?.current ?? currentLimit;
    proposedLimit = limitNow;
  }
  if (!currentLimit || !proposedLimit) {
    return undefined;
  }
  return {
    cluster: target.cluster,
    namespace: target.namespace,
    workloadKind: target.kind,
    workloadName: target.name,
    container: target.container,
    currentLimit,
    proposedLimit,
  };
}

function limitCommands(
  ctx: RunbookContext,
  change: MemoryLimitFix | undefined,
): RunbookCommand[] {
  const target = ctx.fixTarget;
  if (!target) {
    return [];
  }
  return commandsOf(
    () => workloadResources(target),
    () => (change ? patchMemoryLimit(target, change.proposedLimit) : undefined),
    () => (change ? setMemoryLimit(target, change.proposedLimit) : undefined),
    () => rolloutStatus(target),
  );
}

/** Where the change goes, in words. */
function where(change: MemoryLimitFix): string {
  return `${change.workloadKind} ${change.workloadName} (${change.cluster}, namespace ${change.namespace})`;
}

/** The replicas of the fix target's container, in its group. */
function targetReplicas(ctx: RunbookContext): Replica[] {
  const target = ctx.fixTarget;
  return (fixGroup(ctx)?.replicas ?? []).filter(
    r => r.container === target?.container,
  );
}

/**
 * When only some replicas of the container were OOMKilled: the sentence
 * that names them, and the logs of the first one's last run.
 */
function someReplicasKilled(ctx: RunbookContext): {
  note?: string;
  commands: RunbookCommand[];
} {
  const group = fixGroup(ctx);
  const target = ctx.fixTarget;
  const replicas = targetReplicas(ctx);
  const killed = replicas.filter(
    r => r.lastTermination?.reason === 'OOMKilled',
  );
  if (
    !group ||
    !target ||
    killed.length === 0 ||
    killed.length === replicas.length
  ) {
    return { commands: [] };
  }
  const one = killed.length === 1;
  return {
    note: `Only ${listNames(killed.map(r => r.pod))} of ${plural(
      replicas.length,
      'replica',
    )} ${one ? 'was' : 'were'} OOMKilled: find what ${
      one ? 'it does' : 'they do'
    } differently from the others (a shard, a tenant, a batch) before settling on the limit`,
    commands: commandsOf(() =>
      previousLogs(group, killed[0].pod, target.container),
    ),
  };
}

/** The highest working set of the fix target's container in the range. */
function peakWorkingSet(ctx: RunbookContext): number | undefined {
  const target = ctx.fixTarget;
  const values = ctx.inputs.metrics.memory.workingSet
    .filter(
      s =>
        s.cluster === target?.cluster &&
        (s.container === undefined || s.container === target.container),
    )
    .flatMap(s => s.points.map(p => p[1]))
    .filter(v => Number.isFinite(v) && v > 0);
  return values.length ? Math.max(...values) : undefined;
}

/** How the common runtimes are given a memory cap. */
const RUNTIME_CAP_SETTINGS =
  "Set the cap in the container's env or args (the first command shows them): JAVA_TOOL_OPTIONS=-Xmx… or -XX:MaxRAMPercentage=…, NODE_OPTIONS=--max-old-space-size=<MiB>, DOTNET_GCHeapHardLimit=<bytes, hex>, or the ulimit -v its entrypoint sets";

/**
 * memory-limit-too-low, when the runtime's own cap stopped the container
 * below its limit: raise that cap, keep limits.memory above it.
 */
function runtimeCapPlan(ctx: RunbookContext): FixPlan {
  const target = ctx.fixTarget;
  const unknown = unknownWorkload(ctx);
  const container =
    target?.container ?? ctx.groups[0]?.replicas[0]?.container ?? 'the app';
  const limit = specLimit(ctx);
  const peak = peakWorkingSet(ctx);
  const limitBytes = limit ? parseMemoryQuantity(limit) : undefined;
  const stoppedAt =
    peak && limitBytes
      ? ` at about ${describeBytes(peak)}, ${Math.round(
          (peak / limitBytes) * 100,
        )}% of its ${limit} limit`
      : ' below its limit';
  return {
    summary: sentences(
      `Raise the memory cap of the runtime in container ${container}${
        target
          ? ` of ${target.kind} ${target.name} (${target.cluster}, namespace ${target.namespace})`
          : ''
      }: it exits after its own memory error${stoppedAt}, so raising limits.memory alone will not help`,
      RUNTIME_CAP_SETTINGS,
      'Keep limits.memory at least 25% above the new cap, raising it too when needed',
      unknown.note,
    ),
    commands: [
      ...unknown.commands,
      ...(target
        ? commandsOf(
            () => containerCommandAndEnv(target),
            () => workloadResources(target),
            () => rolloutStatus(target),
          )
        : []),
    ],
  };
}

/**
 * memory-limit-too-low: raise the limit to the proposed quantity; or,
 * when the runtime's own cap stopped the container below it, that cap.
 */
export function memoryLimitPlan(ctx: RunbookContext): FixPlan {
  if (runtimeCapReached(ctx)) {
    return runtimeCapPlan(ctx);
  }
  const change = memoryLimitFixOf(ctx);
  const unknown = unknownWorkload(ctx);
  const some = someReplicasKilled(ctx);
  return {
    summary: sentences(
      change
        ? `Raise limits.memory of container ${change.container} in ${where(
            change,
          )} from ${change.currentLimit} to ${change.proposedLimit}`
        : 'Set limits.memory of the OOMKilled container above its peak working set, with 50% headroom',
      ctx.recommendation?.memoryLimit?.basis,
      some.note,
      unknown.note,
    ),
    commands: [
      ...unknown.commands,
      ...limitCommands(ctx, change),
      ...some.commands,
    ],
    memoryLimitFix: change,
  };
}

/** The commands that show what holds the memory, for several runtimes. */
function heapCommands(ctx: RunbookContext): RunbookCommand[] {
  const group = fixGroup(ctx) ?? ctx.groups[0];
  const replica = group?.replicas[0];
  if (!group || !replica) {
    return [];
  }
  const { pod, container } = replica;
  return commandsOf(
    () => processMemory(group, pod, container),
    () => processMemoryMaps(group, pod, container),
    () => jvmHeapDump(group, pod, container),
    () => nodeJsHeapSnapshot(group, pod, container),
    () => goHeapProfile(group, pod),
  );
}

/** memory-leak: find the leak; raise the limit only as a stopgap. */
export function memoryLeakPlan(ctx: RunbookContext): FixPlan {
  const change = memoryLimitFixOf(ctx);
  const unknown = unknownWorkload(ctx);
  return {
    summary: sentences(
      'Raising the limit only buys time: the leak must be found',
      'Take a heap dump (or your runtime’s equivalent) while the working set is high and compare it with one taken soon after a start',
      change &&
        `As a stopgap, raise limits.memory of container ${
          change.container
        } in ${where(change)} from ${change.currentLimit} to ${
          change.proposedLimit
        }`,
      unknown.note,
    ),
    commands: [
      ...heapCommands(ctx),
      ...unknown.commands,
      ...limitCommands(ctx, change),
    ],
    memoryLimitFix: change,
  };
}
