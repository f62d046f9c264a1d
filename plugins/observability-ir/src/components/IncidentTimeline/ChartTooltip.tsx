import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatDateTime } from '../../format';

const useStyles = makeStyles(theme => ({
  paper: {
    padding: theme.spacing(1, 1.5),
    maxWidth: 420,
    backgroundColor: theme.palette.background.paper,
    color: theme.palette.text.primary,
  },
  event: {
    margin: theme.spacing(0.5, 0),
    paddingLeft: theme.spacing(1),
    borderLeft: `3px solid ${theme.palette.error.main}`,
  },
  burst: { borderLeftColor: theme.palette.warning.main },
  values: { margin: 0, padding: 0, listStyle: 'none' },
  swatch: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: theme.spacing(0.5),
    borderRadius: 2,
  },
}));

/** One value of the hovered instant, as recharts hands it over. */
export interface TooltipValue {
  name?: string | number;
  value?: unknown;
  color?: string;
  dataKey?: unknown;
}

/**
 * What happened at the hovered instant: the events there (terminations
 * with their error lines, error bursts) and every line's value.
 *
 * @public
 */
export function ChartTooltip(props: {
  active?: boolean;
  label?: unknown;
  payload?: ReadonlyArray<TooltipValue>;
  events: Map<number, TimelineEvent[]>;
  describe: (value: number) => string;
}) {
  const classes = useStyles();
  if (!props.active || typeof props.label !== 'number') {
    return null;
  }
  const events = props.events.get(props.label) ?? [];
  return (
    <Paper className={classes.paper} elevation={3}>
      <Typography variant="subtitle2">{formatDateTime(props.label)}</Typography>
      {events.map((event, i) => (
        <div
          key={i}
          className={`${classes.event} ${
            event.kind === 'error-burst' ? classes.burst : ''
          }`}
        >
          <Typography variant="body2">
            <strong>
              {event.kind === 'termination'
                ? `${event.reason ?? 'Terminated'}${
                    event.exitCode !== undefined
                      ? ` (exit ${event.exitCode})`
                      : ''
                  }`
                : `Error burst${
                    event.lineCount ? ` of ${event.lineCount} lines` : ''
                  }`}
            </strong>{' '}
            {event.pod}
          </Typography>
          <Typography variant="caption" component="p">
            {event.summary}
          </Typography>
          {event.signature && (
            <Typography variant="caption" component="code">
              {event.signature}
            </Typography>
          )}
        </div>
      ))}
      <ul className={classes.values}>
        {(props.payload ?? []).map(item => (
          <li key={String(item.dataKey)}>
            <Typography variant="caption">
              <span
                className={classes.swatch}
                style={{ backgroundColor: item.color }}
              />
              {item.name}:{' '}
              {typeof item.value === 'number'
                ? props.describe(item.value)
                : '–'}
            </Typography>
          </li>
        ))}
      </ul>
    </Paper>
  );
}
