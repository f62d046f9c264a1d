import {
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { RunbookContext, runbookContext, RunbookInputs } from './steps/context';
import { sentences } from './steps/evidence';
import { fixStep } from './steps/fix';
import { kernelStep } from './steps/kernel';
import { logsStep } from './steps/logs';
import { withPersonMark } from './steps/personMarks';
import { replicasStep } from './steps/replicas';
import { triageStep } from './steps/triage';
import { verifyStep } from './steps/verify';

export type { RunbookInputs };

/** The steps in the order a person takes them (`RUNBOOK_STEP_IDS`). */
const STEPS: Array<(ctx: RunbookContext) => RunbookStep> = [
  triageStep,
  logsStep,
  replicasStep,
  kernelStep,
  fixStep,
  verifyStep,
];

/** What every step of a healthy entity says: there is nothing to do. */
function skippedAsHealthy(ctx: RunbookContext, step: RunbookStep): RunbookStep {
  const confidence = ctx.hypothesis
    ? ` (${Math.round(ctx.hypothesis.confidence * 100)}%)`
    : '';
  const reason = `No problem found: the diagnosis finds ${ctx.inputs.entityRef} healthy${confidence}`;
  const gathersEvidence = ['triage', 'logs', 'replicas'].includes(step.id);
  return {
    ...step,
    status: 'skipped',
    skippedReason: reason,
    summary: sentences(reason),
    // What was looked at stays visible; nothing is to be fixed or watched.
    evidence: gathersEvidence ? step.evidence : [],
    commands: gathersEvidence ? step.commands : [],
  };
}

/**
 * A step still waiting for a person when the incident was resolved: it
 * was not needed, and asks nothing of anyone any more.
 */
function closedWithoutIt(ctx: RunbookContext, step: RunbookStep): RunbookStep {
  const { incident } = ctx.inputs;
  if (step.status !== 'needs-person' || incident?.status !== 'resolved') {
    return step;
  }
  const reason = 'Not needed: the incident was resolved without it';
  return {
    ...step,
    status: 'skipped',
    skippedReason: reason,
    summary: 'The incident was resolved without this step.',
  };
}

/**
 * The guided runbook of an entity's incident: six steps, from the metrics
 * to the verification of a fix, each with its status, what it found, its
 * evidence and the commands to see the same by hand.
 *
 * @remarks
 * A pure function of its inputs. The runbook follows the open incident's
 * hypothesis (a fix often makes the diagnosis healthy before the watch
 * ends), or the most recent incident's while nothing else is wrong;
 * otherwise the diagnosis' top hypothesis. Every value in a command is
 * quoted or escaped for its language; a command that cannot be written
 * faithfully is left out.
 */
export function buildRunbook(
  inputs: RunbookInputs,
): Omit<RunbookResponse, 'incident'> {
  const ctx = runbookContext(inputs);
  const healthy = ctx.hypothesisId === 'healthy';
  const steps = STEPS.map(build => build(ctx))
    .map(step => (healthy ? skippedAsHealthy(ctx, step) : step))
    .map(step => withPersonMark(ctx, step))
    .map(step => closedWithoutIt(ctx, step));
  return {
    entityRef: inputs.entityRef,
    hypothesis: ctx.hypothesisId,
    title: ctx.hypothesis?.title ?? (healthy ? 'Healthy' : ctx.hypothesisId),
    confidence: ctx.hypothesis?.confidence ?? 0,
    ...(ctx.recommendation && { recommendation: ctx.recommendation }),
    steps,
  };
}
