import {
  EvidenceItem,
  MemoryLimitFix,
  RunbookCommand,
} from '@observability-ir/plugin-observability-ir-common';
import { podOwner } from '../../commands';
import { commandsOf, RunbookContext } from '../context';

/** What the Fix step proposes for one hypothesis. */
export interface FixPlan {
  /** What to change and why, in a sentence or two. */
  summary: string;
  commands: RunbookCommand[];
  evidence?: EvidenceItem[];
  memoryLimitFix?: MemoryLimitFix;
}

/** Builds the plan of the followed hypothesis. */
export type FixPlanner = (ctx: RunbookContext) => FixPlan;

/**
 * When the pods' workload cannot be told from their names, the command
 * that asks Kubernetes for it, and a sentence saying so.
 */
export function unknownWorkload(ctx: RunbookContext): {
  note?: string;
  commands: RunbookCommand[];
} {
  if (ctx.fixTarget) {
    return { commands: [] };
  }
  const group = ctx.groups[0];
  return {
    note: 'The workload that owns the pods cannot be told from their names: find it with the first command, then change it there',
    commands: group ? commandsOf(() => podOwner(group, group.pods[0])) : [],
  };
}
