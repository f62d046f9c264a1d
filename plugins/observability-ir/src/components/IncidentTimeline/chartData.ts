import {
  IncidentAlert,
  MetricSeries,
  TimelineEvent,
} from '@observability-ir/plugin-observability-ir-common';

/** Above this many points a chart's series are downsampled. */
export const MAX_POINTS = 500;

/** At most this many pods are drawn; those closest to their limit. */
export const MAX_PODS = 8;

/**
 * At most this many event markers are drawn on a chart: with hundreds of
 * replicas there are thousands of kills an hour, which would bury the lines
 * and stall the page.
 */
export const MAX_MARKERS = 120;

/**
 * Reduces a series to at most `maxPoints` on a grid shared by every series
 * of the chart: per slice of the range, its lowest and its highest point in
 * time order, so the peaks before an OOM kill stay visible.
 */
export function downsample(
  points: Array<[number, number]>,
  start: number,
  end: number,
  maxPoints = MAX_POINTS,
): Array<[number, number]> {
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const width = Math.max(1, (end - start) / buckets);
  const slices: Array<Array<[number, number]>> = [];
  for (const point of points) {
    const index = Math.min(
      buckets - 1,
      Math.max(0, Math.floor((point[0] - start) / width)),
    );
    (slices[index] ??= []).push(point);
  }
  const out: Array<[number, number]> = [];
  slices.forEach((slice, index) => {
    if (!slice?.length) {
      return;
    }
    let min = slice[0];
    let max = slice[0];
    for (const p of slice) {
      if (p[1] < min[1]) min = p;
      if (p[1] > max[1]) max = p;
    }
    const sliceStart = start + index * width;
    if (min === max) {
      out.push([sliceStart, min[1]]);
    } else {
      const [first, second] = min[0] <= max[0] ? [min, max] : [max, min];
      out.push([sliceStart, first[1]], [sliceStart + width / 2, second[1]]);
    }
  });
  return out;
}

/** One line of a chart. */
export interface ChartLine {
  /** The row key of its values. */
  key: string;
  label: string;
  /**
   * A container's values, a bound, or the aggregate of the containers not
   * drawn on their own (in a shaped answer).
   */
  kind: 'value' | 'limit' | 'request' | 'others';
  /**
   * For values: the container's place among all of the chart's, by name,
   * so that a pod has the same colour in every chart.
   */
  colour?: number;
  /** For values: the container drawn. */
  container?: { cluster: string; pod: string; container?: string };
}

/** One instant of a chart: `t` in unix ms, then a value per line key. */
export type ChartRow = { t: number } & Record<string, number>;

/** What one chart draws. */
export interface ChartModel {
  rows: ChartRow[];
  lines: ChartLine[];
}

function seriesId(s: MetricSeries): string {
  return `${s.cluster}/${s.pod}/${s.container ?? ''}`;
}

function seriesLabel(s: MetricSeries, clusters: number): string {
  return clusters > 1 ? `${s.pod} (${s.cluster})` : s.pod;
}

function isConstant(s: MetricSeries): boolean {
  return s.points.every(p => p[1] === s.points[0]?.[1]);
}

const AGGREGATE_WORDS: Record<string, string> = {
  max: 'highest',
  sum: 'total',
  mean: 'mean',
};

/**
 * The bounds of a shaped answer, which sends each distinct one once: a
 * line each, named by its value when it holds one.
 */
function sharedBoundLines(
  kind: 'limit' | 'request',
  series: MetricSeries[],
  clusters: number,
  describe: (value: number) => string,
): Array<{ line: ChartLine; series: MetricSeries }> {
  return series
    .filter(s => s.points.length)
    .map((s, i) => ({
      line: {
        key: series.length === 1 ? kind : `${kind}:${i}`,
        label: isConstant(s)
          ? `${kind} ${describe(s.points[0][1])}`
          : `${kind} ${seriesLabel(s, clusters)}`,
        kind,
      },
      series: s,
    }));
}

/**
 * Limit or request lines: one line when every container has the same
 * constant value, else one per shown container.
 */
