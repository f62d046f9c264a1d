import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  plural,
  RangePreset,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useCallback, useMemo } from 'react';
import { observabilityIrApiRef } from '../../api';
import { useFleetAnswer } from '../../hooks';
import { PanelSkeleton, SourceProblems } from '../EvidenceStatus';
import { downloadText } from '../Runbook/downloadText';
import { findingsToCsv } from './csv';
import {
  distinct,
  filterFindings,
  FleetFilters,
  matchesLocation,
  NO_OWNER_NAMED,
  ownerKey,
  ownerLabel,
  sortByOwner,
  SWEEP_RANGES,
  UNOWNED,
} from './filters';
import { FilterSelect } from './FilterSelect';
import {
  FindingsTable,
  NearOomTable,
  TopRestartersTable,
} from './FindingsTables';
import { FleetError } from './FleetError';
import { describeAgo } from './links';
import { useFleetFilters } from './useFleetFilters';

const RANGE_WORDS: Record<RangePreset, string> = {
  '15m': 'last 15 minutes',
  '1h': 'last hour',
  '6h': 'last 6 hours',
  '24h': 'last 24 hours',
};

/** The owner filter's options: named owners, then the ownerless groups. */
function ownerOptions(answer: SilentOutagesResponse) {
  const keys = new Set(
    [...answer.findings, ...answer.nearOom, ...answer.topRestarters].map(r =>
      ownerKey(r.owner),
    ),
  );
  const named = [...keys]
    .filter(k => k !== UNOWNED && k !== NO_OWNER_NAMED)
    .sort((a, b) => ownerLabel(a).localeCompare(ownerLabel(b)));
  return [...named, ...[NO_OWNER_NAMED, UNOWNED].filter(k => keys.has(k))].map(
    value => ({ value, label: ownerLabel(value) }),
  );
}

function asOptions(values: string[]) {
  return values.map(value => ({ value, label: value }));
}

function Filters(props: {
  answer: SilentOutagesResponse;
  filters: FleetFilters;
  setFilter: (key: keyof FleetFilters, value: string | undefined) => void;
}) {
  const { answer, filters, setFilter } = props;
  const options = useMemo(() => {
    const located = [
      ...answer.findings,
      ...answer.nearOom,
      ...answer.topRestarters,
    ];
    return {
      cluster: asOptions(distinct(located, r => r.cluster)),
      namespace: asOptions(distinct(located, r => r.namespace)),
      owner: ownerOptions(answer),
      reason: asOptions(distinct(answer.findings, f => f.reason)),
    };
  }, [answer]);
  return (
    <Box display="flex" flexWrap="wrap" gridGap={16} mb={2}>
      <FilterSelect
        label="Cluster"
        allLabel="All clusters"
        value={filters.cluster}
        options={options.cluster}
        onChange={v => setFilter('cluster', v)}
      />
      <FilterSelect
        label="Namespace"
        allLabel="All namespaces"
        value={filters.namespace}
        options={options.namespace}
        onChange={v => setFilter('namespace', v)}
      />
      <FilterSelect
        label="Owner"
        allLabel="All owners"
        value={filters.owner}
        options={options.owner}
        onChange={v => setFilter('owner', v)}
      />
      <FilterSelect
        label="Reason"
        allLabel="All reasons"
        value={filters.reason}
        options={options.reason}
        onChange={v => setFilter('reason', v)}
      />
    </Box>
  );
}

/** The button that saves the shown findings as a CSV file. */
export function ExportCsvButton(props: {
  findings: SilentOutagesResponse['findings'];
  range: RangePreset;
}) {
  const { findings, range } = props;
  return (
    <Button
      variant="outlined"
      startIcon={<GetAppIcon />}
      disabled={!findings.length}
      onClick={() =>
        downloadText(
          findingsToCsv(findings),
          `silent-outages-${range}.csv`,
          'text/csv;charset=utf-8',
        )
      }
    >
      Export CSV
    </Button>
  );
}

function SweepSummary(props: { answer: SilentOutagesResponse }) {
  const { answer } = props;
  const now = Date.now();
  return (
    <Typography variant="body2" color="textSecondary">
      {answer.sweptAt ? (
        <span title={answer.sweptAt}>
          Swept {describeAgo(answer.sweptAt, now)}
        </span>
      ) : (
        'Not swept yet'
      )}
      {' · '}
      {answer.podsScanned.toLocaleString('en-US')}{' '}
      {answer.podsScanned === 1 ? 'pod' : 'pods'} scanned
    </Typography>
  );
}

