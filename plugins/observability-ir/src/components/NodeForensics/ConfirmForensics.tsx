import { useApi } from '@backstage/core-plugin-api';
import {
  ForensicsRun,
  Replica,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { ForensicsRequestError, observabilityIrApiRef } from '../../api';
import {
  FORENSICS_PRIVILEGED_NOTE,
  FORENSICS_PRIVILEGES,
  forensicsSteps,
} from './forensicsPlan';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { fontWeight: 'bold' },
    '& dd': { margin: 0, fontFamily: 'monospace' },
  },
  list: { marginTop: theme.spacing(0.5), paddingLeft: theme.spacing(3) },
  command: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    wordBreak: 'break-word',
  },
}));

/** The title of a refusal or failure to start, by status. */
function startErrorTitle(error: Error): string {
  const status =
    error instanceof ForensicsRequestError ? error.statusCode : undefined;
  switch (status) {
    case 403:
      return 'Not allowed';
    case 409:
      return 'A run for this container is already starting';
    case 429:
      return 'Too many forensics runs';
    case 503:
      return 'Node forensics is not enabled';
    default:
      return 'Forensics could not start';
  }
}

/**
 * Exactly what a run on `replica` would do, where and with which
 * privileges; confirming starts it.
 */
export function ConfirmForensics(props: {
  replica: Replica;
  entityRef: string;
  onStarted(run: ForensicsRun, existing: boolean): void;
  onCancel(): void;
}) {
  const { replica, entityRef, onStarted } = props;
  const classes = useStyles();
  const api = useApi(observabilityIrApiRef);
  const [{ loading, error }, start] = useAsyncFn(async () => {
    // Which pod only; the backend finds its node, container id and ports.
    const { run, existing } = await api.startForensics({
      entityRef,
      cluster: replica.cluster,
      namespace: replica.namespace,
      pod: replica.pod,
      container: replica.container,
    });
    onStarted(run, existing);
  }, [api, entityRef, replica, onStarted]);

  return (
    <>
      <DialogContent dividers>
        <Typography variant="body2" paragraph>
          A Kubernetes Job on the pod's node looks at the container from the
          host, once, and reports what it found. The run is recorded with your
          name in the audit log and in the service's run history.
        </Typography>
        <dl className={classes.facts} aria-label="Target">
          <dt>Pod</dt>
          <dd>
            {replica.namespace}/{replica.pod}
          </dd>
          <dt>Container</dt>
          <dd>{replica.container}</dd>
          <dt>Node</dt>
          <dd>{replica.node ?? '–'}</dd>
          <dt>Cluster</dt>
          <dd>{replica.cluster}</dd>
        </dl>

        <Box mt={2}>
          <Typography variant="subtitle2" component="h3">
            The Job's privileges
          </Typography>
          <ul className={classes.list} aria-label="The Job's privileges">
            {FORENSICS_PRIVILEGES.map(p => (
              <li key={p.field}>
                <Typography variant="body2">{p.sentence}</Typography>
              </li>
            ))}
          </ul>
          <Typography variant="caption" color="textSecondary">
            {FORENSICS_PRIVILEGED_NOTE}
          </Typography>
        </Box>

        <Box mt={2}>
          <Typography variant="subtitle2" component="h3">
            What it runs, from a fixed script
          </Typography>
          <ol className={classes.list} aria-label="What it runs">
            {forensicsSteps(replica).map(step => (
              <li key={step.command}>
                <code className={classes.command}>{step.command}</code>
                <Typography variant="body2" color="textSecondary">
                  {step.purpose}
                </Typography>
              </li>
            ))}
          </ol>
        </Box>

        {error && (
          <Box mt={2}>
            <Alert
              severity={
                error instanceof ForensicsRequestError &&
                error.statusCode === 429
                  ? 'warning'
                  : 'error'
              }
            >
              <AlertTitle>{startErrorTitle(error)}</AlertTitle>
              {error.message}
            </Alert>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={loading}
          onClick={() => start()}
        >
          {loading ? 'Starting…' : 'Start forensics'}
        </Button>
      </DialogActions>
    </>
  );
}