function boundLines(
  kind: 'limit' | 'request',
  series: MetricSeries[],
  shown: Set<string>,
  clusters: number,
  describe: (value: number) => string,
): Array<{ line: ChartLine; series: MetricSeries }> {
  const relevant = series.filter(
    s => shown.has(seriesId(s)) && s.points.length,
  );
  if (!relevant.length) {
    return [];
  }
  const first = relevant[0].points[0][1];
  if (relevant.every(s => isConstant(s) && s.points[0][1] === first)) {
    return [
      {
        line: { key: kind, label: `${kind} ${describe(first)}`, kind },
        series: relevant.reduce((a, b) =>
          a.points.length >= b.points.length ? a : b,
        ),
      },
    ];
  }
  return relevant.map(s => ({
    line: {
      key: `${kind}:${seriesId(s)}`,
      label: `${kind} ${seriesLabel(s, clusters)}`,
      kind,
    },
    series: s,
  }));
}

/** The highest value of a series relative to the limit of its container. */
function peakShare(s: MetricSeries, limits: Map<string, number>): number {
  const limit = limits.get(seriesId(s));
  let peak = 0;
  for (const p of s.points) if (p[1] > peak) peak = p[1];
  return limit ? peak / limit : peak;
}

/**
 * Merges series into the rows of one chart, downsampling all of them on one
 * grid when any has more than {@link MAX_POINTS} points. A shaped answer
 * (`shaped`) is drawn as sent: its containers already chosen and ordered,
 * an `others` series for the rest, each distinct bound once.
 */
export function buildChart(options: {
  values: MetricSeries[];
  limits: MetricSeries[];
  requests?: MetricSeries[];
  start: number;
  end: number;
  describe: (value: number) => string;
  maxPods?: number;
  /** The answer was shaped by the backend (it has a `shape`). */
  shaped?: boolean;
  /** What the `others` line says it is, e.g. `highest`; by its aggregate. */
  othersWord?: string;
}): ChartModel & {
  podsShown: number;
  podsTotal: number;
  /** The containers drawn, as `cluster/pod/container`. */
  shown: Set<string>;
} {
  const { limits, requests = [], start, end, describe, shaped } = options;
  const values = options.values.filter(s => !s.aggregate);
  const others = shaped ? options.values.filter(s => s.aggregate) : [];
  const clusters = new Set(values.map(s => s.cluster)).size;
  let shownSeries: MetricSeries[];
  if (shaped) {
    shownSeries = values;
  } else {
    const limitOf = new Map<string, number>();
    for (const l of limits) {
      const first = l.points[0]?.[1];
      if (first !== undefined && !limitOf.has(seriesId(l))) {
        limitOf.set(seriesId(l), first);
      }
    }
    shownSeries = values
      .map(s => ({ s, share: peakShare(s, limitOf) }))
      .sort((a, b) => b.share - a.share)
      .slice(0, options.maxPods ?? MAX_PODS)
      .map(({ s }) => s);
  }
  const shown = new Set(shownSeries.map(seriesId));
  // A pod keeps its colour in every chart: its place among all, by name.
  const colourOf = new Map(
    values
      .map(seriesId)
      .sort()
      .map((id, i) => [id, i]),
  );

  const drawn: Array<{ line: ChartLine; series: MetricSeries }> = [
    ...shownSeries.map(s => ({
      line: {
        key: `value:${seriesId(s)}`,
        label: seriesLabel(s, clusters),
        kind: 'value' as const,
        colour: colourOf.get(seriesId(s)),
        container: {
          cluster: s.cluster,
          pod: s.pod,
          ...(s.container ? { container: s.container } : {}),
        },
      },
      series: s,
    })),
    ...others.map((s, i) => ({
      line: {
        key: `others:${i}`,
        label: `others (${s.aggregate!.containers}, ${
          options.othersWord ?? AGGREGATE_WORDS[s.aggregate!.of] ?? ''
        })`,
        kind: 'others' as const,
      },
      series: s,
    })),
    ...(shaped
      ? [
          ...sharedBoundLines('limit', limits, clusters, describe),
          ...sharedBoundLines('request', requests, clusters, describe),
        ]
      : [
          ...boundLines('limit', limits, shown, clusters, describe),
          ...boundLines('request', requests, shown, clusters, describe),
        ]),
  ];

  // A shaped answer is already downsampled to the chart's width.
  const tooMany =
    !shaped && drawn.some(d => d.series.points.length > MAX_POINTS);
  const byTime = new Map<number, ChartRow>();
  for (const { line, series } of drawn) {
    const points = tooMany
      ? downsample(series.points, start, end)
      : series.points;
    for (const [t, v] of points) {
      let row = byTime.get(t);
      if (!row) {
        row = { t } as ChartRow;
        byTime.set(t, row);
      }
      row[line.key] = v;
    }
  }
  return {
    rows: [...byTime.values()].sort((a, b) => a.t - b.t),
    lines: drawn.map(d => d.line),
    podsShown: shownSeries.length,
    podsTotal:
      values.length +
      others.reduce((n, s) => Math.max(n, s.aggregate!.containers), 0),
    shown,
  };
}

