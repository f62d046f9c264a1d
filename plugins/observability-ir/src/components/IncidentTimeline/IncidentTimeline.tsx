import { EmptyState } from '@backstage/core-components';
import {
  describeCores,
  IncidentAlert,
  MetricsResponse,
  TimelineEvent,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { lazy, Suspense, useMemo } from 'react';
import { useContainerWidth, useEvidence, useIncidentRange } from '../../hooks';
import { useRawLogs } from '../RawLogs';
import { formatBytes, formatDateTime } from '../../format';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
  sourceUnavailable,
} from '../EvidenceStatus';
import { IncidentPanel } from '../IncidentPanel';
import {
  AlertBand,
  alertBandColour,
  alertBands,
  buildChart,
  byteTicks,
  chartMax,
  ChartModel,
  eventsByRow,
  logsAtMoment,
  markerEvents,
} from './chartData';
import { TimelineEvents } from './TimelineEvents';

// recharts is only loaded by users who open the tab.
const TimelineChart = lazy(() => import('./TimelineChart'));

/** The accessible name of the memory chart. */
export const MEMORY_CHART_LABEL = 'Memory working set and limit over time';
/** The accessible name of the CPU chart. */
export const CPU_CHART_LABEL = 'CPU usage and limit over time';
/** The accessible name of the legend of the alert bands. */
export const ALERT_BANDS_LABEL = 'Alerts on the timeline';

