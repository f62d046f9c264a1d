import {
  NodeSummary,
  PodEvent,
} from '@observability-ir/plugin-observability-ir-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatDateTime } from '../../format';

/** At most this many events are listed. */
const LISTED = 10;

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'baseline',
    padding: theme.spacing(0.5, 0),
  },
  meta: { color: theme.palette.text.secondary },
}));

/** Node conditions that hurt the pods on a node. */
function troubles(node: NodeSummary) {
  return node.conditions.filter(c =>
    c.type === 'Ready' ? c.status !== 'True' : c.status === 'True',
  );
}

/**
 * Warning events about the entity's pods and the conditions of troubled
 * nodes, below the replica table.
 *
 * @public
 */
export function PodEvents(props: { events: PodEvent[]; nodes: NodeSummary[] }) {
  const classes = useStyles();
  const warnings = props.events.filter(e => e.type === 'Warning');
  const troubled = props.nodes
    .map(node => ({ node, conditions: troubles(node) }))
    .filter(n => n.conditions.length);
  if (!warnings.length && !troubled.length) {
    return null;
  }
  return (
    <div>
      {warnings.length > 0 && (
        <>
          <Typography variant="subtitle2" component="h3">
            Warning events
          </Typography>
          <ul className={classes.list} aria-label="Warning events">
            {warnings.slice(0, LISTED).map((e, i) => (
              <li key={i} className={classes.item}>
                <Chip size="small" variant="outlined" label={e.reason} />
                <Typography variant="body2">
                  {e.pod}: {e.message}
                  <span className={classes.meta}>
                    {' '}
                    ({e.count}×
                    {e.lastSeen ? `, last ${formatDateTime(e.lastSeen)}` : ''})
                  </span>
                </Typography>
              </li>
            ))}
          </ul>
        </>
      )}
      {troubled.length > 0 && (
        <>
          <Typography variant="subtitle2" component="h3">
            Node conditions
          </Typography>
          <ul className={classes.list} aria-label="Node conditions">
            {troubled.map(({ node, conditions }) => (
              <li key={`${node.cluster}/${node.name}`} className={classes.item}>
                <Typography variant="body2">
                  {node.name} ({node.cluster}):{' '}
                  {conditions
                    .map(
                      c =>
                        `${c.type}=${c.status}${
                          c.message ? ` (${c.message})` : ''
                        }`,
                    )
                    .join('; ')}
                </Typography>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
