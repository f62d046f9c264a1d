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
import {
  lazy,
  Suspense,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { useEvidence, useIncidentRange } from '../../hooks';
import { useRawLogs } from '../RawLogs';
import { formatBytes, formatDateTime, formatPercent } from '../../format';
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
import { CHART_HEIGHT, chartsHeight } from './chartLayout';
import { NearViewport } from '../NearViewport';
import { useChartMetrics, useMeasuredWidth } from './useChartMetrics';

// recharts is only loaded by users who open the tab: asked for as the
// panel mounts, so that it is there when the evidence is.
const loadTimelineChart = () => import('./TimelineChart');
const TimelineChart = lazy(loadTimelineChart);

/** The accessible name of the memory chart. */
export const MEMORY_CHART_LABEL = 'Memory working set and limit over time';
/** The accessible name of the CPU chart. */
export const CPU_CHART_LABEL = 'CPU usage and limit over time';
/** The accessible name of the CPU throttling chart. */
export const THROTTLING_CHART_LABEL = 'CPU throttling over time';
/** The accessible name of the restarts chart. */
export const RESTARTS_CHART_LABEL = 'Restarts over time';
/** The accessible name of the readiness chart. */
export const READINESS_CHART_LABEL = 'Readiness over time';

/**
 * `useDeferredValue` where React has it (18): the charts are drawn after
 * the panels that answered at the same time have been painted.
 */
const useDeferred: <T>(value: T) => T =
  (useDeferredValue as typeof useDeferredValue | undefined) ??
  (<T,>(value: T) => value);
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
const countTicks = (v: number) => String(Math.round(v));
const describeRestarts = (v: number) =>
  `${Math.round(v)} restart${Math.round(v) === 1 ? '' : 's'}`;
const describeReadiness = (v: number) => {
  if (v >= 1) return 'ready';
  if (v <= 0) return 'not ready';
  return `${formatPercent(v)} ready`;
};
const readinessTicks = (v: number) => {
  if (v >= 1) return 'ready';
  return v <= 0 ? 'not ready' : formatPercent(v);
};

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
  const shaped = metrics.shape !== undefined;
  const memory = useMemo(
    () =>
      buildChart({
        values: metrics.memory.workingSet,
        limits: metrics.memory.limit,
        requests: metrics.memory.request,
        start: domain[0],
        end: domain[1],
        describe: formatBytes,
        shaped,
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
        shaped,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [metrics],
  );
  // The other series on the same time axis, for the same containers.
  const more = useMemo(() => {
    const build = (
      values: typeof metrics.restarts,
      describe: typeof formatPercent,
    ) =>
      buildChart({
        values,
        limits: [],
        start: domain[0],
        end: domain[1],
        describe,
        shaped,
      });
    return {
      throttling: build(metrics.cpu.throttledShare, formatPercent),
      restarts: build(metrics.restarts, describeRestarts),
      readiness: build(metrics.ready, describeReadiness),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [metrics]);
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
  const moreEvents = useMemo(
    () => ({
      throttling: eventsByRow(more.throttling.rows, markers),
      restarts: eventsByRow(more.restarts.rows, markers),
      readiness: eventsByRow(more.readiness.rows, markers),
    }),
    [more, markers],
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
      fallback={
        <PanelSkeleton
          label="Loading the chart"
          height={chartsHeight(metrics)}
        />
      }
    >
      {rawLogs && (
        <Typography variant="caption" component="p" color="textSecondary">
          Click a moment for the pod's logs around it (a kill marker: the logs
          before it); click a pod in the legend to focus it
          {focusedPod ? ` (now ${focusedPod}; click it again for all)` : ''}.
        </Typography>
      )}
      {metrics.shape &&
        metrics.shape.shown.length < metrics.shape.containersTotal && (
          <Typography variant="caption" component="p">
            Showing the {metrics.shape.shown.length} of{' '}
            {metrics.shape.containersTotal} containers most relevant to the
            incident (near a limit, throttled, restarted or not ready), the
            others as one line.
          </Typography>
        )}
      {!metrics.shape && memory.podsShown < memory.podsTotal && (
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
          height={CHART_HEIGHT.memory}
          label={MEMORY_CHART_LABEL}
          describe={formatBytes}
          yTicks={memoryTicks}
          labelBands
        />
      )}
      {cpu.rows.length > 0 && (
        <NearViewport height={CHART_HEIGHT.cpu}>
          <TimelineChart
            {...shared}
            model={cpu}
            eventsAt={cpuEvents}
            onMomentClick={openLogs(cpu, cpuEvents)}
            height={CHART_HEIGHT.cpu}
            label={CPU_CHART_LABEL}
            describe={describeCores}
            tickFormat={coreTicks}
            unit="cores"
          />
        </NearViewport>
      )}
      {more.throttling.rows.length > 0 && (
        <NearViewport height={CHART_HEIGHT.throttling}>
          <TimelineChart
            {...shared}
            model={more.throttling}
            eventsAt={moreEvents.throttling}
            onMomentClick={openLogs(more.throttling, moreEvents.throttling)}
            height={CHART_HEIGHT.throttling}
            label={THROTTLING_CHART_LABEL}
            describe={formatPercent}
            yTicks={[0, 0.25, 0.5, 0.75, 1]}
            unit="throttled"
          />
        </NearViewport>
      )}
      {more.restarts.rows.length > 0 && (
        <NearViewport height={CHART_HEIGHT.restarts}>
          <TimelineChart
            {...shared}
            model={more.restarts}
            eventsAt={moreEvents.restarts}
            onMomentClick={openLogs(more.restarts, moreEvents.restarts)}
            height={CHART_HEIGHT.restarts}
            label={RESTARTS_CHART_LABEL}
            describe={describeRestarts}
            tickFormat={countTicks}
            unit="restarts"
          />
        </NearViewport>
      )}
      {more.readiness.rows.length > 0 && (
        <NearViewport height={CHART_HEIGHT.readiness}>
          <TimelineChart
            {...shared}
            model={more.readiness}
            eventsAt={moreEvents.readiness}
            onMomentClick={openLogs(more.readiness, moreEvents.readiness)}
            height={CHART_HEIGHT.readiness}
            label={READINESS_CHART_LABEL}
            describe={describeReadiness}
            tickFormat={readinessTicks}
            yTicks={[0, 1]}
          />
        </NearViewport>
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
 * Memory, CPU, CPU throttling, restarts and readiness of the entity's most
 * relevant pods (the others as one line) over the shared range, with
 * markers for terminations and error bursts.
 *
 * @public
 */
export function IncidentTimeline() {
  useEffect(() => {
    loadTimelineChart();
  }, []);
  const { ref, width } = useMeasuredWidth();
  const { focusedPod } = useIncidentRange();
  // A pod in focus that the answer does not draw (from a link) is asked
  // for; the answer then keeps it while it stays in focus.
  const [extraPod, setExtraPod] = useState(focusedPod);
  const metrics = useChartMetrics(width, extraPod);
  const timeline = useEvidence('getTimeline');
  // Bands only: the Alerts panel shows the alerts' own problems.
  const alerts = useEvidence('getAlerts');
  const events = timeline.value?.events ?? [];
  useEffect(() => {
    const shape = metrics.value?.shape;
    if (!focusedPod) {
      if (extraPod) setExtraPod(undefined);
    } else if (shape && !shape.shown.some(c => c.pod === focusedPod)) {
      setExtraPod(focusedPod);
    }
  }, [focusedPod, extraPod, metrics.value]);
  // The charts are drawn at a lower priority than the rest of the tab.
  const drawn = useDeferred(metrics.value);

  let charts;
  if (metrics.error) {
    charts = <EvidenceError error={metrics.error} />;
  } else if (!drawn || width === undefined) {
    charts = (
      <PanelSkeleton
        label="Loading metrics"
        height={chartsHeight(metrics.value)}
      />
    );
  } else if (sourceUnavailable(drawn.sources, 'prometheus')) {
    charts = null; // The source problems say why there is no chart.
  } else {
    charts = (
      <Charts
        metrics={drawn}
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
