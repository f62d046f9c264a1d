import { RunbookStep } from '@observability-ir/plugin-observability-ir-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useState } from 'react';
import { EvidenceList } from '../DiagnosisBanner/EvidenceList';
import { StepCommands } from './StepCommands';

// Dense, open or folded (MUI's own margins grow an open accordion): the
// steps' own text, not this fold, is what a person scans down the runbook.
const useStyles = makeStyles(theme => ({
  fold: {
    marginTop: theme.spacing(1),
    '&$foldExpanded': { margin: theme.spacing(1, 0, 0) },
  },
  foldExpanded: {},
  summary: {
    minHeight: 36,
    '&$expanded': { minHeight: 36 },
  },
  summaryContent: {
    margin: theme.spacing(0.75, 0),
    '&$expanded': { margin: theme.spacing(0.75, 0) },
  },
  expanded: {},
  details: { display: 'block', paddingTop: 0 },
}));

/** What the fold holds, with how many of each: "Evidence and commands (3 + 5)". */
function foldLabel(evidence: number, commands: number): string {
  if (evidence && commands) {
    return `Evidence and commands (${evidence} + ${commands})`;
  }
  return evidence ? `Evidence (${evidence})` : `Commands (${commands})`;
}

/**
 * A step's evidence and commands, folded away unless `initiallyExpanded`:
 * they are long, and the steps' status, summary and actions must stay in
 * view above the panels that follow the runbook. Nothing when the step has
 * neither.
 */
export function StepEvidenceAndCommands(props: {
  step: RunbookStep;
  initiallyExpanded: boolean;
}) {
  const { step } = props;
  const classes = useStyles();
  // As it started, then as the person leaves it: reading the runbook again
  // never opens or folds it under their eyes.
  const [expanded, setExpanded] = useState(props.initiallyExpanded);
  if (!step.evidence.length && !step.commands.length) {
    return null;
  }
  return (
    <Accordion
      variant="outlined"
      expanded={expanded}
      onChange={(_, open) => setExpanded(open)}
      TransitionProps={{ unmountOnExit: true }}
      classes={{ root: classes.fold, expanded: classes.foldExpanded }}
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        classes={{
          root: classes.summary,
          content: classes.summaryContent,
          expanded: classes.expanded,
        }}
      >
        <Typography variant="body2">
          {foldLabel(step.evidence.length, step.commands.length)}
        </Typography>
      </AccordionSummary>
      <AccordionDetails className={classes.details}>
        {step.evidence.length > 0 && (
          <EvidenceList
            items={step.evidence}
            label={`Evidence of ${step.title}`}
          />
        )}
        {step.commands.length > 0 && (
          <Box mt={step.evidence.length > 0 ? 1 : 0}>
            <StepCommands commands={step.commands} stepTitle={step.title} />
          </Box>
        )}
      </AccordionDetails>
    </Accordion>
  );
}
