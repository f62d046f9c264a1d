import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { observabilityIrFleetReadPermission } from '@observability-ir/plugin-observability-ir-common';
import { errorMessage } from '../Runbook/errorMessage';

/**
 * A failed fleet request: a refusal (403) names the permission it takes,
 * an endpoint the backend does not have (404) says so, anything else is
 * the backend's error.
 */
export function FleetError(props: { error: Error; what: string }) {
  const { error, what } = props;
  if (error instanceof ResponseError && error.statusCode === 403) {
    return (
      <WarningPanel
        severity="info"
        title={`You need the ${observabilityIrFleetReadPermission.name} permission (platform teams)`}
        message={`${errorMessage(
          error,
        )}. The fleet pages read every cluster and namespace, so they are meant for platform teams.`}
        defaultExpanded
      />
    );
  }
  if (error instanceof ResponseError && error.statusCode === 404) {
    return (
      <WarningPanel
        severity="warning"
        title={`The backend does not offer ${what} yet`}
        message={`${errorMessage(
          error,
        )}. Update the observability-ir backend plugin to one that serves it.`}
        defaultExpanded
      />
    );
  }
  return <ResponseErrorPanel error={error} />;
}
