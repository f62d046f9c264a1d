import { TelemetryCheckStatus } from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import WarningIcon from '@material-ui/icons/Warning';

const LABELS: Record<TelemetryCheckStatus, string> = {
  ok: 'OK',
  warning: 'Warning',
  missing: 'Missing',
  unknown: 'Unknown',
};

/** The word for a check's state. */
export function describeCheckStatus(status: TelemetryCheckStatus): string {
  return LABELS[status];
}

const useStyles = makeStyles(theme => ({
  ok: { color: theme.palette.success.main },
  warning: { color: theme.palette.warning.main },
  missing: { color: theme.palette.error.main },
  unknown: { color: theme.palette.text.secondary },
}));

/**
 * A check's state as an icon and a word, so it never rests on colour
 * alone.
 */
export function TelemetryStatus(props: { status: TelemetryCheckStatus }) {
  const classes = useStyles();
  const { status } = props;
  const iconProps = {
    fontSize: 'small' as const,
    className: classes[status],
    'aria-hidden': true,
  };
  let icon;
  switch (status) {
    case 'ok':
      icon = <CheckCircleIcon {...iconProps} />;
      break;
    case 'warning':
      icon = <WarningIcon {...iconProps} />;
      break;
    case 'missing':
      icon = <ErrorIcon {...iconProps} />;
      break;
    default:
      icon = <HelpIcon {...iconProps} />;
  }
  return (
    <Box component="span" display="inline-flex" alignItems="center" gridGap={4}>
      {icon}
      <span>{describeCheckStatus(status)}</span>
    </Box>
  );
}
