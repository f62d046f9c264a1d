import { EmptyState, Link } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  LogsResponse,
  plural,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useEvidence } from '../../hooks';
import { CopyableCommands } from '../CopyableCommands';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
  sourceUnavailable,
} from '../EvidenceStatus';
import { IncidentPanel } from '../IncidentPanel';
import { grafanaExploreUrl, grafanaForCluster } from './grafana';
import { LogGroup } from './LogGroup';

/** Groups rendered at first, and added by each "Show more". */
export const GROUPS_PER_PAGE = 20;

function ExploreLinks(props: { logs: LogsResponse }) {
  const config = useApi(configApiRef);
  const links = props.logs.queries.flatMap(q => {
    const grafana = grafanaForCluster(config, q.cluster);
    return grafana ? [{ ...q, grafana }] : [];
  });
  if (!links.length) {
    return null;
  }
  const several = props.logs.queries.length > 1;
  return (
    <Box display="flex" gridGap={16} flexWrap="wrap" mb={2}>
      {links.map((q, i) => (
        <Link
          key={i}
          to={grafanaExploreUrl({
            grafanaUrl: q.grafana.url,
            query: q.query,
            start: props.logs.range.start,
            end: props.logs.range.end,
            datasource: q.grafana.lokiDatasource,
          })}
        >
          Open in Grafana Explore{several ? ` (${q.cluster})` : ''}
        </Link>
      ))}
    </Box>
  );
}

function Groups(props: { logs: LogsResponse }) {
  const { logs } = props;
  const [shown, setShown] = useState(GROUPS_PER_PAGE);
  if (!logs.groups.length) {
    if (sourceUnavailable(logs.sources, 'loki')) {
      return null; // The source problems say why.
    }
    return (
      <EmptyState
        missing="data"
        title="No error log lines in this range"
        description="Loki has no lines matching error or exception for these pods. Choose a longer range if the incident started earlier."
      />
    );
  }
  return (
    <>
      <Typography variant="body2" gutterBottom>
        {plural(logs.linesRead, 'error line')} in{' '}
        {plural(logs.groups.length, 'group')}
        {logs.groups.length > shown
          ? `; showing the ${shown} most frequent`
          : ''}
        .
      </Typography>
      {logs.groups.slice(0, shown).map(group => (
        <LogGroup key={group.signature} group={group} />
      ))}
      {logs.groups.length > shown && (
        <Box mt={1}>
          <Button
            variant="outlined"
            onClick={() => setShown(s => s + GROUPS_PER_PAGE)}
          >
            Show {Math.min(GROUPS_PER_PAGE, logs.groups.length - shown)} more
            groups
          </Button>
        </Box>
      )}
    </>
  );
}

/**
 * The entity's error log lines over the shared range, grouped by
 * signature, with the LogQL that found them.
 *
 * @public
 */
export function LogErrorGroups() {
  const { value, error } = useEvidence('getLogs');

  let content;
  if (error) {
    content = <EvidenceError error={error} />;
  } else if (!value) {
    content = <PanelSkeleton label="Loading error logs" />;
  } else {
    content = (
      <>
        <SourceProblems sources={value.sources} only={['loki']} />
        {value.truncated && (
          <Box mb={2}>
            <Alert severity="warning">
              Loki had more error lines than the {value.linesRead} read: counts
              are lower bounds. Narrow the range for exact counts.
            </Alert>
          </Box>
        )}
        <Groups logs={value} />
        <Box mt={2}>
          <CopyableCommands
            commands={value.queries.map(q => q.query)}
            what="LogQL query"
          />
          <ExploreLinks logs={value} />
        </Box>
      </>
    );
  }
  return <IncidentPanel title="Error logs">{content}</IncidentPanel>;
}
