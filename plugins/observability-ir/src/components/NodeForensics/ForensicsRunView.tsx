import {
  describeDuration,
  ForensicsRun,
} from '@observability-ir/plugin-observability-ir-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useEffect, useState } from 'react';
import { formatBytes, formatDateTime } from '../../format';
import { isFinalForensicsStatus, useForensicsRun } from '../../hooks';
import { ForensicsTables } from './ForensicsTables';
import { STATUS_LABELS, verdictLabel, verdictSeverity } from './verdict';

const useStyles = makeStyles(theme => ({
  sentence: { fontSize: '1.1rem', fontWeight: 500 },
  raw: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    whiteSpace: 'pre',
    overflow: 'auto',
    maxHeight: 400,
    width: '100%',
    margin: 0,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
}));

/** The current time, ticking each second while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** Where a run is, in one line, with the time it has taken so far. */
function describeProgress(run: ForensicsRun, now: number): string {
  const from = Date.parse(run.createdAt);
  const to = run.finishedAt ? Date.parse(run.finishedAt) : now;
  // The browser's clock may be behind the backend's.
  const elapsed = describeDuration(Math.max(0, to - from));
  const on = run.node ? ` on ${run.node}` : '';
  switch (run.status) {
    case 'pending':
      return `Pending: waiting for the Job's pod${on} (${elapsed})`;
    case 'running':
      return `Running${on} (${elapsed})`;
    case 'succeeded':
      return `Succeeded${on} in ${elapsed}`;
    default:
      return `Failed${on} after ${elapsed}`;
  }
}

const STEPS = ['Pending', 'Running', 'Result'];
const ACTIVE_STEP = { pending: 0, running: 1, succeeded: 3, failed: 2 };

function Progress(props: { run: ForensicsRun }) {
  const { run } = props;
  const final = isFinalForensicsStatus(run.status);
  const now = useNow(!final);
  return (
    <>
      <Stepper activeStep={ACTIVE_STEP[run.status]} alternativeLabel>
        {STEPS.map((label, i) => (
          <Step key={label}>
            <StepLabel error={run.status === 'failed' && i === 2}>
              {i === 2 && final ? STATUS_LABELS[run.status] : label}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      <Typography role="status" variant="body2">
        {describeProgress(run, now)}
      </Typography>
      {!final && (
        <Box mt={1}>
          <LinearProgress aria-label="Forensics in progress" />
        </Box>
      )}
    </>
  );
}

function Verdict(props: { run: ForensicsRun }) {
  const classes = useStyles();
  const verdict = props.run.report!.verdict;
  return (
    <Alert
      severity={verdictSeverity(verdict.kind)}
      role="region"
      aria-label="Verdict"
    >
      <AlertTitle>{verdictLabel(verdict.kind)}</AlertTitle>
      <Typography className={classes.sentence}>{verdict.sentence}</Typography>
      <Box mt={1} className={classes.chips}>
        {verdict.expectedPorts.length > 0 && (
          <Chip
            size="small"
            label={`Expected ports: ${verdict.expectedPorts.join(', ')}`}
          />
        )}
        <Chip
          size="small"
          label={`Listening: ${
            verdict.listeningPorts.length
              ? verdict.listeningPorts.join(', ')
              : 'none'
          }`}
        />
        {verdict.oomKills !== undefined && (
          <Chip size="small" label={`OOM kills: ${verdict.oomKills}`} />
        )}
        {verdict.memoryLimitBytes !== undefined && (
          <Chip
            size="small"
            label={`Memory limit: ${formatBytes(verdict.memoryLimitBytes)}`}
          />
        )}
      </Box>
    </Alert>
  );
}

function RawOutput(props: { run: ForensicsRun }) {
  const classes = useStyles();
  const { rawOutput, rawOutputTruncated } = props.run;
  if (rawOutput === undefined) {
    return null;
  }
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography variant="subtitle2">Raw output</Typography>
      </AccordionSummary>
      <AccordionDetails style={{ flexDirection: 'column' }}>
        {rawOutputTruncated && (
          <Typography variant="caption" color="textSecondary" paragraph>
            Truncated: the script printed more than the backend keeps; this is
            its beginning.
          </Typography>
        )}
        <pre
          className={classes.raw}
          role="region"
          aria-label="Raw output"
          // Focusable, so that the keyboard can scroll it.
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
          tabIndex={0}
        >
          {rawOutput}
        </pre>
      </AccordionDetails>
    </Accordion>
  );
}

/**
 * One forensics run, followed until it ends: its progress with the elapsed
 * time, then the verdict, the parsed tables and the raw output, or the
 * reason it failed.
 */
export function ForensicsRunView(props: {
  run: ForensicsRun;
  entityRef: string;
  /** The backend answered this run instead of starting another. */
  existing?: boolean;
  onSettled?: (run: ForensicsRun) => void;
}) {
  const { run: given, entityRef, existing } = props;
  const { run = given, error } = useForensicsRun(given.id, {
    entityRef,
    initial: given,
    onFinal: props.onSettled,
  });
  const final = isFinalForensicsStatus(run.status);

  return (
    <Box display="flex" flexDirection="column" gridGap={16}>
      {existing && (
        <Alert severity="info">
          A run for this pod and container was already under way or finished
          recently (requested by {run.requestedBy} at{' '}
          {formatDateTime(run.createdAt)}): showing it instead of starting
          another.
        </Alert>
      )}
      <Typography variant="body2" color="textSecondary">
        Pod {run.namespace}/{run.pod}, container {run.container}, cluster{' '}
        {run.cluster}
        {run.node ? `, node ${run.node}` : ''}; requested by {run.requestedBy}{' '}
        at {formatDateTime(run.createdAt)}.
      </Typography>
      <Progress run={run} />
      {error && !final && (
        <Alert severity="warning">
          The run's progress could not be read: {error.message}
        </Alert>
      )}
      {run.status === 'failed' && (
        <Alert severity="error" role="region" aria-label="Verdict">
          <AlertTitle>The run failed</AlertTitle>
          {run.reason ?? 'The backend gave no reason.'}
        </Alert>
      )}
      {run.status === 'succeeded' && run.report && (
        <>
          <Verdict run={run} />
          <Box>
            <ForensicsTables
              findings={run.report.findings}
              verdict={run.report.verdict}
            />
          </Box>
        </>
      )}
      <RawOutput run={run} />
    </Box>
  );
}
