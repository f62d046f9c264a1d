import {
  describePercent,
  describeTime,
  RunbookCommand,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import {
  cpuThrottledShare,
  memoryLimitShare,
  ready,
  restartIncrease,
} from '../../../queries';
import { promqlCommand, restartCounts, watchPods } from '../commands';
import { commandsOf, ReplicaGroup, RunbookContext, scopeOf } from './context';
import { sentences } from './evidence';
import { playbookOf, VerifyWatch } from './playbooks';

/** The rate window of the throttling query a person watches. */
const WATCH_WINDOW_SECONDS = 300;
/** The window of the restart count a person watches. */
const RESTART_WINDOW_SECONDS = 600;

function watchQuery(
  ctx: RunbookContext,
  group: ReplicaGroup,
  watch: VerifyWatch,
): RunbookCommand {
  const scope = scopeOf(group, ctx.inputs.workload);
  switch (watch) {
    case 'memory':
      return promqlCommand(
        `Working set / memory limit; stays well under 1 (${group.cluster})`,
        memoryLimitShare(scope),
      );
    case 'cpu':
      return promqlCommand(
        `Throttled share of CFS periods; falls towards 0 (${group.cluster})`,
        cpuThrottledShare(scope, WATCH_WINDOW_SECONDS),
      );
    case 'readiness':
      return promqlCommand(
        `Readiness per container; 1 when ready (${group.cluster})`,
        ready(scope),
      );
    default:
      return promqlCommand(
        `Restarts in the last 10 minutes; stays 0 (${group.cluster})`,
        restartIncrease(scope, RESTART_WINDOW_SECONDS),
      );
  }
}

function verifyCommands(ctx: RunbookContext): RunbookCommand[] {
  const { labelSelector } = ctx.inputs.workload;
  const watch = playbookOf(ctx).verifyWatch;
  return commandsOf(
    ...ctx.groups.flatMap(group => [
      () => watchPods(group, labelSelector),
      () => restartCounts(group, labelSelector),
      () => watchQuery(ctx, group, watch),
      ...(watch === 'restarts' || watch === 'evictions'
        ? []
        : [() => watchQuery(ctx, group, 'restarts')]),
    ]),
  );
}

/**
 * Verify: watch the replicas for a window after the fix. Done when the
 * watch passed (or the incident is resolved), in progress while it runs,
 * waiting for the fix before that.
 */
export function verifyStep(ctx: RunbookContext): RunbookStep {
  const { verify, fix, incident } = ctx.inputs;
  const base = {
    id: 'verify' as const,
    title: playbookOf(ctx).titles.verify,
    evidence: [],
    commands: verifyCommands(ctx),
    ...(verify && { verify }),
  };
  const checks = verify?.checks
    .map(c => `${c.name} ${c.passed ? 'holds' : 'fails'} (${c.detail})`)
    .join('; ');
  if (verify?.passedAt) {
    return {
      ...base,
      status: 'done',
      summary: sentences(
        `Verification passed at ${describeTime(verify.passedAt, ctx.now)}`,
        checks,
      ),
    };
  }
  if (verify) {
    return {
      ...base,
      status: 'in-progress',
      summary: sentences(
        `Watching since ${describeTime(
          verify.since,
          ctx.now,
        )}: ${describePercent(verify.progress, {
          whole: true,
        })} of ${Math.round(verify.windowSeconds / 60)} min`,
        checks,
      ),
    };
  }
  if (incident?.status === 'resolved' && incident.closedAt) {
    return {
      ...base,
      status: 'done',
      summary: sentences(
        `The incident was resolved at ${describeTime(
          incident.closedAt,
          ctx.now,
        )}`,
      ),
    };
  }
  if (fix?.observed) {
    return {
      ...base,
      status: 'in-progress',
      summary: sentences(
        'The fix is in the spec; the watch starts with the new pods',
      ),
    };
  }
  return {
    ...base,
    status: 'needs-person',
    summary: sentences(
      'Apply the fix first; the watch starts once the workload carries it',
    ),
  };
}
