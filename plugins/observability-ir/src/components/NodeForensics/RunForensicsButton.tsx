import { Replica } from '@observability-ir/plugin-observability-ir-common';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import FindInPageIcon from '@material-ui/icons/FindInPage';
import { useId } from 'react';
import { NodeForensicsContextValue } from './types';

/** Why the action is disabled for this replica, or `undefined` when it is not. */
export function whyNoForensics(
  forensics: NodeForensicsContextValue,
  replica: Replica,
): string | undefined {
  if (forensics.permission.loading) {
    return 'Checking whether you may run node forensics…';
  }
  if (!forensics.permission.allowed) {
    return "You may not run node forensics on this service: the portal's permission policy does not grant you observability-ir.forensics.run on it. Ask its owners or a platform team.";
  }
  if (forensics.unavailable) {
    return forensics.unavailable;
  }
  if (!replica.node) {
    return 'The pod is not scheduled on a node yet: there is nothing to look at.';
  }
  return undefined;
}

/**
 * The "Run node forensics" action of one replica: opens the confirmation,
 * or, disabled, says why in its tooltip.
 */
export function RunForensicsButton(props: {
  forensics: NodeForensicsContextValue;
  replica: Replica;
}) {
  const { forensics, replica } = props;
  const reason = whyNoForensics(forensics, replica);
  const reasonId = `forensics-reason-${useId().replace(/:/g, '')}`;
  const button = (
    <IconButton
      size="small"
      aria-label={`Run node forensics on ${replica.pod}`}
      aria-describedby={reason ? reasonId : undefined}
      disabled={Boolean(reason)}
      onClick={() => forensics.confirm(replica)}
    >
      <FindInPageIcon fontSize="small" />
    </IconButton>
  );
  // A disabled button gets no pointer events: the tooltip sits on a wrapper.
  return (
    <Tooltip title={reason ?? `Run node forensics on ${replica.node}`}>
      {reason ? (
        <span>
          {button}
          <span id={reasonId} hidden>
            {reason}
          </span>
        </span>
      ) : (
        button
      )}
    </Tooltip>
  );
}
