import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Button from '@material-ui/core/Button';
import { formatDateTime } from '../../format';
import { useRawLogs } from '../RawLogs';

/** At most this many events are listed. */
const LISTED = 50;

const useStyles = makeStyles(theme => ({
  details: { display: 'block' },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  time: { fontFamily: 'monospace', marginRight: theme.spacing(1) },
  logs: { marginLeft: theme.spacing(1), padding: 0, minWidth: 0 },
}));

/**
 * The markers of the chart as text: what screen readers and keyboard users
 * get instead of hovering.
 *
 * @public
 */
export function TimelineEvents(props: { events: TimelineEvent[] }) {
  const classes = useStyles();
  const rawLogs = useRawLogs();
  const { events } = props;
  const terminations = events.filter(e => e.kind === 'termination').length;
  const bursts = events.length - terminations;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }} variant="outlined">
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography variant="body2">
          Events in this range: {terminations} terminations, {bursts} error
          bursts
        </Typography>
      </AccordionSummary>
      <AccordionDetails className={classes.details}>
        <ol className={classes.list}>
          {events.slice(0, LISTED).map((e, i) => (
            <li key={i}>
              <Typography variant="body2">
                <span className={classes.time}>{formatDateTime(e.time)}</span>
                {e.pod}: {e.summary}
                {rawLogs && (
                  <Button
                    size="small"
                    className={classes.logs}
                    aria-label={`Logs of ${e.pod} before ${formatDateTime(
                      e.time,
                    )}`}
                    onClick={() =>
                      rawLogs.open({
                        cluster: e.cluster,
                        pod: e.pod,
                        ...(e.container ? { container: e.container } : {}),
                        at: e.time,
                        atLabel: e.reason ?? e.summary,
                      })
                    }
                  >
                    Logs
                  </Button>
                )}
              </Typography>
            </li>
          ))}
        </ol>
        {events.length > LISTED && (
          <Typography variant="caption">
            and {events.length - LISTED} more
          </Typography>
        )}
      </AccordionDetails>
    </Accordion>
  );
}
