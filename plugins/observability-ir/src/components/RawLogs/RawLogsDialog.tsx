import { Link, Progress } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  plural,
  PreviousLogsResponse,
  RawLogsResponse,
  RawLogsTruncation,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { observabilityIrApiRef } from '../../api';
import { formatDateTime } from '../../format';
import { CopyableCommands } from '../CopyableCommands';
import { EvidenceError, SourceProblems } from '../EvidenceStatus';
import {
  grafanaExploreUrl,
  grafanaForCluster,
} from '../LogErrorGroups/grafana';
import { formatLineTime, LogLines } from './LogLines';
import type { RawLogsTarget } from './types';

type Which = 'around' | 'previous';

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

function truncationNotice(
  truncated: RawLogsTruncation,
  limits: { lines: number; bytes: number },
  shown: number,
  what: string,
): string {
  const cap =
    truncated === 'lines'
      ? `at most ${limits.lines} lines`
      : `at most ${kib(limits.bytes)} of lines`;
  return `${what}: showing ${plural(shown, 'line')} (${cap}).`;
}

/** Explore in the Grafana of the pod's cluster, where one is configured. */
function ExploreLink(props: { logs: RawLogsResponse }) {
  const config = useApi(configApiRef);
  const grafana = grafanaForCluster(config, props.logs.query.cluster);
  if (!grafana) {
    return null;
  }
  return (
    <Link
      to={grafanaExploreUrl({
        grafanaUrl: grafana.url,
        query: props.logs.query.query,
        start: props.logs.window.start,
        end: props.logs.window.end,
        datasource: grafana.lokiDatasource,
      })}
    >
      Open in Grafana Explore
    </Link>
  );
}

/** Lines the filter keeps: those containing it, as Loki's `|=` keeps them. */
function filtered<T extends { line: string }>(lines: T[], filter: string) {
  return filter ? lines.filter(l => l.line.includes(filter)) : lines;
}

function AroundTab(props: {
  logs: RawLogsResponse;
  filter: string;
  target: RawLogsTarget;
}) {
  const { logs, filter, target } = props;
  const shown = filtered(logs.lines, filter);
  const { start, at, end } = logs.window;
  return (
    <>
      <Box
        display="flex"
        justifyContent="space-between"
        flexWrap="wrap"
        gridGap={8}
        mb={1}
      >
        <Typography variant="body2" color="textSecondary">
          Loki, {formatDateTime(start)} to {formatLineTime(end)}, around{' '}
          {formatLineTime(at)}
          {target.atLabel ? ` (${target.atLabel})` : ''}
          {logs.search ? `; lines containing “${logs.search}”` : ''}.
        </Typography>
        <ExploreLink logs={logs} />
      </Box>
      <SourceProblems sources={logs.sources} only={['loki']} />
      {logs.truncated && (
        <Box mb={1}>
          <Alert severity="info">
            {truncationNotice(
              logs.truncated,
              logs.limits,
              logs.lines.length,
              'Loki has more lines in this window than one answer holds; the lines nearest the moment are kept',
            )}
          </Alert>
        </Box>
      )}
      {logs.lines.length === 0 &&
        !logs.sources.some(s => s.status !== 'ok') && (
          <Typography variant="body2">
            {logs.search
              ? `No line of ${logs.pod} contains “${logs.search}” in this window.`
              : `Loki has no lines of ${logs.pod} in this window.`}
          </Typography>
        )}
      {logs.lines.length > 0 && shown.length === 0 && (
        <Typography variant="body2">
          No loaded line contains “{filter}”. Press Enter to ask Loki for lines
          containing it.
        </Typography>
      )}
      {shown.length > 0 && (
        <LogLines
          lines={shown}
          search={filter}
          label={`Log lines of ${logs.pod}`}
          showContainer={!logs.container}
          moment={
            target.at
              ? { at, label: target.atLabel ?? 'the moment' }
              : undefined
          }
        />
      )}
    </>
  );
}