function Sweep(props: {
  answer: SilentOutagesResponse;
  filters: FleetFilters;
  setFilter: (key: keyof FleetFilters, value: string | undefined) => void;
  clearFilters: () => void;
}) {
  const { answer, filters, setFilter, clearFilters } = props;
  const findings = useMemo(
    () => sortByOwner(filterFindings(answer.findings, filters)),
    [answer.findings, filters],
  );
  const nearOom = useMemo(
    () => answer.nearOom.filter(r => matchesLocation(r, filters)),
    [answer.nearOom, filters],
  );
  const topRestarters = useMemo(
    () => answer.topRestarters.filter(r => matchesLocation(r, filters)),
    [answer.topRestarters, filters],
  );

  if (answer.pending && !answer.sweptAt) {
    return (
      <InfoCard title="Silent outages">
        <Typography variant="body1" gutterBottom>
          The first sweep is running…
        </Typography>
        <Progress />
      </InfoCard>
    );
  }

  let table;
  if (!answer.findings.length) {
    table = (
      <EmptyState
        missing="data"
        title={`No container was OOMKilled or terminated abnormally in the ${
          RANGE_WORDS[answer.range] ?? answer.range
        }`}
        description={`${plural(
          answer.podsScanned,
          'pod',
        )} scanned across every cluster.`}
      />
    );
  } else if (!findings.length) {
    table = (
      <EmptyState
        missing="data"
        title="No finding matches these filters"
        description={`${plural(
          answer.findings.length,
          'container',
        )} terminated abnormally in the ${RANGE_WORDS[answer.range]}.`}
        action={
          <Button variant="outlined" onClick={clearFilters}>
            Clear filters
          </Button>
        }
      />
    );
  } else {
    table = <FindingsTable findings={findings} />;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Silent outages"
          subheader={
            answer.findings.length
              ? `${findings.length} of ${plural(
                  answer.findings.length,
                  'container',
                )} OOMKilled or terminated abnormally, by owner`
              : undefined
          }
          action={<ExportCsvButton findings={findings} range={answer.range} />}
        >
          <SourceProblems
            sources={answer.sources}
            only={['kubernetes', 'prometheus']}
          />
          <Filters answer={answer} filters={filters} setFilter={setFilter} />
          {table}
        </InfoCard>
      </Grid>
      <Grid item xs={12} xl={6}>
        <InfoCard
          title="Next to OOM"
          subheader={`Working set at or above ${Math.round(
            answer.nearOomShare * 100,
          )}% of the memory limit`}
        >
          {nearOom.length ? (
            <NearOomTable rows={nearOom} />
          ) : (
            <Typography variant="body2">No container is that close.</Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} xl={6}>
        <InfoCard title="Top restarters">
          {topRestarters.length ? (
            <TopRestartersTable rows={topRestarters} />
          ) : (
            <Typography variant="body2">
              No container restarted in the {RANGE_WORDS[answer.range]}.
            </Typography>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/**
 * The fleet's silent outages: containers OOMKilled or terminated
 * abnormally in the range, by owner, with filters kept in the URL, the
 * containers next to OOM and the top restarters. Reads the sweep again
 * while its first run is pending.
 *
 * @public
 */
export function SilentOutages(props: { pollMs?: number }) {
  const api = useApi(observabilityIrApiRef);
  const [filters, setFilter, clearFilters] = useFleetFilters();
  const { range } = filters;
  const read = useCallback(() => api.getSilentOutages({ range }), [api, range]);
  const { value, error } = useFleetAnswer(read, { pollMs: props.pollMs });

  let content;
  if (error) {
    content = <FleetError error={error} what="the silent-outage sweep" />;
  } else if (!value) {
    content = <PanelSkeleton label="Loading the fleet sweep" height={320} />;
  } else {
    content = (
      <Sweep
        answer={value}
        filters={filters}
        setFilter={setFilter}
        clearFilters={clearFilters}
      />
    );
  }

  return (
    <section aria-label="Silent outages">
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        gridGap={16}
        mb={2}
      >
        <FilterSelect
          label="Range"
          value={range}
          options={SWEEP_RANGES.map(r => ({
            value: r,
            label: `Last ${RANGE_WORDS[r].replace(/^last /, '')}`,
          }))}
          onChange={v => setFilter('range', v)}
        />
        {value && <SweepSummary answer={value} />}
      </Box>
      {content}
    </section>
  );
}
