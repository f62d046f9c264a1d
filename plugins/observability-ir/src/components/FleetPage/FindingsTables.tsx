import { Link } from '@backstage/core-components';
import {
  describeBytes,
  describePercent,
  FleetOwner,
  NearOomFinding,
  SilentOutageFinding,
  TopRestarter,
} from '@observability-ir/plugin-observability-ir-common';
import { useMemo } from 'react';
import { countByOwner, ownerKey, ownerLabel } from './filters';
import { describeAgo, useIncidentTabLink } from './links';
import { Column, PaginatedTable } from './PaginatedTable';

const SOURCE_NAMES = { kubernetes: 'Kubernetes', prometheus: 'Prometheus' };

/** The entity of a row, linked to its Incident tab; nothing for unowned pods. */
function EntityCell(props: {
  owner?: FleetOwner;
  incidentLink: (entityRef: string) => string;
}) {
  const { owner, incidentLink } = props;
  if (!owner) {
    return <>—</>;
  }
  return <Link to={incidentLink(owner.entityRef)}>{owner.title}</Link>;
}

/** The container columns every fleet table shares. */
function containerColumns<
  T extends {
    cluster: string;
    namespace: string;
    pod: string;
    container: string;
  },
>(): Column<T>[] {
  return [
    { title: 'Cluster', render: r => r.cluster },
    { title: 'Namespace', render: r => r.namespace },
    { title: 'Pod', render: r => r.pod },
    { title: 'Container', render: r => r.container },
  ];
}

function rowKey(r: {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
}): string {
  return `${r.cluster}/${r.namespace}/${r.pod}/${r.container}`;
}

/** The accessible name of the silent-outage table. */
export const FINDINGS_TABLE_LABEL = 'Containers terminated abnormally';

/**
 * The silent outages, grouped by owner then entity (the rows come sorted
 * that way), one page at a time.
 */
export function FindingsTable(props: { findings: SilentOutageFinding[] }) {
  const { findings } = props;
  const incidentLink = useIncidentTabLink();
  const counts = useMemo(() => countByOwner(findings), [findings]);
  const now = Date.now();
  const columns: Column<SilentOutageFinding>[] = [
    {
      title: 'Entity',
      render: f => <EntityCell owner={f.owner} incidentLink={incidentLink} />,
    },
    ...containerColumns<SilentOutageFinding>(),
    { title: 'Reason', render: f => f.reason },
    { title: 'Exit code', render: f => f.exitCode ?? '—', align: 'right' },
    {
      title: 'Restarts in range',
      render: f => f.restartsInRange,
      align: 'right',
    },
    {
      title: 'Last kill',
      render: f =>
        f.lastKilledAt ? (
          <span title={f.lastKilledAt}>{describeAgo(f.lastKilledAt, now)}</span>
        ) : (
          '—'
        ),
    },
    {
      title: 'Memory limit',
      render: f =>
        f.memoryLimitBytes !== undefined
          ? describeBytes(f.memoryLimitBytes)
          : 'none',
      align: 'right',
    },
    { title: 'Source', render: f => SOURCE_NAMES[f.source] ?? f.source },
  ];
  return (
    <PaginatedTable
      label={FINDINGS_TABLE_LABEL}
      columns={columns}
      rows={findings}
      rowKey={rowKey}
      groupOf={f => {
        const key = ownerKey(f.owner);
        const count = counts.get(key) ?? 0;
        return {
          key,
          label: `${ownerLabel(key)} (${count} ${
            count === 1 ? 'container' : 'containers'
          })`,
        };
      }}
    />
  );
}

/** Containers at or above the near-OOM share of their limit. */
export function NearOomTable(props: { rows: NearOomFinding[] }) {
  const incidentLink = useIncidentTabLink();
  const rows = useMemo(
    () => [...props.rows].sort((a, b) => b.share - a.share),
    [props.rows],
  );
  return (
    <PaginatedTable
      label="Next to OOM"
      rows={rows}
      rowKey={rowKey}
      columns={[
        {
          title: 'Entity',
          render: r => (
            <EntityCell owner={r.owner} incidentLink={incidentLink} />
          ),
        },
        ...containerColumns<NearOomFinding>(),
        {
          title: 'Working set',
          render: r => describeBytes(r.workingSetBytes),
          align: 'right',
        },
        {
          title: 'Memory limit',
          render: r => describeBytes(r.memoryLimitBytes),
          align: 'right',
        },
        {
          title: 'Of limit',
          render: r => describePercent(r.share, { whole: true }),
          align: 'right',
        },
      ]}
    />
  );
}

/** The containers that restarted most in the range. */
export function TopRestartersTable(props: { rows: TopRestarter[] }) {
  const incidentLink = useIncidentTabLink();
  const rows = useMemo(
    () => [...props.rows].sort((a, b) => b.restartsInRange - a.restartsInRange),
    [props.rows],
  );
  return (
    <PaginatedTable
      label="Top restarters"
      rows={rows}
      rowKey={rowKey}
      columns={[
        {
          title: 'Entity',
          render: r => (
            <EntityCell owner={r.owner} incidentLink={incidentLink} />
          ),
        },
        ...containerColumns<TopRestarter>(),
        {
          title: 'Restarts in range',
          render: r => r.restartsInRange,
          align: 'right',
        },
        { title: 'Restart count', render: r => r.restartCount, align: 'right' },
      ]}
    />
  );
}
