import { ForensicsRun } from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ResponseError } from '@backstage/errors';
import { formatDateTime } from '../../format';
import { EvidenceError, PanelSkeleton } from '../EvidenceStatus';
import { ForensicsRequestError } from '../../api';
import { NodeForensicsContextValue } from './types';
import { STATUS_LABELS, verdictLabel } from './verdict';

/** The accessible name of the history table. */
export const FORENSICS_HISTORY_LABEL = 'Node forensics runs';

/** `user:default/jane` as `jane`; other refs as given. */
function who(ref: string): string {
  return ref.replace(/^user:default\//, '');
}

function newestFirst(runs: ForensicsRun[]): ForensicsRun[] {
  return [...runs].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
}

/**
 * The entity's node-forensics runs, newest first, each openable; or why
 * there are none.
 */
export function ForensicsHistory(props: {
  forensics: NodeForensicsContextValue;
}) {
  const { forensics } = props;
  const { value, error } = forensics.runs;

  let content;
  if (forensics.unavailable) {
    content = <Alert severity="info">{forensics.unavailable}</Alert>;
  } else if (error) {
    const cause =
      error instanceof ForensicsRequestError &&
      error.cause instanceof ResponseError
        ? error.cause
        : error;
    content = <EvidenceError error={cause} />;
  } else if (!value) {
    content = <PanelSkeleton label="Loading forensics runs" height={80} />;
  } else if (value.runs.length === 0) {
    content = (
      <Typography variant="body2" color="textSecondary">
        No forensics runs yet. Run one from a replica's row above.
      </Typography>
    );
  } else {
    content = (
      <Table size="small" aria-label={FORENSICS_HISTORY_LABEL}>
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Pod</TableCell>
            <TableCell>Node</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Verdict</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {newestFirst(value.runs).map(run => (
            <TableRow key={run.id}>
              <TableCell>{formatDateTime(run.createdAt)}</TableCell>
              <TableCell>{STATUS_LABELS[run.status] ?? run.status}</TableCell>
              <TableCell>
                {run.pod} / {run.container}
              </TableCell>
              <TableCell>{run.node ?? '–'}</TableCell>
              <TableCell>{who(run.requestedBy)}</TableCell>
              <TableCell>
                {run.report ? verdictLabel(run.report.verdict.kind) : '–'}
              </TableCell>
              <TableCell>
                <Button
                  size="small"
                  aria-label={`Open the run of ${run.pod} at ${formatDateTime(
                    run.createdAt,
                  )}`}
                  onClick={() => forensics.open(run)}
                >
                  Open
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }

  return (
    <Box component="section" mt={3} aria-label="Node forensics">
      <Typography variant="h6" component="h3" gutterBottom>
        Node forensics
      </Typography>
      {content}
    </Box>
  );
}
