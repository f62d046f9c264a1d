import { rootCause } from '../../../logs/logFacts';
import {
  previousLogs,
  rolloutHistory,
  rolloutStatus,
  rolloutUndo,
} from '../../commands';
import { commandsOf, fixGroup, RunbookContext } from '../context';
import { sentences } from '../evidence';
import { FixPlan, unknownWorkload } from './plan';

/**
 * application-crash: read why the process exits, then fix the code or its
 * configuration, or roll back to the revision that worked.
 */
export function crashPlan(ctx: RunbookContext): FixPlan {
  const target = ctx.fixTarget;
  const group = fixGroup(ctx) ?? ctx.groups[0];
  const crashed = group?.replicas.find(r => r.restartCount > 0);
  const top = ctx.inputs.logs.groups[0];
  const cause = top ? rootCause(top) ?? top.signature : undefined;
  const unknown = unknownWorkload(ctx);
  return {
    summary: sentences(
      ctx.recommendation?.summary ??
        `Fix the application error${
          cause ? ` ${cause}` : ''
        }: read the previous container's logs; more memory or a restart will not help`,
      target &&
        `If a recent rollout of ${target.kind} ${target.name} brought it, roll back to the previous revision`,
      unknown.note,
    ),
    commands: [
      ...commandsOf(() =>
        group && crashed
          ? previousLogs(group, crashed.pod, crashed.container)
          : undefined,
      ),
      ...unknown.commands,
      ...(target
        ? commandsOf(
            () => rolloutHistory(target),
            () => rolloutUndo(target),
            () => rolloutStatus(target),
          )
        : []),
    ],
  };
}
