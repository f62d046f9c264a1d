import { Table, TableColumn } from '@backstage/core-components';
import { Replica } from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { memo, useEffect, useMemo, useRef } from 'react';
import { useEvidence } from '../../hooks';
import { formatBytes, formatPercent } from '../../format';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
  sourceUnavailable,
} from '../EvidenceStatus';
import { strongColor } from '../contrast';
import { IncidentPanel } from '../IncidentPanel';
import { CopyableCommands } from '../CopyableCommands';
import {
  ForensicsHistory,
  NodeForensicsContextValue,
  RunForensicsButton,
  useNodeForensics,
} from '../NodeForensics';
import { PodEvents } from './PodEvents';
import { RawLogsButton, RawLogsContextValue, useRawLogs } from '../RawLogs';
import { TerminationCell } from './TerminationCell';
import { TwoLineCell } from './TwoLineCell';

/** The accessible name of the table. */
export const REPLICAS_TABLE_LABEL = 'Replicas';

/** At or above this share of the memory limit a value is highlighted. */
const NEAR_LIMIT = 0.9;

const useStyles = makeStyles(theme => ({
  near: { color: strongColor(theme, 'error', 'text'), fontWeight: 'bold' },
  notReady: { color: strongColor(theme, 'error', 'text') },
  table: { '& > div': { boxShadow: 'none' } },
}));

function describeState(replica: Replica): string {
  const { state, reason } = replica.current;
  return reason ? `${state}: ${reason}` : state;
}

// The action cells read their context themselves, so the columns stay the
// same objects while forensics runs or logs change: material-table sets up
// its columns again, and sorts and pages every row, when they are new.
function ForensicsCell(props: { replica: Replica }) {
  const forensics = useNodeForensics();
  return forensics ? (
    <RunForensicsButton forensics={forensics} replica={props.replica} />
  ) : null;
}

function LogsCell(props: { replica: Replica }) {
  const rawLogs = useRawLogs();
  return rawLogs ? (
    <RawLogsButton rawLogs={rawLogs} replica={props.replica} />
  ) : null;
}

/** The action column, when node forensics is offered. */
const FORENSICS_COLUMN: TableColumn<Replica> = {
  title: 'Forensics',
  field: 'forensics',
  sorting: false,
  searchable: false,
  width: '1%',
  render: r => <ForensicsCell replica={r} />,
};

/** The "Logs" column, inside a `RawLogsProvider`. */
const LOGS_COLUMN: TableColumn<Replica> = {
  title: 'Logs',
  field: 'logs',
  sorting: false,
  searchable: false,
  width: '1%',
  render: r => <LogsCell replica={r} />,
};

function useColumns(
  forensics: NodeForensicsContextValue | undefined,
  rawLogs?: RawLogsContextValue,
): TableColumn<Replica>[] {
  const classes = useStyles();
  const withForensics = forensics !== undefined;
  const withLogs = rawLogs !== undefined;
  return useMemo(
    () => replicaColumns(classes, withForensics, withLogs),
    [classes, withForensics, withLogs],
  );
}

