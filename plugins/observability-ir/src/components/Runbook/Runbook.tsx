import { Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  RUNBOOK_STEP_IDS,
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useRef } from 'react';
import { useIncidentRange, useRunbook } from '../../hooks';
import { EvidenceError } from '../EvidenceStatus';
import { IncidentPanel } from '../IncidentPanel';
import { errorMessage } from './errorMessage';
import { ExportPostmortemButton } from './ExportPostmortemButton';
import { IncidentHeader } from './IncidentHeader';
import { RunbookStepItem } from './RunbookStepItem';

const useStyles = makeStyles({
  steps: { listStyle: 'none', margin: 0, padding: 0 },
});

/** No incident, and nothing the runbook would have a person do. */
function isNothingToDo(runbook: RunbookResponse): boolean {
  return (
    !runbook.incident &&
    (runbook.hypothesis === 'healthy' || runbook.steps.length === 0)
  );
}

/** The steps in the order a person takes them, whatever order they came in. */
function inOrder(runbook: RunbookResponse) {
  return [...runbook.steps].sort(
    (a, b) => RUNBOOK_STEP_IDS.indexOf(a.id) - RUNBOOK_STEP_IDS.indexOf(b.id),
  );
}

/**
 * The step a person takes next: the first that waits for them or is under
 * way. Its evidence and commands start open; they are how to act on it.
 */
function stepAtHand(steps: RunbookStep[]): RunbookStep | undefined {
  return steps.find(
    s => s.status === 'needs-person' || s.status === 'in-progress',
  );
}

/**
 * The runbook of the entity's incident, below the diagnosis: the incident,
 * then triage, logs, replicas, kernel, fix and verify, each with its status
 * and summary, its evidence and commands folded but for the step at hand;
 * what a person records on a step; the postmortem to export. Read again every `pollMs` while a fix is being verified, and when
 * the tab is refreshed.
 *
 * @public
 */
export function Runbook(props: { pollMs?: number }) {
  const classes = useStyles();
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { runbook, error, loading, refresh, replace } = useRunbook(entityRef, {
    pollMs: props.pollMs,
  });

  // The tab's refresh (by hand or automatic) reads the runbook too.
  const { refreshCount } = useIncidentRange();
  const seenRefresh = useRef(refreshCount);
  useEffect(() => {
    if (refreshCount !== seenRefresh.current) {
      seenRefresh.current = refreshCount;
      refresh();
    }
  }, [refreshCount, refresh]);

  let content;
  if (loading) {
    content = <Progress aria-label="Loading runbook" />;
  } else if (!runbook) {
    content = <EvidenceError error={error!} />;
  } else if (isNothingToDo(runbook)) {
    content = (
      <Typography>
        No incident: nothing to do. The runbook appears here when the diagnosis
        finds a problem.
      </Typography>
    );
  } else {
    const steps = inOrder(runbook);
    const atHand = stepAtHand(steps);
    content = (
      <>
        {error && (
          <Box mb={1}>
            <Alert severity="warning" role="alert">
              The runbook could not be read again, and may be out of date:{' '}
              {errorMessage(error)}
            </Alert>
          </Box>
        )}
        <IncidentHeader runbook={runbook} />
        <ol aria-label="Runbook steps" className={classes.steps}>
          {steps.map((step, i) => (
            <RunbookStepItem
              key={step.id}
              entityRef={entityRef}
              number={i + 1}
              step={step}
              atHand={step === atHand}
              onRecorded={replace}
            />
          ))}
        </ol>
      </>
    );
  }

  return (
    <IncidentPanel
      title="Runbook"
      action={
        runbook?.incident ? (
          <ExportPostmortemButton entityRef={entityRef} />
        ) : undefined
      }
    >
      {content}
    </IncidentPanel>
  );
}