/**
 * The events to mark on a chart: those of the containers it draws, and at
 * most `maxMarkers` of them, one per kind and slice of the range.
 */
export function markerEvents(
  events: TimelineEvent[],
  shown: Set<string>,
  start: number,
  end: number,
  maxMarkers = MAX_MARKERS,
): TimelineEvent[] {
  // An event without a container (an error burst) belongs to its pod.
  const shownPods = new Set(
    [...shown].map(id => id.slice(0, id.lastIndexOf('/'))),
  );
  const own = events.filter(e =>
    e.container === undefined
      ? shownPods.has(`${e.cluster}/${e.pod}`)
      : shown.has(`${e.cluster}/${e.pod}/${e.container}`),
  );
  if (own.length <= maxMarkers) {
    return own;
  }
  const width = Math.max(1, (end - start) / maxMarkers);
  const seen = new Set<string>();
  return own.filter(e => {
    const slice = `${e.kind}:${Math.floor(
      (Date.parse(e.time) - start) / width,
    )}`;
    if (seen.has(slice)) {
      return false;
    }
    seen.add(slice);
    return true;
  });
}

/** The row nearest to each event, so the tooltip of that row shows it. */
export function eventsByRow(
  rows: ChartRow[],
  events: TimelineEvent[],
): Map<number, TimelineEvent[]> {
  const result = new Map<number, TimelineEvent[]>();
  if (!rows.length) {
    return result;
  }
  for (const event of events) {
    const time = Date.parse(event.time);
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].t < time) lo = mid + 1;
      else hi = mid;
    }
    const nearest =
      lo > 0 && time - rows[lo - 1].t < rows[lo].t - time ? lo - 1 : lo;
    const t = rows[nearest].t;
    const known = result.get(t);
    if (known) known.push(event);
    else result.set(t, [event]);
  }
  return result;
}

const MINUTE = 60_000;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map(
  m => m * MINUTE,
);

/** Room a time tick's label needs: `14:05`, or `11-25 14:05` for long ranges. */
const TIME_TICK_SPACING = { short: 60, long: 110 };

/**
 * How many time ticks fit a plot `plotWidth` pixels wide without their
 * labels touching (2 to 10): the axis shows every tick it is given, so
 * none is measured and dropped while the chart is drawn.
 */
export function timeTickCount(plotWidth: number, longRange: boolean): number {
  const spacing = longRange ? TIME_TICK_SPACING.long : TIME_TICK_SPACING.short;
  return Math.min(10, Math.max(2, Math.floor(plotWidth / spacing)));
}

/**
 * Evenly spaced, round instants across a domain for the time axis, at
 * most `max` of them; in the browser's time zone.
 */
export function timeTicks(start: number, end: number, max = 10): number[] {
  const span = Math.max(1, end - start);
  const step =
    TICK_STEPS.find(s => span / s <= max) ?? TICK_STEPS[TICK_STEPS.length - 1];
  // Round in local time: whole minutes and hours of the user's clock.
  const offset = new Date(start).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((start - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let t = first; t <= end; t += step) {
    ticks.push(t);
  }
  return ticks;
}

const MI = 1024 * 1024;

/** Round binary quantities (64Mi, 128Mi, … 1Gi, …) from 0 to above `max`. */
export function byteTicks(max: number, count = 6): number[] {
  let step = 64 * MI;
  while (max / step > count) {
    step *= 2;
  }
  // Strictly above the highest value, so a line at the limit stays visible.
  const top = (Math.floor(max / step) + 1) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) {
    ticks.push(t);
  }
  return ticks;
}

/** The highest value of any line of a chart. */
export function chartMax(model: ChartModel): number {
  let max = 0;
  for (const row of model.rows) {
    for (const line of model.lines) {
      const v = row[line.key];
      if (typeof v === 'number' && v > max) {
        max = v;
      }
    }
  }
  return max;
}

