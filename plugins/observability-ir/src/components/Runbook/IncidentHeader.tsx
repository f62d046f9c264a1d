import {
  describeDuration,
  RunbookResponse,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatDateTime, formatPercent } from '../../format';
import { strongColor } from '../contrast';
import { confidenceWords } from '../DiagnosisBanner/DiagnosisBanner';

const useStyles = makeStyles(theme => ({
  open: { backgroundColor: strongColor(theme, 'secondary', 'fill') },
}));

/**
 * The incident the runbook is for: open or resolved, when it opened, how
 * long recovery took once resolved, and the cause the runbook follows with
 * its confidence.
 */
export function IncidentHeader(props: { runbook: RunbookResponse }) {
  const classes = useStyles();
  const { runbook } = props;
  const { incident } = runbook;
  let status = 'No incident open';
  if (incident) {
    status = incident.status === 'open' ? 'Incident open' : 'Incident resolved';
  }
  return (
    <Box mb={1}>
      <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
        <Typography variant="h6" component="h3">
          {runbook.title}
        </Typography>
        <Chip
          size="small"
          label={`${formatPercent(
            runbook.confidence,
          )} confidence (${confidenceWords(runbook.confidence)})`}
        />
        <Chip
          size="small"
          label={status}
          color={incident?.status === 'open' ? 'secondary' : 'default'}
          className={incident?.status === 'open' ? classes.open : undefined}
        />
      </Box>
      {incident && (
        <Typography variant="body2" color="textSecondary">
          Opened {formatDateTime(incident.openedAt)}
          {incident.status === 'resolved' && incident.closedAt
            ? `, resolved ${formatDateTime(incident.closedAt)}`
            : ''}
          {incident.status === 'resolved' &&
          incident.timeToRecoverySeconds !== undefined
            ? `. Time to recovery: ${describeDuration(
                incident.timeToRecoverySeconds * 1000,
              )}`
            : ''}
          {incident.title !== runbook.title
            ? `. Opened for: ${incident.title}`
            : ''}
        </Typography>
      )}
    </Box>
  );
}