function replicaColumns(
  classes: ReturnType<typeof useStyles>,
  withForensics: boolean,
  withLogs: boolean,
): TableColumn<Replica>[] {
  const columns: TableColumn<Replica>[] = [
    {
      title: 'Pod',
      field: 'pod',
      highlight: true,
      width: '22%',
      cellStyle: { whiteSpace: 'nowrap' },
    },
    {
      title: 'Node',
      field: 'node',
      render: r => (
        <TwoLineCell value={r.node ?? '–'} subvalue={`cluster ${r.cluster}`} />
      ),
    },
    {
      title: 'Phase',
      field: 'phase',
      render: r => (
        <TwoLineCell
          value={r.podReason ? `${r.phase} (${r.podReason})` : r.phase}
          subvalue={
            <span className={r.ready ? undefined : classes.notReady}>
              {r.ready ? 'ready' : 'not ready'}
            </span>
          }
        />
      ),
    },
    // Searchable, not shown: their values are the subvalues above.
    { title: 'Cluster', field: 'cluster', hidden: true, searchable: true },
    {
      title: 'Ready',
      field: 'ready',
      hidden: true,
      searchable: true,
      render: r => (r.ready ? 'ready' : 'not ready'),
    },
    {
      title: 'Restarts',
      field: 'restartCount',
      type: 'numeric',
      defaultSort: 'desc',
    },
    {
      title: 'Last termination',
      field: 'lastTermination.reason',
      render: r => <TerminationCell replica={r} />,
      customSort: (a, b) =>
        (a.lastTermination?.reason ?? '').localeCompare(
          b.lastTermination?.reason ?? '',
        ),
    },
    {
      title: 'State',
      field: 'current.state',
      render: describeState,
      customSort: (a, b) => describeState(a).localeCompare(describeState(b)),
    },
    {
      title: 'Memory of limit',
      field: 'memoryLimitShare',
      type: 'numeric',
      cellStyle: { whiteSpace: 'nowrap' },
      render: r => {
        if (r.memoryLimitShare === undefined) {
          return '–';
        }
        const of = r.limits.memoryBytes
          ? ` of ${formatBytes(r.limits.memoryBytes)}`
          : '';
        return (
          <span
            className={
              r.memoryLimitShare >= NEAR_LIMIT ? classes.near : undefined
            }
          >
            {formatPercent(r.memoryLimitShare)}
            {of}
          </span>
        );
      },
      customSort: (a, b) =>
        (a.memoryLimitShare ?? -1) - (b.memoryLimitShare ?? -1),
    },
  ];
  if (withLogs) columns.push(LOGS_COLUMN);
  if (withForensics) columns.push(FORENSICS_COLUMN);
  return columns;
}

/**
 * The table itself, drawn again only when its rows or columns change (not
 * when forensics runs or logs do: its cells follow those themselves).
 */
const ReplicaRows = memo(function ReplicaRowsTable(props: {
  rows: Replica[];
  columns: TableColumn<Replica>[];
}) {
  const { rows, columns } = props;
  return (
    <Table<Replica>
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        pageSizeOptions: [20, 50, 100],
        search: rows.length > 5,
        showTitle: false,
        toolbar: rows.length > 5,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No pods match the entity's label selector.
        </Typography>
      }
    />
  );
});

/** Gives the data table of `container` an accessible name. */
function useTableName(name: string) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('table')?.setAttribute('aria-label', name);
  });
  return ref;
}

/**
 * Every container of the entity: where it runs, its restarts and how it
 * last ended, with the kubectl command that shows the same. Inside a
 * `NodeForensicsProvider`, each row offers "Run node forensics" and the
 * entity's forensics runs follow the table.
 *
 * @public
 */
export function ReplicaTable() {
  const classes = useStyles();
  const { value, error } = useEvidence('getReplicas');
  // Inside a NodeForensicsProvider: an action per replica and the runs.
  const forensics = useNodeForensics();
  // Inside a RawLogsProvider: a "Logs" action per replica.
  const columns = useColumns(forensics, useRawLogs());
  const tableRef = useTableName(REPLICAS_TABLE_LABEL);
  // The same rows while the answer is the same (a 304 keeps it).
  const rows = useMemo(
    () =>
      value?.replicas.map(r => ({
        ...r,
        // material-table keys rows by id.
        id: `${r.cluster}/${r.namespace}/${r.pod}/${r.container}`,
      })),
    [value],
  );

  let content;
  if (error) {
    content = <EvidenceError error={error} />;
  } else if (!value || !rows) {
    content = <PanelSkeleton label="Loading replicas" />;
  } else {
    content = (
      <>
        <SourceProblems
          sources={value.sources}
          only={['kubernetes', 'prometheus']}
        />
        {!sourceUnavailable(value.sources, 'kubernetes') && (
          <div ref={tableRef} className={classes.table}>
            <ReplicaRows rows={rows} columns={columns} />
          </div>
        )}
        <Box my={2}>
          <PodEvents events={value.events} nodes={value.nodes} />
        </Box>
        <CopyableCommands
          commands={value.kubectlCommands}
          what="kubectl command"
        />
        {forensics && <ForensicsHistory forensics={forensics} />}
      </>
    );
  }
  return <IncidentPanel title="Replicas">{content}</IncidentPanel>;
}