/** At most this many alert bands are drawn on a chart. */
export const MAX_ALERT_BANDS = 12;

/**
 * A shaded interval of the time axis: while an alert of one name fired for
 * any of the pods (or the workload) it names.
 */
export interface AlertBand {
  key: string;
  /** `alertname`. */
  name: string;
  severity?: string;
  /** Unix ms, within the domain. */
  x1: number;
  x2: number;
  /** Still firing at the end of the range. */
  open: boolean;
  /** The pods it fired for, or the namespace for a workload's alert. */
  subjects: string[];
}

/**
 * The firing intervals of the alerts within `[start, end]`, merged per
 * alert name where they overlap, oldest first; pending alerts are left
 * out (they have not fired). At most {@link MAX_ALERT_BANDS}.
 */
export function alertBands(
  alerts: IncidentAlert[],
  start: number,
  end: number,
): AlertBand[] {
  const byName = new Map<string, AlertBand[]>();
  const subjectsOf = new Map<AlertBand, Set<string>>();
  const intervals = alerts
    .filter(a => a.state !== 'pending')
    .map(a => ({
      alert: a,
      x1: Math.max(start, Date.parse(a.startsAt)),
      x2: Math.min(end, a.endsAt ? Date.parse(a.endsAt) : end),
      open: !a.endsAt,
    }))
    .filter(i => Number.isFinite(i.x1) && Number.isFinite(i.x2) && i.x2 > i.x1)
    .sort((a, b) => a.x1 - b.x1);
  for (const { alert, x1, x2, open } of intervals) {
    const bands = byName.get(alert.name) ?? [];
    byName.set(alert.name, bands);
    const subject = alert.pod ?? alert.namespace;
    const last = bands[bands.length - 1];
    if (last && x1 <= last.x2) {
      last.x2 = Math.max(last.x2, x2);
      last.open = last.open || open;
      const seen = subjectsOf.get(last)!;
      if (!seen.has(subject)) {
        seen.add(subject);
        last.subjects.push(subject);
      }
      continue;
    }
    const band: AlertBand = {
      key: `${alert.name}-${x1}`,
      name: alert.name,
      ...(alert.severity ? { severity: alert.severity } : {}),
      x1,
      x2,
      open,
      subjects: [subject],
    };
    subjectsOf.set(band, new Set([subject]));
    bands.push(band);
  }
  return [...byName.values()]
    .flat()
    .sort((a, b) => a.x1 - b.x1 || a.name.localeCompare(b.name))
    .slice(0, MAX_ALERT_BANDS);
}

/** The colour of an alert's band: critical alerts in the error colour. */
export function alertBandColour(
  palette: { error: { main: string }; warning: { main: string } },
  band: Pick<AlertBand, 'severity'>,
): string {
  return band.severity === 'critical'
    ? palette.error.main
    : palette.warning.main;
}

/** Whose raw logs a click on a chart opens, and around which moment. */
export interface LogsAtMoment {
  cluster: string;
  pod: string;
  container?: string;
  /** RFC 3339. */
  at: string;
  atLabel: string;
}

/**
 * What a click on the chart at row `t` asks for: the logs before the
 * event marked there (a termination first), else the logs of the focused
 * pod around that moment, else of the container highest there.
 */
export function logsAtMoment(
  model: ChartModel,
  eventsAt: Map<number, TimelineEvent[]>,
  t: number,
  focusedPod?: string,
): LogsAtMoment | undefined {
  const marked = eventsAt.get(t) ?? [];
  const event =
    marked.find(e => e.kind === 'termination') ?? (marked[0] as TimelineEvent);
  if (event) {
    return {
      cluster: event.cluster,
      pod: event.pod,
      ...(event.container ? { container: event.container } : {}),
      at: event.time,
      atLabel: event.reason ?? event.summary,
    };
  }
  const row = model.rows.find(r => r.t === t);
  const values = model.lines.filter(
    l => l.kind === 'value' && l.container !== undefined,
  );
  const focused = values.find(l => l.container!.pod === focusedPod);
  const highest = row
    ? values
        .filter(l => typeof row[l.key] === 'number')
        .sort((a, b) => row[b.key] - row[a.key])[0]
    : undefined;
  const line = focused ?? highest;
  if (!line) {
    return undefined;
  }
  return {
    ...line.container!,
    at: new Date(t).toISOString(),
    atLabel: 'the moment clicked',
  };
}
