import { describeCores } from '@observability-ir/plugin-observability-ir-common';
import { isSeriesOf } from '../../../metrics/seriesFacts';
import {
  removeCpuLimit,
  rolloutStatus,
  setCpuLimit,
  topPods,
} from '../../commands';
import { commandsOf, fixGroup, RunbookContext } from '../context';
import { sentences } from '../evidence';
import { FixPlan, unknownWorkload } from './plan';

/** A raise is at least this many times the current limit. */
const CPU_RAISE_FACTOR = 2;
/** Raises are rounded up to this many cores. */
const CPU_STEP_CORES = 0.1;

/**
 * The CPU limit to propose: twice the current one, rounded up to 100m.
 * A throttled container's usage is capped by its limit, so usage cannot
 * tell how much more it needs.
 */
function proposedCpuLimit(current: number): number {
  const raised = current * CPU_RAISE_FACTOR;
  return Math.ceil(raised / CPU_STEP_CORES - 1e-9) * CPU_STEP_CORES;
}

/** cpu-throttling: raise or remove the CPU limit of the throttled container. */
export function cpuPlan(ctx: RunbookContext): FixPlan {
  const target = ctx.fixTarget;
  const group = fixGroup(ctx);
  const replica = group?.replicas.find(r => r.container === target?.container);
  const current = replica?.limits.cpuCores;
  const proposed = current ? proposedCpuLimit(current) : undefined;
  const usage = replica
    ? ctx.inputs.metrics.cpu.usage
        .filter(s => isSeriesOf(s, replica))
        .flatMap(s => s.points.map(([, v]) => v))
    : [];
  const peakUsage = usage.length ? Math.max(...usage) : undefined;
  const unknown = unknownWorkload(ctx);
  return {
    summary: sentences(
      ctx.recommendation?.summary ??
        'Raise or remove limits.cpu of the throttled container',
      target !== undefined &&
        current !== undefined &&
        proposed !== undefined &&
        `Container ${target.container} of ${target.kind} ${
          target.name
        } has a limit of ${describeCores(current)}${
          peakUsage !== undefined
            ? ` and used up to ${describeCores(peakUsage)}`
            : ''
        }; raise it to ${describeCores(proposed)}, or remove it`,
      unknown.note,
    ),
    commands: [
      ...unknown.commands,
      ...(target
        ? commandsOf(
            () =>
              group
                ? topPods(group, ctx.inputs.workload.labelSelector)
                : undefined,
            () => (proposed ? setCpuLimit(target, proposed) : undefined),
            () => removeCpuLimit(target),
            () => rolloutStatus(target),
          )
        : []),
    ],
  };
}
