import { CopyTextButton } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  code: {
    flex: 1,
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    padding: theme.spacing(1),
    borderRadius: theme.shape.borderRadius,
    backgroundColor: theme.palette.background.default,
    overflowX: 'auto',
    whiteSpace: 'pre',
    margin: 0,
  },
}));

/**
 * One command, shown exactly as it runs, with a button that copies it.
 */
export function CopyableCommand(props: {
  text: string;
  copyLabel: string;
  /** The command's name for assistive technology; the copy label's object by default. */
  label?: string;
}) {
  const classes = useStyles();
  const label = props.label ?? props.copyLabel.replace(/^Copy\s+/, '');
  return (
    <div className={classes.row}>
      <pre
        className={classes.code}
        role="region"
        aria-label={label}
        // A region that scrolls must be reachable by keyboard (WCAG 2.1.1).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
      >
        {props.text}
      </pre>
      <CopyTextButton
        text={props.text}
        aria-label={props.copyLabel}
        tooltipText="Copied"
      />
    </div>
  );
}
