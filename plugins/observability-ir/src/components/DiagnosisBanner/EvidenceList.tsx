import { EvidenceItem } from '@observability-ir/plugin-observability-ir-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const SOURCE_LABELS: Record<EvidenceItem['source'], string> = {
  kubernetes: 'Kubernetes',
  prometheus: 'Prometheus',
  loki: 'Loki',
  forensics: 'Forensics',
};

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'flex-start',
    padding: theme.spacing(0.5, 0),
  },
  chip: { minWidth: 96, flexShrink: 0 },
}));

/**
 * Evidence items, each with the source it comes from.
 *
 * @public
 */
export function EvidenceList(props: { items: EvidenceItem[]; label: string }) {
  const classes = useStyles();
  return (
    <ul aria-label={props.label} className={classes.list}>
      {props.items.map((item, i) => (
        <li key={i} className={classes.item}>
          <Chip
            size="small"
            variant="outlined"
            label={SOURCE_LABELS[item.source]}
            className={classes.chip}
          />
          <Typography variant="body2">{item.description}</Typography>
        </li>
      ))}
    </ul>
  );
}
