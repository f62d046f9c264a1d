import {
  InfoCard,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';
import Grid from '@material-ui/core/Grid';
import { IncidentRangeProvider, useWorkload } from '../../hooks';
import { AlertsPanel } from '../AlertsPanel';
import { DiagnosisBanner } from '../DiagnosisBanner';
import { EvidenceError } from '../EvidenceStatus';
import { IncidentTimeline } from '../IncidentTimeline';
import { LogErrorGroups } from '../LogErrorGroups';
import { NodeForensicsProvider } from '../NodeForensics';
import { RawLogsProvider } from '../RawLogs';
import { ReplicaTable } from '../ReplicaTable';
import { Runbook } from '../Runbook';
import { TelemetryPanel } from '../TelemetryPanel';
import { TimeRangeToolbar } from '../TimeRangeToolbar';

function WorkloadCard(props: { workload: EntityWorkload }) {
  const { workload } = props;
  return (
    <InfoCard title="Workload">
      <StructuredMetadataTable
        metadata={{
          'Label selector': workload.labelSelector,
          Namespace: workload.namespace ?? 'all namespaces',
          Cluster: workload.cluster ?? 'every configured cluster',
        }}
      />
    </InfoCard>
  );
}

/**
 * The Incident tab of an entity: the diagnosis and its runbook, memory and CPU over time
 * with terminations and error bursts, replica health (with node forensics
 * per replica) and error logs, all over one time range.
 *
 * @public
 */
export const EntityIncidentContent = () => {
  const { entity } = useEntity();
  const state = useWorkload(stringifyEntityRef(entity));

  if (state.status === 'loading') {
    return <Progress />;
  }
  if (state.status === 'error') {
    // A refusal is not a fault: EvidenceError says so plainly.
    return <EvidenceError error={state.error} />;
  }
  return (
    <IncidentRangeProvider>
      <RawLogsProvider>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <TimeRangeToolbar />
          </Grid>
          <Grid item xs={12}>
            <DiagnosisBanner />
          </Grid>
          <Grid item xs={12}>
            <AlertsPanel />
          </Grid>
          <Grid item xs={12}>
            <Runbook />
          </Grid>
          <Grid item xs={12}>
            <IncidentTimeline />
          </Grid>
          <Grid item xs={12}>
            <NodeForensicsProvider>
              <ReplicaTable />
            </NodeForensicsProvider>
          </Grid>
          <Grid item xs={12}>
            <LogErrorGroups />
          </Grid>
          <Grid item xs={12}>
            <TelemetryPanel />
          </Grid>
          <Grid item xs={12} md={6}>
            <WorkloadCard workload={state.workload} />
          </Grid>
        </Grid>
      </RawLogsProvider>
    </IncidentRangeProvider>
  );
};
