import {
  describeTime,
  EvidenceItem,
  HypothesisId,
  IncidentAction,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { lastAction, RunbookContext } from './context';
import { sentences } from './evidence';
import { cpuPlan } from './fixPlans/cpu';
import { crashPlan } from './fixPlans/crash';
import { memoryLeakPlan, memoryLimitPlan } from './fixPlans/memory';
import { networkPlan } from './fixPlans/network';
import { nodePlan } from './fixPlans/node';
import { FixPlan, FixPlanner } from './fixPlans/plan';
import { probePlan } from './fixPlans/probe';
import { playbookOf } from './playbooks';

const PLANNERS: Record<HypothesisId, FixPlanner> = {
  'memory-limit-too-low': memoryLimitPlan,
  'memory-leak': memoryLeakPlan,
  'node-memory-pressure': nodePlan,
  'application-crash': crashPlan,
  'probe-misconfiguration': probePlan,
  'cpu-throttling': cpuPlan,
  'network-fault': networkPlan,
  healthy: () => ({ summary: 'No problem found', commands: [] }),
};

/** "by user:default/jane at 09:30:00Z: <message>". */
export function byWhom(action: IncidentAction, now: Date): string {
  return `by ${action.actor} at ${describeTime(action.at, now)}: ${
    action.message
  }`;
}

function sameText(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

function observedEvidence(ctx: RunbookContext, plan: FixPlan): EvidenceItem[] {
  const fix = ctx.inputs.fix;
  const change = plan.memoryLimitFix;
  if (!fix?.observed) {
    return [];
  }
  const description =
    change && !sameText(change.currentLimit, change.proposedLimit)
      ? `limits.memory of container ${change.container} in ${change.workloadKind} ${change.workloadName} is now ${change.proposedLimit} (was ${change.currentLimit})`
      : fix.message ?? 'The workload spec carries the fix';
  return [{ source: 'kubernetes', description }];
}

/**
 * Fix: the change the hypothesis calls for. Done once the caller sees it
 * in the workload's spec; in progress once someone applied it and the
 * spec does not show it yet; waiting for a person before that.
 */
export function fixStep(ctx: RunbookContext): RunbookStep {
  const plan = PLANNERS[ctx.hypothesisId](ctx);
  const applied = lastAction(ctx, ['fix-applied']);
  const proposed = lastAction(ctx, ['fix-proposed']);
  const fix = ctx.inputs.fix;
  const base = {
    id: 'fix' as const,
    title: playbookOf(ctx).titles.fix,
    commands: plan.commands,
    evidence: [...observedEvidence(ctx, plan), ...(plan.evidence ?? [])],
    ...(plan.memoryLimitFix && { memoryLimitFix: plan.memoryLimitFix }),
  };
  if (fix?.observed) {
    return {
      ...base,
      status: 'done',
      summary: sentences(
        base.evidence[0]?.description ?? 'The workload spec carries the fix',
        applied && `Applied ${byWhom(applied, ctx.now)}`,
      ),
    };
  }
  if (applied) {
    return {
      ...base,
      status: 'in-progress',
      summary: sentences(
        `Applied ${byWhom(applied, ctx.now)}`,
        "Waiting for the workload's spec to carry it",
        fix?.message,
      ),
    };
  }
  return {
    ...base,
    status: 'needs-person',
    summary: sentences(
      plan.summary,
      proposed && `Proposed ${byWhom(proposed, ctx.now)}`,
      fix?.message,
    ),
  };
}
