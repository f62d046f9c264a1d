import { EmptyState } from '@backstage/core-components';
import { IncidentAlert } from '@observability-ir/plugin-observability-ir-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { useEvidence } from '../../hooks';
import { formatDateTime } from '../../format';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
} from '../EvidenceStatus';
import { strongColor } from '../contrast';
import { IncidentPanel } from '../IncidentPanel';

/** The accessible name of the table of alerts. */
export const ALERTS_TABLE_LABEL = 'Alerts of the entity’s pods';

/**
 * Rows shown until the user asks for all: a workload of hundreds of pods
 * raises the same alert on each, and the table sits above the timeline.
 */
export const ALERTS_SHOWN = 10;

const useStyles = makeStyles(theme => ({
  nowrap: { whiteSpace: 'nowrap' },
  description: { color: theme.palette.text.secondary },
  firing: { backgroundColor: strongColor(theme, 'secondary', 'fill') },
}));

const STATE_COLOURS: Record<
  IncidentAlert['state'],
  'secondary' | 'primary' | 'default'
> = {
  firing: 'secondary',
  pending: 'primary',
  resolved: 'default',
};

function Until(props: { alert: IncidentAlert }) {
  const { alert } = props;
  if (alert.endsAt) return <>{formatDateTime(alert.endsAt)}</>;
  return <>{alert.state === 'pending' ? 'pending' : 'still firing'}</>;
}

function AlertRow(props: { alert: IncidentAlert }) {
  const classes = useStyles();
  const { alert } = props;
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        <strong>{alert.name}</strong>
      </TableCell>
      <TableCell>{alert.severity ?? '—'}</TableCell>
      <TableCell>
        <Chip
          size="small"
          label={alert.state}
          color={STATE_COLOURS[alert.state]}
          className={alert.state === 'firing' ? classes.firing : undefined}
          variant={alert.state === 'resolved' ? 'outlined' : 'default'}
        />
      </TableCell>
      <TableCell>
        {alert.pod ?? alert.namespace}
        {alert.container ? ` (${alert.container})` : ''}
      </TableCell>
      <TableCell className={classes.nowrap}>
        {formatDateTime(alert.startsAt)}
      </TableCell>
      <TableCell className={classes.nowrap}>
        <Until alert={alert} />
      </TableCell>
      <TableCell>
        {alert.summary && (
          <Typography variant="body2">{alert.summary}</Typography>
        )}
        {alert.description && (
          <Typography variant="caption" className={classes.description}>
            {alert.description}
          </Typography>
        )}
      </TableCell>
    </TableRow>
  );
}

/**
 * The alerts about the entity's pods and workload over the shared range:
 * firing or pending now, and those that fired and resolved within it; the
 * first {@link ALERTS_SHOWN}, and the rest on request.
 *
 * @public
 */
export function AlertsPanel() {
  const alerts = useEvidence('getAlerts');
  const [showAll, setShowAll] = useState(false);

  let body;
  if (alerts.error) {
    body = <EvidenceError error={alerts.error} />;
  } else if (!alerts.value) {
    body = <PanelSkeleton label="Loading alerts" height={160} />;
  } else if (!alerts.value.alerts.length) {
    body = (
      <EmptyState
        missing="data"
        title="No alert fired for these pods in this range"
        description="Prometheus has no alert, firing, pending or resolved, labelled with the entity's namespace and one of its pods or its workload."
      />
    );
  } else {
    const { value } = alerts;
    const hidden = showAll
      ? 0
      : Math.max(0, value.alerts.length - ALERTS_SHOWN);
    const shown = hidden ? value.alerts.slice(0, ALERTS_SHOWN) : value.alerts;
    body = (
      <>
        <Table size="small" aria-label={ALERTS_TABLE_LABEL}>
          <TableHead>
            <TableRow>
              <TableCell>Alert</TableCell>
              <TableCell>Severity</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Pod</TableCell>
              <TableCell>Since</TableCell>
              <TableCell>Until</TableCell>
              <TableCell>Summary</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.map(alert => (
              <AlertRow
                key={`${alert.cluster}|${alert.name}|${JSON.stringify(
                  alert.labels,
                )}|${alert.startsAt}|${alert.state}`}
                alert={alert}
              />
            ))}
          </TableBody>
        </Table>
        {(hidden > 0 || showAll) && value.alerts.length > ALERTS_SHOWN && (
          <Button size="small" onClick={() => setShowAll(!showAll)}>
            {showAll
              ? `Show the first ${ALERTS_SHOWN} alerts`
              : `Show all ${value.alerts.length} alerts (${hidden} more)`}
          </Button>
        )}
        {value.truncated && (
          <Typography variant="caption" component="p">
            Only the first {value.alerts.length} alerts are listed.
          </Typography>
        )}
      </>
    );
  }

  return (
    <IncidentPanel title="Alerts">
      {alerts.value && (
        <SourceProblems
          sources={alerts.value.sources}
          only={['prometheus', 'alertmanager']}
        />
      )}
      {body}
    </IncidentPanel>
  );
}
