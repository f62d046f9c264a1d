import {
  describeDuration,
  VerifyProgress,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import { formatClock, formatPercent } from '../../format';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: theme.spacing(1, 0, 0), padding: 0 },
  check: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.25, 0),
  },
  passed: { color: theme.palette.success.main },
  failed: { color: theme.palette.error.main },
}));

/**
 * How far verification is: the share of the watch window that passed, each
 * check with its result, and when the watch began (a failed check restarts
 * it) or when it passed.
 */
export function VerifyProgressView(props: { verify: VerifyProgress }) {
  const { verify } = props;
  const classes = useStyles();
  const share = Math.min(1, Math.max(0, verify.progress));
  return (
    <Box mt={1}>
      <LinearProgress
        variant="determinate"
        value={share * 100}
        aria-label="Verification progress"
      />
      <Typography variant="body2" color="textSecondary">
        {verify.passedAt
          ? `Passed at ${formatClock(
              verify.passedAt,
            )}, after ${describeDuration(
              verify.windowSeconds * 1000,
            )} without a failed check`
          : `${formatPercent(share)} of ${describeDuration(
              verify.windowSeconds * 1000,
            )} watched, since ${formatClock(verify.since)}`}
      </Typography>
      <ul aria-label="Verification checks" className={classes.list}>
        {verify.checks.map(check => (
          <li key={check.name} className={classes.check}>
            {check.passed ? (
              <CheckCircleIcon fontSize="small" className={classes.passed} />
            ) : (
              <ErrorIcon fontSize="small" className={classes.failed} />
            )}
            <Typography variant="body2">
              <strong>
                {check.name}: {check.passed ? 'passed' : 'failed'}
              </strong>{' '}
              ({check.detail})
            </Typography>
          </li>
        ))}
      </ul>
    </Box>
  );
}
