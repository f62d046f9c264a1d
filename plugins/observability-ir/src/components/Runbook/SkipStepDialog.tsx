import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useId, useState } from 'react';
import { errorMessage } from './errorMessage';

/** The longest reason the backend keeps. */
const MAX_REASON = 500;

/**
 * Asks why a step does not apply before skipping it; the reason is
 * required, and stays in the field when recording it failed.
 */
export function SkipStepDialog(props: {
  stepTitle: string;
  open: boolean;
  pending: boolean;
  error?: Error;
  onSkip: (reason: string) => void;
  onClose: () => void;
}) {
  const { stepTitle, open, pending, error, onSkip, onClose } = props;
  const id = `skip-step-${useId().replace(/:/g, '')}`;
  const titleId = `${id}-title`;
  const [reason, setReason] = useState('');
  const given = reason.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (given && !pending) {
      onSkip(given);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={pending ? undefined : onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} aria-labelledby={titleId}>
        <DialogTitle id={titleId}>Skip {stepTitle}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Say why the step does not apply to this incident; the reason goes
            into the incident's record and its postmortem.
          </DialogContentText>
          <TextField
            id={`${id}-reason`}
            label="Reason"
            value={reason}
            onChange={e => setReason(e.target.value)}
            required
            fullWidth
            multiline
            minRows={2}
            inputProps={{ maxLength: MAX_REASON }}
            disabled={pending}
          />
          {error && (
            <Alert severity="error" role="alert" style={{ marginTop: 16 }}>
              The step was not skipped: {errorMessage(error)}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={!given || pending}
          >
            {pending ? 'Skipping…' : 'Skip step'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
