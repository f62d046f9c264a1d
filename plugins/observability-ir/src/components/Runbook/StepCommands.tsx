import { RunbookCommand } from '@observability-ir/plugin-observability-ir-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CopyableCommand } from '../CopyableCommands';

const LANGUAGES: Record<RunbookCommand['language'], string> = {
  shell: 'Shell',
  logql: 'LogQL',
  promql: 'PromQL',
  yaml: 'YAML',
};

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0 },
});

/**
 * The commands of a step, each with what it shows, its language and a copy
 * button named after it. (The panels' `CopyableCommands` names commands by
 * kind only; a runbook step mixes kubectl, LogQL and PromQL.) Each row is
 * the panels' own `CopyableCommand`.
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
          <CopyableCommand
            text={command.text}
            copyLabel={`Copy ${command.label}`}
          />
        </li>
      ))}
    </ul>
  );
}
