import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { useEffect, useState } from 'react';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';
import { observabilityIrApiRef } from '../../api';

type WorkloadState =
  | { status: 'loading' }
  | { status: 'error'; error: Error }
  | { status: 'loaded'; workload: EntityWorkload };

function useEntityWorkload(entityRef: string): WorkloadState {
  const api = useApi(observabilityIrApiRef);
  const [state, setState] = useState<WorkloadState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });
    api.getWorkload(entityRef).then(
      workload => !cancelled && setState({ status: 'loaded', workload }),
      error => !cancelled && setState({ status: 'error', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, entityRef]);
  return state;
}

/**
 * The Incident tab of an entity: where its pods are, and the incident
 * evidence gathered for them.
 *
 * @public
 */
export const EntityIncidentContent = () => {
  const { entity } = useEntity();
  const state = useEntityWorkload(stringifyEntityRef(entity));

  if (state.status === 'loading') {
    return <Progress />;
  }
  if (state.status === 'error') {
    // A refusal is not a fault: say so plainly, with the backend's reason.
    if (
      state.error instanceof ResponseError &&
      state.error.statusCode === 403
    ) {
      return (
        <WarningPanel
          severity="info"
          title="You cannot see this service's incident data"
          message={`${state.error.body.error.message}. Incident data is shown to the owners of a service and to platform teams.`}
          defaultExpanded
        />
      );
    }
    return <ResponseErrorPanel error={state.error} />;
  }
  const { workload } = state;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <InfoCard title="Workload">
          <StructuredMetadataTable
            metadata={{
              'Label selector': workload.labelSelector,
              Namespace: workload.namespace ?? 'all namespaces',
              Cluster: workload.cluster ?? 'every configured cluster',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <EmptyState
          missing="data"
          title="No incident evidence collected yet"
          description="This version of the plugin does not query Kubernetes, Prometheus or Loki yet: replica health, metrics, correlated error logs and a diagnosis will appear here once those sources are connected."
        />
      </Grid>
    </Grid>
  );
};
