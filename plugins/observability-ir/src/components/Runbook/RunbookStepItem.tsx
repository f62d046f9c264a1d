import {
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useId } from 'react';
import { EvidenceList } from '../DiagnosisBanner/EvidenceList';
import { MemoryLimitFixLink } from './MemoryLimitFixLink';
import { PersonActions } from './PersonActions';
import { StepCommands } from './StepCommands';
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
 * One step of the runbook: its status, what it found or waits for, its
 * evidence and commands; the buttons for a step that waits for a person,
 * the proposed memory limit on Fix and the watch on Verify.
 */
export function RunbookStepItem(props: {
  entityRef: string;
  number: number;
  step: RunbookStep;
  onRecorded: (runbook: RunbookResponse) => void;
}) {
  const { entityRef, number, step, onRecorded } = props;
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
        <MemoryLimitFixLink entityRef={entityRef} fix={step.memoryLimitFix} />
      )}
      {step.verify && <VerifyProgressView verify={step.verify} />}
      {step.evidence.length > 0 && (
        <Box mt={1}>
          <EvidenceList
            items={step.evidence}
            label={`Evidence of ${step.title}`}
          />
        </Box>
      )}
      {step.commands.length > 0 && (
        <Box mt={1}>
          <StepCommands commands={step.commands} stepTitle={step.title} />
        </Box>
      )}
      {step.status === 'needs-person' && (
        <PersonActions
          entityRef={entityRef}
          step={step}
          onRecorded={onRecorded}
        />
      )}
    </li>
  );
}
