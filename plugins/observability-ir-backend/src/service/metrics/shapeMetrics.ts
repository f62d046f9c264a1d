import {
  MetricSeries,
  MetricsResponse,
  MetricsShape,
} from '@observability-ir/plugin-observability-ir-common';

/** At most this many containers have series of their own in a shaped answer. */
export const MAX_SHOWN_CONTAINERS = 8;

type Point = [number, number];

/**
 * Reduces points (in time order) to at most `maxPoints` on a grid of
 * `maxPoints / 2` equal slices of `[start, end]`: each slice that has
 * points gives its lowest and its highest, in the order they came, at
 * the slice's start and middle. Every value kept is one that was scraped,
 * so a peak (the working set before an OOM kill) or a dip survives, at
 * most one slice away from its time; every series reduced with the same
 * bounds shares the grid, so their lines join on the same instants.
 */
export function downsampleExtremes(
  points: readonly Point[],
  start: number,
  end: number,
  maxPoints: number,
): Point[] {
  const slices = Math.max(1, Math.floor(maxPoints / 2));
  const width = Math.max(1, (end - start) / slices);
  const out: Point[] = [];
  let index = -1;
  let min: Point | undefined;
  let max: Point | undefined;
  let minAt = 0;
  let maxAt = 0;
  const flush = () => {
    if (!min || !max) return;
    const at = start + index * width;
    const [first, second] = minAt <= maxAt ? [min, max] : [max, min];
    out.push(
      [Math.round(at), first[1]],
      [Math.round(at + width / 2), second[1]],
    );
  };
  points.forEach((point, i) => {
    const slice = Math.min(
      slices - 1,
      Math.max(0, Math.floor((point[0] - start) / width)),
    );
    if (slice !== index) {
      flush();
      index = slice;
      min = point;
      max = point;
      minAt = i;
      maxAt = i;
      return;
    }
    if (point[1] < min![1]) {
      min = point;
      minAt = i;
    }
    if (point[1] > max![1]) {
      max = point;
      maxAt = i;
    }
  });
  flush();
  return out;
}

const idOf = (s: Pick<MetricSeries, 'cluster' | 'pod' | 'container'>) =>
  `${s.cluster}/${s.pod}/${s.container ?? ''}`;

function peak(s: MetricSeries | undefined): number {
  let top = 0;
  for (const [, v] of s?.points ?? []) if (v > top) top = v;
  return top;
}

function lastValue(s: MetricSeries | undefined): number | undefined {
  return s?.points[s.points.length - 1]?.[1];
}

/** Restarts counted in the range: the rises of a cumulative counter. */
function restartsIn(s: MetricSeries | undefined): number {
  let count = 0;
  const points = s?.points ?? [];
  for (let i = 1; i < points.length; i++) {
    const rise = points[i][1] - points[i - 1][1];
    // A drop is the counter starting again (a new pod of the same name).
    count += rise > 0 ? rise : 0;
  }
  return count;
}

function notReadyShare(s: MetricSeries | undefined): number {
  const points = s?.points ?? [];
  if (!points.length) return 0;
  let down = 0;
  for (const [, v] of points) if (v < 1) down++;
  return down / points.length;
}

const byId = (series: MetricSeries[]) => {
  const map = new Map<string, MetricSeries>();
  for (const s of series) if (!map.has(idOf(s))) map.set(idOf(s), s);
  return map;
};

/**
 * How much a container matters to the incident: its peak as a share of
 * its memory or CPU limit, or its peak throttled share, whichever is
 * highest; one more when it restarted in the range; plus its share of the
 * range spent not ready.
 */
function relevance(
  id: string,
  maps: Record<
    | 'workingSet'
    | 'memoryLimit'
    | 'usage'
    | 'cpuLimit'
    | 'throttled'
    | 'restarts'
    | 'ready',
    Map<string, MetricSeries>
  >,
): number {
  const memoryLimit = lastValue(maps.memoryLimit.get(id));
  const cpuLimit = lastValue(maps.cpuLimit.get(id));
  const memory = memoryLimit ? peak(maps.workingSet.get(id)) / memoryLimit : 0;
  const cpu = cpuLimit ? peak(maps.usage.get(id)) / cpuLimit : 0;
  const throttled = peak(maps.throttled.get(id));
  return (
    Math.max(memory, cpu, throttled) +
    (restartsIn(maps.restarts.get(id)) > 0 ? 1 : 0) +
    notReadyShare(maps.ready.get(id))
  );
}

/**
 * One series of the containers not drawn on their own: at each instant,
 * their highest value, their sum or their mean.
 */
function othersSeries(
  series: MetricSeries[],
  of: 'max' | 'sum' | 'mean',
): MetricSeries | undefined {
  if (!series.length) return undefined;
  const acc = new Map<number, { value: number; count: number }>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      const known = acc.get(t);
      if (!known) acc.set(t, { value: v, count: 1 });
      else {
        known.value = of === 'max' ? Math.max(known.value, v) : known.value + v;
        known.count++;
      }
    }
  }
  const points = [...acc.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([t, { value, count }]): Point => [
        t,
        of === 'mean' ? value / count : value,
      ],
    );
  const clusters = new Set(series.map(s => s.cluster));
  return {
    cluster: clusters.size === 1 ? series[0].cluster : '',
    pod: 'others',
    points,
    aggregate: { of, containers: new Set(series.map(idOf)).size },
  };
}

