import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatClock, formatDateTime } from '../../format';
import { ChartTooltip } from './ChartTooltip';
import { EventMarkers } from './EventMarkers';
import {
  AlertBand,
  alertBandColour,
  ChartLine,
  ChartModel,
  timeTickCount,
  timeTicks,
} from './chartData';

/** The chart's margins, left and right, and the y axis's width. */
const MARGIN = { top: 8, right: 16, bottom: 0, left: 8 };
const Y_AXIS_WIDTH = 72;

/**
 * Props of {@link TimelineChart}.
 *
 * @public
 */
export interface TimelineChartProps {
  model: ChartModel;
  /** Markers: terminations and error bursts. */
  events: TimelineEvent[];
  /** The events nearest to each row, for the tooltip. */
  eventsAt: Map<number, TimelineEvent[]>;
  /** The x domain, unix ms; shared by the charts of the panel. */
  domain: [number, number];
  width: number;
  height: number;
  /** The accessible name of the chart. */
  label: string;
  describe: (value: number) => string;
  /** Labels of the y axis ticks; `describe` when absent. */
  tickFormat?: (value: number) => string;
  /** Where the y axis has ticks; chosen by recharts when absent. */
  yTicks?: number[];
  /** The unit of the y axis, when its ticks do not say it. */
  unit?: string;
  /** Charts with the same id move their tooltips together. */
  syncId?: string;
  /** Shaded intervals: while alerts fired. */
  bands?: AlertBand[];
  /** Whether the bands carry their alert's name. */
  labelBands?: boolean;
  /** A click on the chart, at the row `t` nearest to it. */
  onMomentClick?: (t: number) => void;
  /** The pod in focus: its lines drawn as they are, the others faded. */
  focusedPod?: string;
  /** A click on a pod's legend entry. */
  onPodClick?: (pod: string) => void;
}

/** Values solid, the others dotted, bounds dashed. */
const dashes: Record<ChartLine['kind'], string | undefined> = {
  value: undefined,
  others: '2 2',
  limit: '6 3',
  request: '6 3',
};

/**
 * One chart of the Incident timeline, drawn with recharts: the values of
 * each pod, their limit and request, and event markers. Loaded lazily.
 *
 * @public
 */
export default function TimelineChart(props: TimelineChartProps) {
  const theme = useTheme();
  const colours = [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    theme.palette.info.main,
    theme.palette.success.main,
    theme.palette.primary.dark,
    theme.palette.secondary.dark,
    theme.palette.info.dark,
    theme.palette.success.dark,
  ];
  const axis = { stroke: theme.palette.text.secondary, fontSize: 12 };
  const [start, end] = props.domain;
  const longRange = end - start > 24 * 3600 * 1000;
  const podOf = new Map(
    props.model.lines.map(line => [line.key, line.container?.pod]),
  );
  const faded = (key: string) => {
    const pod = podOf.get(key);
    return (
      props.focusedPod !== undefined &&
      pod !== undefined &&
      pod !== props.focusedPod
    );
  };

  return (
    <div role="img" aria-label={props.label}>
      <LineChart
        width={props.width}
        height={props.height}
        data={props.model.rows}
        syncId={props.syncId}
        onClick={state => {
          // The row under the pointer, as the tooltip shows it.
          const row = props.model.rows[Number(state?.activeTooltipIndex)];
          const t = row?.t ?? Number(state?.activeLabel);
          if (props.onMomentClick && Number.isFinite(t)) {
            props.onMomentClick(t);
          }
        }}
        style={props.onMomentClick ? { cursor: 'pointer' } : undefined}
        // The chart is an image to assistive technology; the panel lists
        // its events as text for keyboard and screen reader users.
        accessibilityLayer={false}
        margin={MARGIN}
      >
        <CartesianGrid stroke={theme.palette.divider} strokeDasharray="3 3" />
        <XAxis
          dataKey="t"
          type="number"
          domain={props.domain}
          allowDataOverflow
          ticks={timeTicks(
            start,
            end,
            timeTickCount(
              props.width - MARGIN.left - MARGIN.right - Y_AXIS_WIDTH,
              longRange,
            ),
          )}
          // Every tick given is shown: they are spaced for their labels, so
          // recharts need not measure each label to drop the ones that
          // would touch.
          interval={0}
          tickFormatter={t =>
            longRange
              ? formatDateTime(t).slice(5, 16)
              : formatClock(t).slice(0, 5)
          }
          tick={axis}
          stroke={theme.palette.divider}
        />
        <YAxis
          tickFormatter={v => (props.tickFormat ?? props.describe)(v)}
          tick={axis}
          stroke={theme.palette.divider}
          width={Y_AXIS_WIDTH}
          ticks={props.yTicks}
          interval={0}
          domain={
            props.yTicks
              ? [0, props.yTicks[props.yTicks.length - 1]]
              : undefined
          }
          label={
            props.unit
              ? {
                  value: props.unit,
                  angle: -90,
                  position: 'insideLeft',
                  fill: theme.palette.text.secondary,
                  fontSize: 12,
                }
              : undefined
          }
        />
        <Tooltip
          content={tooltip => (
            <ChartTooltip
              active={tooltip.active}
              label={tooltip.label}
              payload={tooltip.payload}
              events={props.eventsAt}
              describe={props.describe}
            />
          )}
        />
        {(props.bands ?? []).map((band, i) => (
          <ReferenceArea
            key={band.key}
            x1={band.x1}
            x2={band.x2}
            className="incident-alert-band"
            fill={alertBandColour(theme.palette, band)}
            fillOpacity={0.12}
            stroke="none"
            ifOverflow="hidden"
            label={
              props.labelBands
                ? {
                    value: band.name,
                    position: 'insideTopLeft',
                    offset: 4 + (i % 4) * 14,
                    fill: theme.palette.text.secondary,
                    fontSize: 11,
                  }
                : undefined
            }
          />
        ))}
        <Legend
          wrapperStyle={{
            color: theme.palette.text.primary,
            cursor: props.onPodClick ? 'pointer' : undefined,
          }}
          onClick={entry => {
            const pod = podOf.get(String(entry.dataKey));
            if (pod && props.onPodClick) {
              props.onPodClick(pod);
            }
          }}
        />
        <EventMarkers
          events={props.events}
          colour={event =>
            event.kind === 'termination'
              ? theme.palette.error.main
              : theme.palette.warning.main
          }
        />
        {props.model.lines.map(line => {
          let stroke: string;
          if (line.kind === 'limit') {
            stroke = theme.palette.error.main;
          } else if (line.kind === 'request') {
            stroke = theme.palette.text.secondary;
          } else if (line.kind === 'others') {
            stroke = theme.palette.grey[500];
          } else {
            stroke = colours[(line.colour ?? 0) % colours.length];
          }
          return (
            <Line
              key={line.key}
              dataKey={line.key}
              name={line.label}
              stroke={stroke}
              strokeWidth={line.kind === 'value' ? 2 : 1.5}
              strokeOpacity={faded(line.key) ? 0.2 : 1}
              strokeDasharray={dashes[line.kind]}
              dot={false}
              isAnimationActive={false}
              connectNulls={line.kind === 'limit' || line.kind === 'request'}
            />
          );
        })}
      </LineChart>
    </div>
  );
}
