import { TimelineEvent } from '@observability-ir/plugin-observability-ir-common';
import { usePlotArea, useXAxisScale } from 'recharts';

/**
 * The event markers of a chart, drawn as plain SVG lines in one layer: a
 * recharts `ReferenceLine` each would register with the chart's store and
 * compute its own selectors, and a chart can carry a hundred markers.
 * Markers outside the plot's x range are not drawn.
 */
export function EventMarkers(props: {
  events: TimelineEvent[];
  colour: (event: TimelineEvent) => string;
}) {
  const x = useXAxisScale();
  const plot = usePlotArea();
  if (!x || !plot) {
    return null;
  }
  const left = plot.x;
  const right = plot.x + plot.width;
  return (
    <g className="incident-event-markers">
      {props.events.map((event, i) => {
        const at = x(Date.parse(event.time));
        if (typeof at !== 'number' || !(at >= left && at <= right)) {
          return null;
        }
        return (
          <line
            key={`${event.time}-${event.pod}-${i}`}
            className="incident-event-marker"
            x1={at}
            x2={at}
            y1={plot.y}
            y2={plot.y + plot.height}
            stroke={props.colour(event)}
            strokeDasharray={event.kind === 'termination' ? undefined : '4 2'}
          />
        );
      })}
    </g>
  );
}
