import { EmptyState } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  LogsPipelineAudit,
  MetricsPipelineAudit,
  TelemetryCheck,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { observabilityIrApiRef } from '../../api';
import { CopyableCommand } from '../CopyableCommands';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
} from '../EvidenceStatus';
import { IncidentPanel } from '../IncidentPanel';
import { NearViewport } from '../NearViewport';
import { errorMessage } from '../Runbook/errorMessage';
import { formatDateTime } from '../../format';
import { TelemetryStatus } from './TelemetryStatus';

function Checks(props: { checks: TelemetryCheck[]; label: string }) {
  if (!props.checks.length) {
    return null;
  }
  return (
    <Box
      component="ul"
      aria-label={props.label}
      pl={0}
      my={1}
      style={{ listStyle: 'none' }}
    >
      {props.checks.map(check => (
        <Box component="li" key={check.id} display="flex" gridGap={12} mb={1}>
          <Box flexShrink={0} width={96}>
            <TelemetryStatus status={check.status} />
          </Box>
          <div>
            <Typography variant="body2" component="span">
              <strong>{check.title}</strong>
            </Typography>
            <Typography variant="body2" color="textSecondary">
              {check.detail}
            </Typography>
          </div>
        </Box>
      ))}
    </Box>
  );
}

function LikelyCause(props: { cause?: string }) {
  if (!props.cause) {
    return null;
  }
  return (
    <Box my={1}>
      <Alert severity="warning">
        <AlertTitle>Likely cause</AlertTitle>
        {props.cause}
      </Alert>
    </Box>
  );
}

function Suggestion(props: {
  title: string;
  text?: string;
  copyLabel: string;
}) {
  if (!props.text) {
    return null;
  }
  return (
    <Box mt={1}>
      <Typography variant="subtitle2" component="h4" gutterBottom>
        {props.title}
      </Typography>
      <CopyableCommand text={props.text} copyLabel={props.copyLabel} />
    </Box>
  );
}

function MetricsAudit(props: { audit: MetricsPipelineAudit }) {
  const { audit } = props;
  return (
    <Box mb={2}>
      <Typography variant="subtitle1" component="h3">
        Metrics in cluster {audit.cluster}
      </Typography>
      <Typography variant="body2">
        Services: {audit.services.length ? audit.services.join(', ') : 'none'}
        {' · '}
        ServiceMonitors selecting them:{' '}
        {audit.serviceMonitors.length
          ? audit.serviceMonitors.join(', ')
          : 'none'}
      </Typography>
      <Checks
        checks={audit.checks}
        label={`Metrics checks in ${audit.cluster}`}
      />
      <LikelyCause cause={audit.likelyCause} />
      <Suggestion
        title="Suggested ServiceMonitor"
        text={audit.suggestedServiceMonitor}
        copyLabel={`Copy the ServiceMonitor for ${audit.cluster}`}
      />
    </Box>
  );
}

function LogsAudit(props: { audit: LogsPipelineAudit }) {
  const { audit } = props;
  return (
    <Box mb={2}>
      <Typography variant="subtitle1" component="h3">
        Logs in cluster {audit.cluster}
      </Typography>
      <Typography variant="body2">
        Stream labels: {audit.labels.length ? audit.labels.join(', ') : 'none'}
        {' · '}
        Newest entry:{' '}
        {audit.newestEntryAt ? formatDateTime(audit.newestEntryAt) : 'none'}
      </Typography>
      <Checks checks={audit.checks} label={`Logs checks in ${audit.cluster}`} />
      <LikelyCause cause={audit.likelyCause} />
      <Suggestion
        title="Suggested Fluent Bit filter"
        text={audit.suggestedFluentBitFilter}
        copyLabel={`Copy the Fluent Bit filter for ${audit.cluster}`}
      />
    </Box>
  );
}

function Audit(props: { telemetry: TelemetryResponse }) {
  const { telemetry } = props;
  const sources = (
    <SourceProblems
      sources={telemetry.sources}
      only={['kubernetes', 'prometheus', 'loki']}
    />
  );
  if (!telemetry.metrics.length && !telemetry.logs.length) {
    return (
      <>
        {sources}
        <EmptyState
          missing="data"
          title="Nothing to audit"
          description="No cluster has a Service or log stream of this entity."
        />
      </>
    );
  }
  return (
    <>
      {sources}
      {telemetry.metrics.map(audit => (
        <MetricsAudit key={`metrics-${audit.cluster}`} audit={audit} />
      ))}
      {telemetry.logs.map(audit => (
        <LogsAudit key={`logs-${audit.cluster}`} audit={audit} />
      ))}
    </>
  );
}

/** A failed audit: a refusal as the tab says it, else the backend's words. */
function AuditError(props: { error: Error; retry: () => void }) {
  const { error, retry } = props;
  if (error instanceof ResponseError && error.statusCode === 403) {
    return <EvidenceError error={error} />;
  }
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" size="small" onClick={retry}>
          Retry
        </Button>
      }
    >
      <AlertTitle>The telemetry audit failed</AlertTitle>
      {errorMessage(error)}
    </Alert>
  );
}

/** The panel's height while its audit has not been asked for. */
const PLACEHOLDER_HEIGHT = 160;

/** The audit of the entity, asked for when this mounts. */
function TelemetryAudit() {
  const api = useApi(observabilityIrApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { value, error, retry } = useAsyncRetry(
    () => api.getTelemetry(entityRef),
    [api, entityRef],
  );

  if (error) {
    return <AuditError error={error} retry={retry} />;
  }
  if (!value) {
    return (
      <PanelSkeleton
        label="Loading the telemetry pipeline"
        height={PLACEHOLDER_HEIGHT}
      />
    );
  }
  return <Audit telemetry={value} />;
}

/**
 * Whether the entity's metrics and logs reach Prometheus and Loki, per
 * cluster: the ServiceMonitors that select its Services and their targets,
 * its log streams and their labels, the likely cause of a gap and the
 * ServiceMonitor or Fluent Bit filter that closes it. Its own request, so
 * it never holds up the rest of the tab, asked for once the panel comes
 * near the viewport: at the foot of the Incident tab, its audit (and the
 * backend's work for it) would otherwise land while the charts above are
 * drawn.
 *
 * @public
 */
export function TelemetryPanel() {
  return (
    <IncidentPanel title="Telemetry pipeline">
      <NearViewport height={PLACEHOLDER_HEIGHT}>
        <TelemetryAudit />
      </NearViewport>
    </IncidentPanel>
  );
}
