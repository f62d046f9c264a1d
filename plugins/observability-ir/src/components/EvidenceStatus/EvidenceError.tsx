import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';

/**
 * A failed request: a refusal (403) in plain words, anything else as the
 * backend's error.
 *
 * @public
 */
export function EvidenceError(props: { error: Error }) {
  const { error } = props;
  if (error instanceof ResponseError && error.statusCode === 403) {
    return (
      <WarningPanel
        severity="info"
        title="You cannot see this service's incident data"
        message={`${error.body.error.message}. Incident data is shown to the owners of a service and to platform teams.`}
        defaultExpanded
      />
    );
  }
  return <ResponseErrorPanel error={error} />;
}