function isConstant(s: MetricSeries): boolean {
  const first = s.points[0]?.[1];
  return s.points.every(p => p[1] === first);
}

/**
 * Limits or requests once per distinct value: the containers whose series
 * hold one constant value share one series (the longest of theirs); a
 * changing one is kept for the containers drawn on their own.
 */
function distinctBounds(
  series: MetricSeries[],
  shown: Set<string>,
  order: Map<string, number>,
): MetricSeries[] {
  const constant = new Map<number, MetricSeries[]>();
  const changing: MetricSeries[] = [];
  for (const s of series) {
    if (!s.points.length) continue;
    if (isConstant(s)) {
      const value = s.points[0][1];
      constant.set(value, [...(constant.get(value) ?? []), s]);
    } else if (shown.has(idOf(s))) {
      changing.push(s);
    }
  }
  const rank = (s: MetricSeries) => order.get(idOf(s)) ?? Infinity;
  const shared = [...constant.values()].map(members => {
    // Named after the most relevant container, spanning the longest series.
    const first = members.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    const longest = members.reduce((a, b) =>
      b.points.length > a.points.length ? b : a,
    );
    return {
      cluster: first.cluster,
      pod: first.pod,
      ...(first.container ? { container: first.container } : {}),
      points: longest.points,
      aggregate: { of: 'same' as const, containers: members.length },
    };
  });
  return [...shared, ...changing];
}

/**
 * The answer a chart `width` pixels wide draws, from the full one: the
 * {@link MAX_SHOWN_CONTAINERS} most relevant containers (and every
 * container of `pod`) with series of their own, one `others` series per
 * metric for the rest (the highest memory, CPU and throttling, the sum of
 * restarts, the mean readiness), limits and requests once per distinct
 * value, and every series downsampled to at most `width` points, each
 * slice's extremes kept. Run on what is sent to the browser only: the
 * diagnosis reads the series as scraped.
 */
export function shapeMetrics(
  full: MetricsResponse,
  options: { width: number; pod?: string; maxContainers?: number },
): MetricsResponse {
  const { width, pod } = options;
  const maxContainers = options.maxContainers ?? MAX_SHOWN_CONTAINERS;
  const maps = {
    workingSet: byId(full.memory.workingSet),
    memoryLimit: byId(full.memory.limit),
    usage: byId(full.cpu.usage),
    cpuLimit: byId(full.cpu.limit),
    throttled: byId(full.cpu.throttledShare),
    restarts: byId(full.restarts),
    ready: byId(full.ready),
  };
  const valueLists = [
    full.memory.workingSet,
    full.cpu.usage,
    full.cpu.throttledShare,
    full.restarts,
    full.ready,
  ];
  const containers = new Map<
    string,
    { cluster: string; pod: string; container?: string }
  >();
  for (const list of valueLists) {
    for (const s of list) {
      if (!containers.has(idOf(s))) {
        containers.set(idOf(s), {
          cluster: s.cluster,
          pod: s.pod,
          ...(s.container ? { container: s.container } : {}),
        });
      }
    }
  }
  const ranked = [...containers.entries()]
    .map(([id, c]) => ({ id, c, score: relevance(id, maps) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const chosen = ranked.slice(0, maxContainers);
  for (const entry of ranked.slice(maxContainers)) {
    if (pod !== undefined && entry.c.pod === pod) chosen.push(entry);
  }
  const shown = new Set(chosen.map(e => e.id));
  const order = new Map(ranked.map((e, i) => [e.id, i]));

  const start = Date.parse(full.range.start);
  const end = Date.parse(full.range.end);
  const all = [
    ...valueLists.flat(),
    ...full.memory.limit,
    ...full.memory.request,
    ...full.cpu.limit,
  ];
  const downsampled = all.some(s => s.points.length > width);
  const reduce = (s: MetricSeries): MetricSeries =>
    downsampled
      ? { ...s, points: downsampleExtremes(s.points, start, end, width) }
      : s;
  const values = (
    list: MetricSeries[],
    of: 'max' | 'sum' | 'mean',
  ): MetricSeries[] => {
    const own = list
      .filter(s => shown.has(idOf(s)))
      .sort((a, b) => order.get(idOf(a))! - order.get(idOf(b))!);
    const others = othersSeries(
      list.filter(s => !shown.has(idOf(s))),
      of,
    );
    return [...own, ...(others ? [others] : [])].map(reduce);
  };
  const bounds = (list: MetricSeries[]) =>
    distinctBounds(list, shown, order).map(reduce);

  const shape: MetricsShape = {
    width,
    downsampled,
    containersTotal: containers.size,
    shown: chosen.map(e => e.c),
  };
  return {
    ...full,
    memory: {
      workingSet: values(full.memory.workingSet, 'max'),
      limit: bounds(full.memory.limit),
      request: bounds(full.memory.request),
    },
    cpu: {
      usage: values(full.cpu.usage, 'max'),
      limit: bounds(full.cpu.limit),
      throttledShare: values(full.cpu.throttledShare, 'max'),
    },
    restarts: values(full.restarts, 'sum'),
    ready: values(full.ready, 'mean'),
    shape,
  };
}
