import {
  ForensicsFindings,
  ForensicsVerdict,
  MemoryCgroupFacts,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { formatBytes } from '../../format';

function FactsTable(props: {
  title: string;
  headers: string[];
  rows: ReactNode[][];
  empty: string;
}) {
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h3" gutterBottom>
        {props.title}
      </Typography>
      {props.rows.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {props.empty}
        </Typography>
      ) : (
        <Table size="small" aria-label={props.title}>
          <TableHead>
            <TableRow>
              {props.headers.map(h => (
                <TableCell key={h}>{h}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map((row, i) => (
              <TableRow key={i}>
                {row.map((cell, j) => (
                  <TableCell key={j}>{cell}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function optional(
  value: number | undefined,
  render: (value: number) => string = String,
): string {
  return value === undefined ? '–' : render(value);
}

/** `ip addr` inside the pod's network namespace. */
function InterfacesTable(props: { findings: ForensicsFindings }) {
  const { interfaces } = props.findings;
  return (
    <FactsTable
      title="Interfaces"
      headers={['Interface', 'State', 'Addresses', 'MTU']}
      empty={
        interfaces
          ? 'No interface in the namespace.'
          : 'Not read: the script could not enter the network namespace.'
      }
      rows={(interfaces ?? []).map(i => [
        i.name,
        `${i.state ?? (i.up ? 'UP' : 'DOWN')}${
          i.loopback ? ' (loopback)' : ''
        }`,
        i.addresses.length
          ? i.addresses.map(a => `${a.address}/${a.prefixLength}`).join(', ')
          : 'none',
        optional(i.mtu),
      ])}
    />
  );
}

/** Listening TCP sockets inside the namespace, the expected ports marked. */
function SocketsTable(props: {
  findings: ForensicsFindings;
  verdict: ForensicsVerdict;
}) {
  const { listening, listeningFrom } = props.findings;
  const expected = new Set(props.verdict.expectedPorts);
  return (
    <FactsTable
      title={`Listening sockets${listeningFrom ? ` (${listeningFrom})` : ''}`}
      headers={['Address', 'Port', 'Process', 'Note']}
      empty={
        listening
          ? 'Nothing listens on a TCP port in the namespace.'
          : 'Not read: the script could not enter the network namespace.'
      }
      rows={(listening ?? []).map(s => [
        s.address,
        s.port,
        s.owners.length
          ? s.owners.map(o => `${o.name} (pid ${o.pid})`).join(', ')
          : '–',
        [
          expected.has(s.port) ? 'expected' : undefined,
          s.loopbackOnly ? 'loopback only' : undefined,
        ]
          .filter(Boolean)
          .join(', ') || '–',
      ])}
    />
  );
}

function limit(facts: MemoryCgroupFacts) {
  if (facts.limitBytes === null) return 'unlimited';
  return optional(facts.limitBytes, formatBytes);
}

/** What the container's and the pod's memory cgroups recorded. */
function MemoryTable(props: { findings: ForensicsFindings }) {
  const { cgroup } = props.findings;
  const rows = (
    [
      ['Container', cgroup.container],
      ['Pod', cgroup.pod],
    ] as const
  )
    .filter(([, facts]) => facts)
    .map(([scope, facts]) => [
      scope,
      optional(facts!.oomKills),
      limit(facts!),
      optional(facts!.usageBytes, formatBytes),
      optional(facts!.peakUsageBytes, formatBytes),
    ]);
  return (
    <FactsTable
      title={`Memory${cgroup.version ? ` (cgroup v${cgroup.version})` : ''}`}
      headers={['Cgroup', 'OOM kills', 'Limit', 'Usage', 'Peak']}
      empty="The memory cgroup was not found."
      rows={rows}
    />
  );
}

/** The facts of `/proc/PID/status`. */
function ProcessTable(props: { findings: ForensicsFindings }) {
  const { process, target } = props.findings;
  return (
    <FactsTable
      title="Process"
      headers={['PID', 'Name', 'State', 'Threads', 'Resident', 'Peak resident']}
      empty={
        target.pid
          ? 'Its status was not read.'
          : `No process of the container runs${
              target.state ? ` (container ${target.state})` : ''
            }.`
      }
      rows={
        process
          ? [
              [
                optional(process.pid ?? target.pid),
                process.name ?? '–',
                process.state ?? '–',
                optional(process.threads),
                optional(process.residentBytes, formatBytes),
                optional(process.peakResidentBytes, formatBytes),
              ],
            ]
          : []
      }
    />
  );
}

/** The parsed findings of a run, one table per fact. */
export function ForensicsTables(props: {
  findings: ForensicsFindings;
  verdict: ForensicsVerdict;
}) {
  const { findings } = props;
  const { target } = findings;
  return (
    <>
      <Typography variant="body2" color="textSecondary">
        Container {target.containerId ?? 'not found'}
        {target.foundBy ? ` (found by ${target.foundBy})` : ''}
        {target.pid ? `, PID ${target.pid}` : ''}
        {findings.node ? ` on ${findings.node}` : ''}.
        {target.note ? ` ${target.note}` : ''}
      </Typography>
      <InterfacesTable findings={findings} />
      <SocketsTable findings={findings} verdict={props.verdict} />
      <MemoryTable findings={findings} />
      <ProcessTable findings={findings} />
      {findings.failedSections.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2" component="h3">
            Failed steps
          </Typography>
          <ul aria-label="Failed steps">
            {findings.failedSections.map(s => (
              <li key={s.name}>
                <code>{s.command ?? s.name}</code>:{' '}
                {s.exitStatus === undefined
                  ? 'cut off'
                  : `exit ${s.exitStatus}`}
              </li>
            ))}
          </ul>
        </Box>
      )}
    </>
  );
}