function PreviousTab(props: { logs: PreviousLogsResponse; filter: string }) {
  const { logs, filter } = props;
  const shown = filtered(logs.lines, filter);
  return (
    <>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        Kubernetes API: the end of the log of container {logs.container}'s
        previous instance, the one that ran before its last restart.
      </Typography>
      <SourceProblems sources={logs.sources} only={['kubernetes']} />
      {logs.unavailable && (
        <Box mb={1}>
          <Alert severity="info">{logs.unavailable}</Alert>
        </Box>
      )}
      {logs.truncated && (
        <Box mb={1}>
          <Alert severity="info">
            {truncationNotice(
              logs.truncated,
              logs.limits,
              logs.lines.length,
              'The previous instance wrote more; its last lines are kept',
            )}
          </Alert>
        </Box>
      )}
      {!logs.unavailable &&
        logs.lines.length === 0 &&
        !logs.sources.some(s => s.status !== 'ok') && (
          <Typography variant="body2">
            The previous instance of {logs.container} wrote no log lines.
          </Typography>
        )}
      {logs.lines.length > 0 && shown.length === 0 && (
        <Typography variant="body2">
          No line of the previous instance contains “{filter}”.
        </Typography>
      )}
      {shown.length > 0 && (
        <LogLines
          lines={shown}
          search={filter}
          label={`Previous container log of ${logs.pod}`}
        />
      )}
      <Box mt={2}>
        <CopyableCommands
          commands={[logs.kubectlCommand]}
          what="kubectl command"
        />
      </Box>
    </>
  );
}

/**
 * The raw log lines of one of the entity's pods: Loki's lines around a
 * moment (the moment marked), and the previous container's log from the
 * Kubernetes API, with a search that filters the loaded lines as one types
 * and asks Loki for lines containing the text on Enter.
 *
 * @public
 */
export function RawLogsDialog(props: {
  entityRef: string;
  target: RawLogsTarget;
  onClose: () => void;
}) {
  const { entityRef, target, onClose } = props;
  const api = useApi(observabilityIrApiRef);
  const [which, setWhich] = useState<Which>('around');
  const [filter, setFilter] = useState('');
  const [search, setSearch] = useState<string>();
  const [previousAsked, setPreviousAsked] = useState(false);
  const pod = {
    entityRef,
    pod: target.pod,
    container: target.container,
    cluster: target.cluster,
    namespace: target.namespace,
  };
  const around = useAsyncRetry(
    () => api.getRawLogs({ ...pod, at: target.at, search }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef, JSON.stringify(target), search],
  );
  const previous = useAsyncRetry(
    async () => (previousAsked ? api.getPreviousLogs(pod) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef, JSON.stringify(target), previousAsked],
  );

  const choose = (next: Which) => {
    setWhich(next);
    if (next === 'previous') setPreviousAsked(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (which === 'around') setSearch(filter || undefined);
  };

  const state = which === 'around' ? around : previous;
  let body;
  if (state.error) {
    body = <EvidenceError error={state.error} />;
  } else if (state.loading || !state.value) {
    body = (
      <Box py={2}>
        <Progress />
        <Typography variant="body2" color="textSecondary">
          {which === 'around'
            ? 'Reading the lines from Loki…'
            : 'Reading the previous container log…'}
        </Typography>
      </Box>
    );
  } else if (which === 'around') {
    body = (
      <AroundTab
        logs={around.value as RawLogsResponse}
        filter={filter}
        target={target}
      />
    );
  } else {
    body = (
      <PreviousTab
        logs={previous.value as PreviousLogsResponse}
        filter={filter}
      />
    );
  }

  const titleId = 'raw-logs-dialog-title';
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>
        Logs of {target.pod}
        {target.container ? `, container ${target.container}` : ''}
      </DialogTitle>
      <DialogContent>
        <Tabs
          value={which}
          onChange={(_, next: Which) => choose(next)}
          aria-label="Which logs"
          indicatorColor="primary"
          textColor="primary"
        >
          <Tab
            value="around"
            label={
              target.at ? `Around ${formatLineTime(target.at)}` : 'Most recent'
            }
            id="raw-logs-tab-around"
            aria-controls="raw-logs-panel"
          />
          <Tab
            value="previous"
            label="Previous container"
            id="raw-logs-tab-previous"
            aria-controls="raw-logs-panel"
          />
        </Tabs>
        <Box
          component="form"
          onSubmit={submit}
          display="flex"
          alignItems="flex-start"
          gridGap={8}
          my={2}
          role="search"
        >
          <TextField
            id="raw-logs-search"
            label="Search in lines"
            value={filter}
            onChange={e => setFilter(e.target.value)}
            variant="outlined"
            size="small"
            fullWidth
            inputProps={{ maxLength: 256 }}
            helperText={
              which === 'around'
                ? 'Filters the loaded lines as you type (case-sensitive); Enter asks Loki for the lines containing it in the window.'
                : 'Filters the loaded lines as you type (case-sensitive).'
            }
          />
          {which === 'around' && (
            <Button type="submit" variant="outlined" color="primary">
              Search in Loki
            </Button>
          )}
        </Box>
        <div
          id="raw-logs-panel"
          role="tabpanel"
          aria-labelledby={`raw-logs-tab-${which}`}
        >
          {body}
        </div>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
