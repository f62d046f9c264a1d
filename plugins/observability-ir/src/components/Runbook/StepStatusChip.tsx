import { RunbookStepStatus } from '@observability-ir/plugin-observability-ir-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import PersonIcon from '@material-ui/icons/Person';
import SkipNextIcon from '@material-ui/icons/SkipNext';
import TimelapseIcon from '@material-ui/icons/Timelapse';
import { ReactElement } from 'react';
import { strongColor } from '../contrast';

const useStyles = makeStyles(theme => ({
  needsPerson: {
    color: strongColor(theme, 'secondary', 'text'),
    borderColor: strongColor(theme, 'secondary', 'text'),
    '& .MuiChip-icon': { color: 'inherit' },
  },
}));

const STATUS: Record<RunbookStepStatus, { label: string; icon: ReactElement }> =
  {
    done: { label: 'Done', icon: <CheckCircleIcon /> },
    'needs-person': { label: 'Needs a person', icon: <PersonIcon /> },
    'in-progress': { label: 'In progress', icon: <TimelapseIcon /> },
    skipped: { label: 'Skipped', icon: <SkipNextIcon /> },
  };

/**
 * A step's status as a chip with its words (the icon only repeats them); a
 * step that waits for a person stands out.
 */
export function StepStatusChip(props: { status: RunbookStepStatus }) {
  const classes = useStyles();
  const { label, icon } = STATUS[props.status];
  const needsPerson = props.status === 'needs-person';
  return (
    <Chip
      size="small"
      icon={icon}
      label={label}
      color={needsPerson ? 'secondary' : 'default'}
      className={needsPerson ? classes.needsPerson : undefined}
      variant={props.status === 'done' ? 'default' : 'outlined'}
    />
  );
}
