import { Replica } from '@observability-ir/plugin-observability-ir-common';
import Button from '@material-ui/core/Button';
import type { RawLogsContextValue } from './types';

/**
 * "Logs" of one replica: its container's lines around its last
 * termination when it has one (else up to now), and its previous instance.
 */
export function RawLogsButton(props: {
  rawLogs: RawLogsContextValue;
  replica: Replica;
}) {
  const { rawLogs, replica } = props;
  const at = replica.lastTermination?.finishedAt;
  return (
    <Button
      size="small"
      variant="outlined"
      aria-label={`Logs of ${replica.pod}, container ${replica.container}${
        at ? ', around its last termination' : ''
      }`}
      onClick={() =>
        rawLogs.open({
          pod: replica.pod,
          container: replica.container,
          cluster: replica.cluster,
          namespace: replica.namespace,
          ...(at
            ? {
                at,
                atLabel: `last termination${
                  replica.lastTermination?.reason
                    ? ` (${replica.lastTermination.reason})`
                    : ''
                }`,
              }
            : {}),
        })
      }
    >
      Logs
    </Button>
  );
}