/** The legend of the alert bands, as text. */
function AlertBandsLegend(props: { bands: AlertBand[] }) {
  const theme = useTheme();
  if (!props.bands.length) return null;
  return (
    <Box
      component="ul"
      aria-label={ALERT_BANDS_LABEL}
      display="flex"
      flexWrap="wrap"
      gridGap={16}
      pl={0}
      my={1}
      style={{ listStyle: 'none' }}
    >
      {props.bands.map(band => (
        <Box component="li" key={band.key} display="flex" alignItems="center">
          <Box
            component="span"
            aria-hidden
            width={14}
            height={14}
            mr={1}
            flexShrink={0}
            style={{
              background: alertBandColour(theme.palette, band),
              opacity: 0.4,
            }}
          />
          <Typography variant="caption">
            <strong>{band.name}</strong> ({band.subjects.join(', ')}):{' '}
            {formatDateTime(band.x1)} to{' '}
            {band.open ? 'still firing' : formatDateTime(band.x2)}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

const coreTicks = (v: number) => String(Number(v.toFixed(2)));

function Charts(props: {
  metrics: MetricsResponse;
  events: TimelineEvent[];
  alerts: IncidentAlert[];
  width: number;
}) {
  const { metrics, events, alerts, width } = props;
  const domain: [number, number] = [
    Date.parse(metrics.range.start),
    Date.parse(metrics.range.end),
  ];
  const memory = useMemo(
    () =>
      buildChart({
        values: metrics.memory.workingSet,
        limits: metrics.memory.limit,
        requests: metrics.memory.request,
        start: domain[0],
        end: domain[1],
        describe: formatBytes,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [metrics],
  );
  const cpu = useMemo(
    () =>
      buildChart({
        values: metrics.cpu.usage,
        limits: metrics.cpu.limit,
        start: domain[0],
        end: domain[1],
        describe: describeCores,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [metrics],
  );
  // Markers only for the containers drawn, so the two charts agree.
  const markers = useMemo(
    () => markerEvents(events, memory.shown, domain[0], domain[1]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [memory, events],
  );
  const memoryEvents = useMemo(
    () => eventsByRow(memory.rows, markers),
    [memory, markers],
  );
  const cpuEvents = useMemo(
    () => eventsByRow(cpu.rows, markers),
    [cpu, markers],
  );
  const memoryTicks = useMemo(() => byteTicks(chartMax(memory)), [memory]);
  const bands = useMemo(
    () => alertBands(alerts, domain[0], domain[1]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [alerts, metrics],
  );
  const rawLogs = useRawLogs();
  const { focusedPod, focusPod } = useIncidentRange();
  const openLogs = (
    model: ChartModel,
    eventsAt: Map<number, TimelineEvent[]>,
  ) =>
    rawLogs
      ? (t: number) => {
          const target = logsAtMoment(model, eventsAt, t, focusedPod);
          if (target) rawLogs.open(target);
        }
      : undefined;
  // The two charts share the time axis, the markers, the hover and the
  // pod in focus (a click on the legend; again to see every pod).
  const shared = {
    events: markers,
    domain,
    width,
    syncId: 'incident-timeline',
    bands,
    focusedPod,
    onPodClick: (pod: string) => focusPod(pod === focusedPod ? undefined : pod),
  };

  if (!memory.rows.length && !cpu.rows.length) {
    return (
      <EmptyState
        missing="data"
        title="No memory or CPU series in this range"
        description="Prometheus answered without samples for these pods. Check that cAdvisor metrics (container_memory_working_set_bytes) are scraped, or choose a longer range."
      />
    );
  }
  return (
    <Suspense
      fallback={<PanelSkeleton label="Loading the chart" height={460} />}
    >
      {rawLogs && (
        <Typography variant="caption" component="p" color="textSecondary">
          Click a moment for the pod's logs around it (a kill marker: the logs
          before it); click a pod in the legend to focus it
          {focusedPod ? ` (now ${focusedPod}; click it again for all)` : ''}.
        </Typography>
      )}
      {memory.podsShown < memory.podsTotal && (
        <Typography variant="caption" component="p">
          Showing the {memory.podsShown} of {memory.podsTotal} containers
          closest to their memory limit.
        </Typography>
      )}
      {memory.rows.length > 0 && (
        <TimelineChart
          {...shared}
          model={memory}
          eventsAt={memoryEvents}
          onMomentClick={openLogs(memory, memoryEvents)}
          height={300}
          label={MEMORY_CHART_LABEL}
          describe={formatBytes}
          yTicks={memoryTicks}
          labelBands
        />
      )}
      {cpu.rows.length > 0 && (
        <TimelineChart
          {...shared}
          model={cpu}
          eventsAt={cpuEvents}
          onMomentClick={openLogs(cpu, cpuEvents)}
          height={160}
          label={CPU_CHART_LABEL}
          describe={describeCores}
          tickFormat={coreTicks}
          unit="cores"
        />
      )}
      <AlertBandsLegend bands={bands} />
    </Suspense>
  );
}

function Correlation(props: { timeline: TimelineResponse }) {
  const { correlation } = props.timeline;
  if (correlation.strength === 'none' && !correlation.terminations) {
    return null;
  }
  return (
    <Box display="flex" alignItems="center" gridGap={8} mb={1}>
      <Chip
        size="small"
        variant="outlined"
        label={`${correlation.strength} correlation`}
      />
      <Typography variant="body2">{correlation.summary}</Typography>
    </Box>
  );
}

/**
 * Memory and CPU of the entity's pods over the shared range, with markers
 * for terminations and error bursts.
 *
 * @public
 */
export function IncidentTimeline() {
  const metrics = useEvidence('getMetrics');
  const timeline = useEvidence('getTimeline');
  // Bands only: the Alerts panel shows the alerts' own problems.
  const alerts = useEvidence('getAlerts');
  const { ref, width } = useContainerWidth();
  const events = timeline.value?.events ?? [];

  let charts;
  if (metrics.error) {
    charts = <EvidenceError error={metrics.error} />;
  } else if (!metrics.value) {
    charts = <PanelSkeleton label="Loading metrics" height={460} />;
  } else if (sourceUnavailable(metrics.value.sources, 'prometheus')) {
    charts = null; // The source problems say why there is no chart.
  } else {
    charts = (
      <Charts
        metrics={metrics.value}
        events={events}
        alerts={alerts.value?.alerts ?? []}
        width={width}
      />
    );
  }

  return (
    <IncidentPanel title="Timeline">
      <div ref={ref}>
        {metrics.value && (
          <SourceProblems
            sources={metrics.value.sources}
            only={['prometheus']}
          />
        )}
        {timeline.value && (
          <>
            <SourceProblems
              sources={timeline.value.sources.filter(
                s =>
                  // Prometheus problems are already shown with the metrics.
                  s.source !== 'prometheus' || !metrics.value,
              )}
              only={['kubernetes', 'prometheus', 'loki']}
            />
            <Correlation timeline={timeline.value} />
          </>
        )}
        {timeline.error && !metrics.error && (
          <EvidenceError error={timeline.error} />
        )}
        {charts}
        {events.length > 0 && <TimelineEvents events={events} />}
      </div>
    </IncidentPanel>
  );
}
