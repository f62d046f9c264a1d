import { ClusterWorld } from '../world/cluster';
import { LabelMatcher } from './promql/ast';
import { matchesAll, SampleSource } from './promql/evaluate';
import { RangeSeries } from './promql/values';
import { buildCatalog, SeriesDef, TargetDef } from './series';

/** At most this many recent selections are kept a store... */
const MAX_KEPT_SELECTIONS = 16;
/** ...holding at most this many series together. */
const MAX_KEPT_SERIES = 100_000;

function matchersKey(matchers: LabelMatcher[]): string {
  return matchers
    .map(m => `${m.name}\u0000${m.op}\u0000${m.value}`)
    .sort()
    .join('\u0001');
}

/**
 * The time series database of one cluster's Prometheus: series are
 * computed from the simulation on demand, sampled on their scrape grid and
 * never later than the scenario clock.
 */
export class MetricsStore implements SampleSource {
  private version = -1;
  private series: SeriesDef[] = [];
  private byName = new Map<string, SeriesDef[]>();
  private targetList: TargetDef[] = [];
  /**
   * Recent selections, by matchers and window: the queries of one page or
   * one sweep select the same series at the same moment again and again.
   * A window is only kept once it lies wholly before the clock, where the
   * simulation's samples no longer change; emptied when objects change.
   */
  private selections = new Map<string, RangeSeries[]>();
  private selectedSeries = 0;

  constructor(private readonly cluster: ClusterWorld) {}

  /**
   * Builds the series index of the cluster's current objects now, as a
   * Prometheus has its head block's index before it answers; otherwise it
   * is built at the first query after the objects change.
   */
  load() {
    this.refresh();
  }

  private refresh() {
    if (this.version === this.cluster.structureVersion) return;
    const catalog = buildCatalog(this.cluster);
    this.series = catalog.series;
    this.targetList = catalog.targets;
    this.byName = new Map();
    for (const s of this.series) {
      const list = this.byName.get(s.labels.__name__) ?? [];
      list.push(s);
      this.byName.set(s.labels.__name__, list);
    }
    this.version = this.cluster.structureVersion;
    this.selections.clear();
    this.selectedSeries = 0;
  }

  /** Series definitions matching the matchers (no samples). */
  matching(matchers: LabelMatcher[]): SeriesDef[] {
    this.refresh();
    const byName = matchers.find(m => m.name === '__name__' && m.op === '=');
    const candidates = byName
      ? this.byName.get(byName.value) ?? []
      : this.series;
    return candidates.filter(s => matchesAll(s.labels, matchers));
  }

  /** Scrape timestamps of a series within (minMs, maxMs]. */
  static scrapeTimes(s: SeriesDef, minMs: number, maxMs: number): number[] {
    const lo = Math.max(minMs + 1, s.fromMs);
    const hi = Math.min(maxMs, s.toMs !== undefined ? s.toMs - 1 : maxMs);
    const times: number[] = [];
    let t =
      Math.ceil((lo - s.offsetMs) / s.intervalMs) * s.intervalMs + s.offsetMs;
    for (; t <= hi; t += s.intervalMs) times.push(t);
    return times;
  }

  /**
   * Samples of one series within (minMs, maxMs], capped at the clock; with
   * `latestOnly`, only the last of them.
   */
  samples(
    s: SeriesDef,
    minMs: number,
    maxMs: number,
    latestOnly = false,
  ): RangeSeries {
    const out: RangeSeries = { labels: s.labels, t: [], v: [] };
    const upTo = Math.min(maxMs, this.cluster.clock.now());
    if (s.toMs !== undefined) {
      const marker =
        Math.ceil((s.toMs - s.offsetMs) / s.intervalMs) * s.intervalMs +
        s.offsetMs;
      if (marker > minMs && marker <= upTo) out.staleAt = marker;
    }
    if (latestOnly) {
      // The last scrape in the window with a value, walking back from its
      // end without listing the scrapes.
      const lo = Math.max(minMs + 1, s.fromMs);
      const hi = Math.min(upTo, s.toMs !== undefined ? s.toMs - 1 : upTo);
      let t =
        Math.floor((hi - s.offsetMs) / s.intervalMs) * s.intervalMs +
        s.offsetMs;
      for (; t >= lo; t -= s.intervalMs) {
        const v = s.value(t);
        if (v !== undefined) {
          out.t.push(t);
          out.v.push(v);
          break;
        }
      }
      return out;
    }
    const times = MetricsStore.scrapeTimes(s, minMs, upTo);
    for (const t of times) {
      const v = s.value(t);
      if (v !== undefined) {
        out.t.push(t);
        out.v.push(v);
      }
    }
    return out;
  }

  select(
    matchers: LabelMatcher[],
    minMs: number,
    maxMs: number,
    options: { latestOnly?: boolean } = {},
  ): RangeSeries[] {
    this.refresh();
    const settled = maxMs < this.cluster.clock.now();
    const key = settled
      ? `${options.latestOnly ? 1 : 0}|${minMs}|${maxMs}|${matchersKey(
          matchers,
        )}`
      : undefined;
    const kept = key === undefined ? undefined : this.selections.get(key);
    if (kept) return kept;
    const selected = this.matching(matchers)
      .map(s => this.samples(s, minMs, maxMs, options.latestOnly))
      .filter(s => s.t.length > 0);
    if (key !== undefined) this.keep(key, selected);
    return selected;
  }

  private keep(key: string, selected: RangeSeries[]) {
    if (selected.length > MAX_KEPT_SERIES) return;
    while (
      this.selections.size >= MAX_KEPT_SELECTIONS ||
      this.selectedSeries + selected.length > MAX_KEPT_SERIES
    ) {
      const [oldestKey, oldest] = this.selections.entries().next().value!;
      this.selections.delete(oldestKey);
      this.selectedSeries -= oldest.length;
    }
    this.selections.set(key, selected);
    this.selectedSeries += selected.length;
  }

  targets(): TargetDef[] {
    this.refresh();
    return this.targetList;
  }
}

const stores = new WeakMap<ClusterWorld, MetricsStore>();

/** The metrics store of a cluster (one per cluster, built lazily). */
export function metricsStore(cluster: ClusterWorld): MetricsStore {
  let store = stores.get(cluster);
  if (!store) {
    store = new MetricsStore(cluster);
    stores.set(cluster, store);
  }
  return store;
}
