import { RunbookStepStatus } from '@observability-ir/plugin-observability-ir-common';
import Chip from '@material-ui/core/Chip';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import PersonIcon from '@material-ui/icons/Person';
import SkipNextIcon from '@material-ui/icons/SkipNext';
import TimelapseIcon from '@material-ui/icons/Timelapse';
import { ReactElement } from 'react';

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
  const { label, icon } = STATUS[props.status];
  return (
    <Chip
      size="small"
      icon={icon}
      label={label}
      color={props.status === 'needs-person' ? 'secondary' : 'default'}
      variant={props.status === 'done' ? 'default' : 'outlined'}
    />
  );
}
