import { RunbookStep } from '@observability-ir/plugin-observability-ir-common';
import { lastAction, RunbookContext } from './context';
import { sentences } from './evidence';
import { byWhom } from './fix';

/**
 * A step a person marked done or skipped takes that status, whatever the
 * evidence says: they may know what the backend cannot see. The newest
 * mark wins; the summary says who marked it, when and why.
 */
export function withPersonMark(
  ctx: RunbookContext,
  step: RunbookStep,
): RunbookStep {
  const mark = lastAction(ctx, ['step-completed', 'step-skipped'], step.id);
  if (!mark) {
    return step;
  }
  if (mark.kind === 'step-skipped') {
    return {
      ...step,
      status: 'skipped',
      skippedReason: mark.message,
      summary: sentences(`Skipped ${byWhom(mark, ctx.now)}`, step.summary),
    };
  }
  const { skippedReason: _unused, ...rest } = step;
  return {
    ...rest,
    status: 'done',
    summary: sentences(`Marked done ${byWhom(mark, ctx.now)}`, step.summary),
  };
}
