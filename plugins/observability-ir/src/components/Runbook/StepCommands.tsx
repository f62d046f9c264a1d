import { CopyTextButton } from '@backstage/core-components';
import { RunbookCommand } from '@observability-ir/plugin-observability-ir-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const LANGUAGES: Record<RunbookCommand['language'], string> = {
  shell: 'Shell',
  logql: 'LogQL',
  promql: 'PromQL',
  yaml: 'YAML',
};

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
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
 * The commands of a step, each with what it shows, its language and a copy
 * button named after it. (The panels' `CopyableCommands` names commands by
 * kind only; a runbook step mixes kubectl, LogQL and PromQL.)
 */
export function StepCommands(props: {
  commands: RunbookCommand[];
  stepTitle: string;
}) {
  const classes = useStyles();
  if (!props.commands.length) {
    return null;
  }
  return (
    <ul aria-label={`Commands of ${props.stepTitle}`} className={classes.list}>
      {props.commands.map((command, i) => (
        <li key={i}>
          <Typography variant="caption" color="textSecondary">
            {command.label} ({LANGUAGES[command.language]})
          </Typography>
          <div className={classes.row}>
            <pre className={classes.code}>{command.text}</pre>
            <CopyTextButton
              text={command.text}
              aria-label={`Copy ${command.label}`}
              tooltipText="Copied"
            />
          </div>
        </li>
      ))}
    </ul>
  );
}
