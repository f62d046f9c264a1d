import {
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useRunbookAction } from '../../hooks';
import { errorMessage } from './errorMessage';
import { SkipStepDialog } from './SkipStepDialog';

/**
 * What a person can record on a step that waits for them: done by hand, or
 * skipped with a reason. Both buttons wait while an action is on its way;
 * a failure is shown next to them and nothing typed is lost.
 */
export function PersonActions(props: {
  entityRef: string;
  step: RunbookStep;
  onRecorded: (runbook: RunbookResponse) => void;
}) {
  const { entityRef, step, onRecorded } = props;
  const { pending, error, record } = useRunbookAction(onRecorded);
  const [skipping, setSkipping] = useState(false);
  // Which action the error belongs to: the dialog shows its own.
  const [lastAction, setLastAction] = useState<'done' | 'skip'>();

  const markDone = () => {
    setLastAction('done');
    record({
      entityRef,
      kind: 'step-completed',
      stepId: step.id,
      message: `${step.title} done by hand.`,
    });
  };

  const skip = async (reason: string) => {
    setLastAction('skip');
    const recorded = await record({
      entityRef,
      kind: 'step-skipped',
      stepId: step.id,
      message: reason,
    });
    if (recorded) {
      setSkipping(false);
    }
  };

  return (
    <Box mt={1}>
      <Box display="flex" gridGap={8}>
        <Button
          variant="contained"
          color="primary"
          size="small"
          onClick={markDone}
          disabled={pending}
        >
          {pending && lastAction === 'done' ? 'Marking done…' : 'Mark done'}
        </Button>
        <Button
          variant="outlined"
          size="small"
          onClick={() => setSkipping(true)}
          disabled={pending}
        >
          Skip…
        </Button>
      </Box>
      {error && lastAction === 'done' && (
        <Box mt={1}>
          <Alert severity="error" role="alert">
            {step.title} was not marked done: {errorMessage(error)}
          </Alert>
        </Box>
      )}
      <SkipStepDialog
        stepTitle={step.title}
        open={skipping}
        pending={pending}
        error={lastAction === 'skip' ? error : undefined}
        onSkip={skip}
        onClose={() => setSkipping(false)}
      />
    </Box>
  );
}
