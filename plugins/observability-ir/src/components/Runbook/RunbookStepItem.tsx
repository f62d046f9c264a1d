import {
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useId } from 'react';
import { MemoryLimitFixLink } from './MemoryLimitFixLink';
import { PersonActions } from './PersonActions';
import { StepEvidenceAndCommands } from './StepEvidenceAndCommands';
import { StepStatusChip } from './StepStatusChip';
import { VerifyProgressView } from './VerifyProgressView';

const useStyles = makeStyles(theme => ({
  step: {
    padding: theme.spacing(2, 0),
    borderTop: `1px solid ${theme.palette.divider}`,
  },
  heading: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
}));

/**
 * One step of the runbook: its status, what it found or waits for, the
 * proposed memory limit on Fix, the watch on Verify and the buttons for a
 * step that waits for a person, always in view; its evidence and commands
 * in a fold, open at first only on the step at hand.
 */
export function RunbookStepItem(props: {
  entityRef: string;
  number: number;
  step: RunbookStep;
  atHand: boolean;
  onRecorded: (runbook: RunbookResponse) => void;
}) {
  const { entityRef, number, step, atHand, onRecorded } = props;
  const classes = useStyles();
  const headingId = `runbook-step-${useId().replace(/:/g, '')}`;
  return (
    <li aria-labelledby={headingId} className={classes.step}>
      <div className={classes.heading}>
        <Typography variant="h6" component="h3" id={headingId}>
          {number}. {step.title}
        </Typography>
        <StepStatusChip status={step.status} />
      </div>
      <Typography variant="body2">{step.summary}</Typography>
      {step.status === 'skipped' && step.skippedReason && (
        <Typography variant="body2" color="textSecondary">
          Reason for skipping: {step.skippedReason}
        </Typography>
      )}
      {step.memoryLimitFix && (
        <MemoryLimitFixLink
          entityRef={entityRef}
          fix={step.memoryLimitFix}
          offerTemplate={step.status !== 'done'}
        />
      )}
      {step.verify && <VerifyProgressView verify={step.verify} />}
      {/* Verification passes by itself, on what the replicas do. */}
      {step.status === 'needs-person' && step.id !== 'verify' && (
        <PersonActions
          entityRef={entityRef}
          step={step}
          onRecorded={onRecorded}
        />
      )}
      <StepEvidenceAndCommands step={step} initiallyExpanded={atHand} />
    </li>
  );
}
