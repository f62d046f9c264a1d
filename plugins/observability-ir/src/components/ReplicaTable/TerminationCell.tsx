import { Replica } from '@observability-ir/plugin-observability-ir-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatClock, formatDateTime } from '../../format';
import { strongColor } from '../contrast';

const useStyles = makeStyles(theme => ({
  oom: {
    backgroundColor: strongColor(theme, 'error', 'fill'),
    color: theme.palette.error.contrastText,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  detail: {
    color: theme.palette.text.secondary,
    display: 'block',
    whiteSpace: 'nowrap',
  },
}));

/**
 * How a container last ended: the reason as a chip (error-coloured for
 * OOMKilled), the exit code and when.
 *
 * @public
 */
export function TerminationCell(props: { replica: Replica }) {
  const classes = useStyles();
  const termination = props.replica.lastTermination;
  if (!termination) {
    return <Typography variant="body2">–</Typography>;
  }
  const oom = termination.reason === 'OOMKilled';
  return (
    <>
      <Chip
        size="small"
        label={termination.reason}
        variant={oom ? 'default' : 'outlined'}
        className={oom ? classes.oom : undefined}
        data-testid={oom ? 'oom-killed' : undefined}
      />
      <Typography
        variant="caption"
        className={classes.detail}
        title={
          termination.finishedAt
            ? formatDateTime(termination.finishedAt)
            : undefined
        }
      >
        exit {termination.exitCode}
        {termination.finishedAt && ` at ${formatClock(termination.finishedAt)}`}
      </Typography>
    </>
  );
}
