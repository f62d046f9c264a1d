import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  FleetTelemetryResponse,
  FleetTelemetryRow,
  plural,
} from '@observability-ir/plugin-observability-ir-common';
import Typography from '@material-ui/core/Typography';
import { useCallback, useMemo } from 'react';
import { observabilityIrApiRef } from '../../api';
import { useFleetAnswer } from '../../hooks';
import { PanelSkeleton, SourceProblems } from '../EvidenceStatus';
import { TelemetryStatus } from '../TelemetryPanel/TelemetryStatus';
import { ownerKey, ownerLabel } from './filters';
import { FleetError } from './FleetError';
import { describeAgo, useIncidentTabLink } from './links';
import { PaginatedTable } from './PaginatedTable';

const STATUS_ORDER = { missing: 0, warning: 1, unknown: 2, ok: 3 };

/** The worst rows first, then by entity. */
function byWorst(a: FleetTelemetryRow, b: FleetTelemetryRow): number {
  return (
    Math.min(STATUS_ORDER[a.metrics], STATUS_ORDER[a.logs]) -
      Math.min(STATUS_ORDER[b.metrics], STATUS_ORDER[b.logs]) ||
    a.owner.title.localeCompare(b.owner.title)
  );
}

function TelemetryTable(props: { answer: FleetTelemetryResponse }) {
  const incidentLink = useIncidentTabLink();
  const rows = useMemo(
    () => [...props.answer.rows].sort(byWorst),
    [props.answer.rows],
  );
  if (!rows.length) {
    return (
      <EmptyState
        missing="data"
        title="No entity to audit"
        description="No catalog entity has a backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation."
      />
    );
  }
  return (
    <PaginatedTable
      label="Telemetry of every entity"
      rows={rows}
      rowKey={r => r.owner.entityRef}
      columns={[
        {
          title: 'Entity',
          render: r => (
            <Link to={incidentLink(r.owner.entityRef)}>{r.owner.title}</Link>
          ),
        },
        { title: 'Owner', render: r => ownerLabel(ownerKey(r.owner)) },
        {
          title: 'Metrics',
          render: r => <TelemetryStatus status={r.metrics} />,
        },
        { title: 'Logs', render: r => <TelemetryStatus status={r.logs} /> },
        { title: 'Problem', render: r => r.problem ?? '—' },
      ]}
    />
  );
}

/**
 * Whether every entity's metrics and logs reach Prometheus and Loki: the
 * worst state of each, and the first problem.
 *
 * @public
 */
export function FleetTelemetry(props: { pollMs?: number }) {
  const api = useApi(observabilityIrApiRef);
  const read = useCallback(() => api.getFleetTelemetry(), [api]);
  const { value, error } = useFleetAnswer(read, { pollMs: props.pollMs });

  let content;
  if (error) {
    content = <FleetError error={error} what="the fleet telemetry audit" />;
  } else if (!value) {
    content = <PanelSkeleton label="Loading the telemetry audit" />;
  } else if (value.pending && !value.auditedAt) {
    content = (
      <>
        <Typography variant="body1" gutterBottom>
          The first audit is running…
        </Typography>
        <Progress />
      </>
    );
  } else {
    content = (
      <>
        <SourceProblems
          sources={value.sources}
          only={['kubernetes', 'prometheus', 'loki']}
        />
        <TelemetryTable answer={value} />
      </>
    );
  }
  return (
    <InfoCard
      title="Telemetry pipeline"
      subheader={
        value?.auditedAt
          ? `Audited ${describeAgo(value.auditedAt, Date.now())} · ${plural(
              value.rows.length,
              'entity',
              'entities',
            )}`
          : undefined
      }
    >
      {content}
    </InfoCard>
  );
}
