import { ForensicsRun } from '@observability-ir/plugin-observability-ir-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useId } from 'react';
import { ConfirmForensics } from './ConfirmForensics';
import { ForensicsRunView } from './ForensicsRunView';
import { ForensicsDialogState } from './types';

/**
 * The node-forensics dialog: what a run would do, to confirm; then the run,
 * followed until it ends, with its verdict, tables and output.
 */
export function ForensicsDialog(props: {
  state: ForensicsDialogState;
  entityRef: string;
  onStarted(run: ForensicsRun, existing: boolean): void;
  onSettled(): void;
  onClose(): void;
}) {
  const { state, entityRef, onClose } = props;
  const titleId = `forensics-dialog-${useId().replace(/:/g, '')}`;
  const pod = state.kind === 'confirm' ? state.replica.pod : state.run.pod;
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      scroll="paper"
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>
        {state.kind === 'confirm'
          ? `Run node forensics on ${pod}?`
          : `Node forensics of ${pod}`}
      </DialogTitle>
      {state.kind === 'confirm' ? (
        <ConfirmForensics
          replica={state.replica}
          entityRef={entityRef}
          onStarted={props.onStarted}
          onCancel={onClose}
        />
      ) : (
        <>
          <DialogContent dividers>
            <ForensicsRunView
              // A new run starts its own follow-up.
              key={state.run.id}
              run={state.run}
              entityRef={entityRef}
              existing={state.existing}
              onSettled={props.onSettled}
            />
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}
