import { CopyTextButton } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
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
 * Commands that reproduce a panel's data, each with a copy button.
 *
 * @public
 */
export function CopyableCommands(props: {
  commands: string[];
  /** What the commands are, e.g. "kubectl command". */
  what: string;
}) {
  const classes = useStyles();
  if (!props.commands.length) {
    return null;
  }
  return (
    <div>
      <Typography variant="subtitle2" component="h3" gutterBottom>
        Reproduce with {props.what}
        {props.commands.length > 1 ? 's' : ''}
      </Typography>
      {props.commands.map((command, i) => (
        <div className={classes.row} key={i}>
          <pre className={classes.code}>{command}</pre>
          <CopyTextButton
            text={command}
            aria-label={`Copy ${props.what}${
              props.commands.length > 1 ? ` ${i + 1}` : ''
            }`}
            tooltipText="Copied"
          />
        </div>
      ))}
    </div>
  );
}
