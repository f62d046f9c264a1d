import {
  formatMemoryQuantity,
  MemoryLimitFix,
  parseMemoryQuantity,
  RunbookCommand,
} from '@observability-ir/plugin-observability-ir-common';
import {
  goHeapProfile,
  jvmHeapDump,
  nodeJsHeapSnapshot,
  patchMemoryLimit,
  processMemory,
  processMemoryMaps,
  rolloutStatus,
  setMemoryLimit,
  workloadResources,
} from '../../commands';
import { commandsOf, fixGroup, RunbookContext } from '../context';
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

/** memory-limit-too-low: raise the limit to the proposed quantity. */
export function memoryLimitPlan(ctx: RunbookContext): FixPlan {
  const change = memoryLimitFixOf(ctx);
  const unknown = unknownWorkload(ctx);
  return {
    summary: sentences(
      change
        ? `Raise limits.memory of container ${change.container} in ${where(
            change,
          )} from ${change.currentLimit} to ${change.proposedLimit}`
        : 'Set limits.memory of the OOMKilled container above its peak working set, with 50% headroom',
      ctx.recommendation?.memoryLimit?.basis,
      unknown.note,
    ),
    commands: [...unknown.commands, ...limitCommands(ctx, change)],
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
