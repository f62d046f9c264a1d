import Typography from '@material-ui/core/Typography';
import { CopyableCommand } from './CopyableCommand';

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
        <CopyableCommand
          key={i}
          text={command}
          copyLabel={`Copy ${props.what}${
            props.commands.length > 1 ? ` ${i + 1}` : ''
          }`}
        />
      ))}
    </div>
  );
}
