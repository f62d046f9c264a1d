import {
  listNames,
  LogErrorGroup,
  plural,
} from '@observability-ir/plugin-observability-ir-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { formatDateTime } from '../../format';
import { Sparkline } from './Sparkline';

const useStyles = makeStyles(theme => ({
  summary: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) auto auto',
    alignItems: 'center',
    gap: theme.spacing(2),
    width: '100%',
  },
  signature: {
    fontFamily: 'monospace',
    wordBreak: 'break-word',
  },
  meta: { color: theme.palette.text.secondary },
  pre: {
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    backgroundColor: theme.palette.background.default,
    color: theme.palette.text.primary,
    padding: theme.spacing(1),
    borderRadius: theme.shape.borderRadius,
    overflowX: 'auto',
    margin: theme.spacing(1, 0, 0),
    whiteSpace: 'pre',
  },
  details: { display: 'block' },
}));

/**
 * One error signature: how often, when, on which pods; expands to a sample
 * line with its stack trace.
 *
 * @public
 */
export function LogGroup(props: { group: LogErrorGroup }) {
  const classes = useStyles();
  const { group } = props;
  const { sample } = group;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }} variant="outlined">
      {/* Named by what it shows, so that speech input finds it by its words. */}
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <div className={classes.summary}>
          <div>
            <Typography className={classes.signature}>
              {group.signature}
            </Typography>
            <Typography variant="caption" className={classes.meta}>
              First {formatDateTime(group.firstSeen)} · last{' '}
              {formatDateTime(group.lastSeen)} ·{' '}
              {plural(group.pods.length, 'pod')}:{' '}
              {listNames(group.pods, 3, ', ')}
            </Typography>
          </div>
          <Sparkline
            values={group.histogram}
            label={`${group.signature} over the range`}
          />
          <Chip size="small" label={`${group.count} lines`} />
        </div>
      </AccordionSummary>
      <AccordionDetails className={classes.details}>
        <Typography variant="caption" className={classes.meta}>
          Sample from {sample.pod}
          {sample.container ? `/${sample.container}` : ''} at{' '}
          {formatDateTime(sample.timestamp)}
        </Typography>
        <pre
          className={classes.pre}
          role="region"
          aria-label="Sample log line and stack trace"
          // A region that scrolls must be reachable by keyboard (WCAG 2.1.1).
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
          tabIndex={0}
        >
          {[
            sample.line,
            ...(sample.stackTrace ?? []).map(l => `    ${l}`),
          ].join('\n')}
        </pre>
      </AccordionDetails>
    </Accordion>
  );
}
