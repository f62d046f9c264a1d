import { ClusterWorld } from '../world/cluster';
import { AlertRuleGroupSpec, AlertRuleSpec } from '../scenario/schema';
import { parseDuration } from '../util/quantity';
import { hashString } from '../util/random';
import { parsePromQL } from '../prometheus/promql/parse';
import {
  assertUnique,
  Evaluator,
  matchesAll,
} from '../prometheus/promql/evaluate';
import {
  LabelMatcher,
  Node,
  PromQLExecutionError,
  PromQLParseError,
} from '../prometheus/promql/ast';
import {
  dropName,
  InstantSample,
  Labels,
  RangeSeries,
  signature,
} from '../prometheus/promql/values';
import { metricsStore } from '../prometheus/storage';
import { expandTemplate } from './template';
import { labelsFingerprint } from './matchers';

/**
 * Prometheus's alerting rules for one cluster: every rule group is evaluated
 * with the PromQL engine at its interval, from the start of the scenario's
 * history up to the scenario clock, as a Prometheus that has been running
 * all along would have done. Alerts go pending, then firing once their
 * condition has held for `for`, and resolve when it clears; the `ALERTS` and
 * `ALERTS_FOR_STATE` series are recorded at every evaluation, and firing
 * and resolved alerts are sent to the cluster's Alertmanager.
 */

/** How long Prometheus keeps sending a resolved alert (rules.resolvedRetention). */
const RESOLVED_RETENTION_MS = 15 * 60_000;
/** Prometheus's default --rules.alert.resend-delay. */
const RESEND_DELAY_MS = 60_000;

export type AlertState = 'pending' | 'firing' | 'inactive';

/** An alert of a rule, as Prometheus keeps it between evaluations. */
export interface RuleAlert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  activeAtMs: number;
  firedAtMs?: number;
  resolvedAtMs?: number;
  lastSentAtMs?: number;
  value: number;
}

/** An alerting rule with its evaluation state. */
export interface RuleRuntime {
  spec: AlertRuleSpec;
  node: Node;
  holdMs: number;
  /** Whether the expression may select ALERTS or ALERTS_FOR_STATE. */
  readsAlerts: boolean;
  active: Map<string, RuleAlert>;
  health: 'unknown' | 'ok' | 'err';
  lastError?: string;
  lastEvaluationMs?: number;
  /** Wall-clock seconds the last evaluation took. */
  evaluationSeconds: number;
  /** Signatures of the ALERTS / ALERTS_FOR_STATE series of the last evaluation. */
  previousOutput: Set<string>;
}

/** A rule group with its evaluation state. */
export interface GroupRuntime {
  spec: AlertRuleGroupSpec;
  file: string;
  intervalMs: number;
  offsetMs: number;
  rules: RuleRuntime[];
  lastEvaluationMs?: number;
}

/** An alert as Alertmanager holds it after Prometheus sent it. */
export interface ReceivedAlert {
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  startsAtMs: number;
  endsAtMs: number;
  updatedAtMs: number;
  /** The rule's expression, for the generator URL. */
  expr: string;
}

interface RecordedSeries {
  labels: Labels;
  t: number[];
  v: number[];
  staleMarkers: number[];
}

/** The alerting rules of one cluster's Prometheus and the alerts they raised. */
export class RuleEngine {
  readonly groups: GroupRuntime[];
  private readonly series = new Map<string, RecordedSeries>();
  private readonly received = new Map<string, ReceivedAlert>();
  private readonly historyStartMs: number;

  constructor(private readonly cluster: ClusterWorld) {
    const scenario = cluster.scenario;
    this.historyStartMs =
      cluster.clock.startMs - scenario.historyHours * 3_600_000;
    const file = `${scenario.name}.yaml`;
    this.groups = (scenario.alertRules ?? []).map(spec => {
      const intervalMs = parseDuration(spec.interval);
      return {
        spec,
        file,
        intervalMs,
        // Prometheus spreads groups over their interval by a hash of the
        // group's file and name.
        offsetMs: hashString(`${file};${spec.name}`) % intervalMs,
        rules: spec.rules.map(r => ({
          spec: r,
          node: parsePromQL(r.expr),
          holdMs: parseDuration(r.for),
          readsAlerts: readsAlertSeries(parsePromQL(r.expr)),
          active: new Map(),
          health: 'unknown' as const,
          evaluationSeconds: 0,
          previousOutput: new Set<string>(),
        })),
      };
    });
  }

  /** Evaluates every group up to the scenario clock. */
  advance(): void {
    const now = this.cluster.clock.now();
    for (const group of this.groups) {
      const first =
        group.lastEvaluationMs !== undefined
          ? group.lastEvaluationMs + group.intervalMs
          : this.firstEvaluation(group);
      if (first > now) continue;
      const last =
        first + Math.floor((now - first) / group.intervalMs) * group.intervalMs;
      const evaluator = new Evaluator(metricsStore(this.cluster), {
        startMs: first,
        endMs: last,
        stepMs: group.intervalMs,
      });
      for (let ts = first; ts <= last; ts += group.intervalMs) {
        for (const rule of group.rules) {
          const started = performance.now();
          // A rule reading ALERTS sees what the rules before it recorded
          // up to this evaluation, so it is evaluated one step at a time.
          this.evaluateRule(
            group,
            rule,
            rule.readsAlerts ? this.stepEvaluator(ts) : evaluator,
            ts,
          );
          rule.evaluationSeconds = (performance.now() - started) / 1000;
        }
        group.lastEvaluationMs = ts;
      }
    }
  }

  private stepEvaluator(ts: number): Evaluator {
    const store = metricsStore(this.cluster);
    return new Evaluator(
      {
        select: (matchers, minMs, maxMs) => [
          ...store.select(matchers, minMs, maxMs),
          ...this.select(matchers, minMs, maxMs),
        ],
      },
      { startMs: ts, endMs: ts, stepMs: 1 },
    );
  }

  private firstEvaluation(group: GroupRuntime): number {
    const start = this.historyStartMs;
    const aligned =
      Math.floor((start - group.offsetMs) / group.intervalMs) *
        group.intervalMs +
      group.offsetMs;
    return aligned <= start ? aligned + group.intervalMs : aligned;
  }

  private evaluateRule(
    group: GroupRuntime,
    rule: RuleRuntime,
    evaluator: Evaluator,
    ts: number,
  ) {
    rule.lastEvaluationMs = ts;
    let samples: InstantSample[];
    try {
      const v = evaluator.eval(rule.node, ts);
      if (v.type === 'vector') samples = v.samples;
      else if (v.type === 'scalar') samples = [{ labels: {}, value: v.value }];
      else
        throw new PromQLExecutionError(
          `rule result is not a vector or scalar: ${v.type}`,
        );
      assertUnique(samples);
    } catch (e) {
      if (e instanceof PromQLExecutionError || e instanceof PromQLParseError) {
        rule.health = 'err';
        rule.lastError = e.message;
        return;
      }
      throw e;
    }

    const spec = rule.spec;
    const found = new Map<string, RuleAlert>();
    for (const s of samples) {
      const data = { labels: s.labels, value: s.value };
      const labels: Labels = { ...dropName(s.labels) };
      for (const [k, text] of Object.entries(spec.labels)) {
        const value = expandTemplate(spec.alert, text, data);
        if (value === '') delete labels[k];
        else labels[k] = value;
      }
      labels.alertname = spec.alert;
      const annotations: Record<string, string> = {};
      for (const [k, text] of Object.entries(spec.annotations)) {
        annotations[k] = expandTemplate(spec.alert, text, data);
      }
      const sig = signature(labels);
      if (found.has(sig)) {
        rule.health = 'err';
        rule.lastError =
          'vector contains metrics with the same labelset after applying alert labels';
        return;
      }
      found.set(sig, {
        labels,
        annotations,
        state: 'pending',
        activeAtMs: ts,
        value: s.value,
      });
    }

    for (const [sig, alert] of found) {
      const existing = rule.active.get(sig);
      if (existing && existing.state !== 'inactive') {
        existing.value = alert.value;
        existing.annotations = alert.annotations;
        continue;
      }
      rule.active.set(sig, alert);
    }

    const output = new Set<string>();
    for (const [sig, alert] of [...rule.active]) {
      if (!found.has(sig)) {
        if (
          alert.state === 'pending' ||
          (alert.resolvedAtMs !== undefined &&
            ts - alert.resolvedAtMs > RESOLVED_RETENTION_MS)
        ) {
          rule.active.delete(sig);
        }
        if (alert.state !== 'inactive') {
          alert.state = 'inactive';
          alert.resolvedAtMs = ts;
        }
        continue;
      }
      if (alert.state === 'pending' && ts - alert.activeAtMs >= rule.holdMs) {
        alert.state = 'firing';
        alert.firedAtMs = ts;
      }
      output.add(
        this.record(
          {
            __name__: 'ALERTS',
            ...alert.labels,
            alertname: spec.alert,
            alertstate: alert.state,
          },
          ts,
          1,
        ),
      );
      output.add(
        this.record(
          {
            __name__: 'ALERTS_FOR_STATE',
            ...alert.labels,
            alertname: spec.alert,
          },
          ts,
          Math.floor(alert.activeAtMs / 1000),
        ),
      );
    }
    for (const sig of rule.previousOutput) {
      if (!output.has(sig)) this.series.get(sig)?.staleMarkers.push(ts);
    }
    rule.previousOutput = output;
    rule.health = 'ok';
    rule.lastError = undefined;

    this.send(group, rule, ts);
  }

  private record(labels: Labels, ts: number, value: number): string {
    const sig = signature(labels);
    let s = this.series.get(sig);
    if (!s) {
      s = { labels, t: [], v: [], staleMarkers: [] };
      this.series.set(sig, s);
    }
    s.t.push(ts);
    s.v.push(value);
    return sig;
  }

  /**
   * What Prometheus's notifier sends after an evaluation: firing alerts and
   * alerts resolved in the last 15 minutes, each again after the resend
   * delay, never pending ones. Alertmanager merges them by fingerprint.
   */
  private send(group: GroupRuntime, rule: RuleRuntime, ts: number) {
    for (const alert of rule.active.values()) {
      if (alert.state === 'pending') continue;
      const needsSending =
        alert.lastSentAtMs === undefined ||
        (alert.resolvedAtMs !== undefined &&
          alert.resolvedAtMs > alert.lastSentAtMs) ||
        alert.lastSentAtMs + RESEND_DELAY_MS < ts;
      if (!needsSending) continue;
      alert.lastSentAtMs = ts;
      const validUntil = ts + 4 * Math.max(RESEND_DELAY_MS, group.intervalMs);
      this.receive(
        {
          fingerprint: labelsFingerprint(alert.labels),
          labels: alert.labels,
          annotations: alert.annotations,
          startsAtMs: alert.firedAtMs!,
          endsAtMs: alert.resolvedAtMs ?? validUntil,
          updatedAtMs: ts,
          expr: rule.spec.expr,
        },
        ts,
      );
    }
  }

  /** Alertmanager taking an alert in, merging it with the one it holds. */
  private receive(alert: ReceivedAlert, nowMs: number) {
    const old = this.received.get(alert.fingerprint);
    let stored = alert;
    if (
      old &&
      ((alert.endsAtMs > old.startsAtMs && alert.endsAtMs < old.endsAtMs) ||
        (alert.startsAtMs > old.startsAtMs && alert.startsAtMs < old.endsAtMs))
    ) {
      stored = { ...alert };
      if (old.startsAtMs < alert.startsAtMs) stored.startsAtMs = old.startsAtMs;
      const resolved = (a: ReceivedAlert) => a.endsAtMs <= nowMs;
      if (resolved(alert)) {
        if (resolved(old) && old.endsAtMs > alert.endsAtMs)
          stored.endsAtMs = old.endsAtMs;
      } else if (old.endsAtMs > alert.endsAtMs) {
        stored.endsAtMs = old.endsAtMs;
      }
    }
    this.received.set(alert.fingerprint, stored);
  }

  /** Alerts pending or firing now (Prometheus's /api/v1/alerts). */
  activeAlerts(): RuleAlert[] {
    return this.groups.flatMap(g =>
      g.rules.flatMap(r =>
        [...r.active.values()].filter(a => a.state !== 'inactive'),
      ),
    );
  }

  /** The alerts Alertmanager holds, resolved ones included. */
  receivedAlerts(): ReceivedAlert[] {
    return [...this.received.values()];
  }

  /** Recorded ALERTS / ALERTS_FOR_STATE samples in (minMs, maxMs]. */
  select(
    matchers: LabelMatcher[],
    minMs: number,
    maxMs: number,
  ): RangeSeries[] {
    const out: RangeSeries[] = [];
    for (const s of this.series.values()) {
      if (!matchesAll(s.labels, matchers)) continue;
      const lo = lowerBound(s.t, minMs + 1);
      const hi = lowerBound(s.t, maxMs + 1);
      if (hi <= lo) continue;
      const markers = s.staleMarkers.filter(m => m > minMs && m <= maxMs);
      out.push({
        labels: s.labels,
        t: s.t.slice(lo, hi),
        v: s.v.slice(lo, hi),
        ...(markers.length ? { staleMarkers: markers } : {}),
      });
    }
    return out;
  }

  /** Label sets of recorded series with a sample in [startMs, endMs]. */
  seriesLabels(
    matchers: LabelMatcher[],
    startMs: number,
    endMs: number,
  ): Labels[] {
    return this.select(matchers, startMs - 1, endMs).map(s => s.labels);
  }
}

/** Whether any selector of an expression can select the rules' own series. */
function readsAlertSeries(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as { type?: string; matchers?: LabelMatcher[] };
  if (n.type === 'vectorSelector' && n.matchers) {
    const nameMatchers = n.matchers.filter(m => m.name === '__name__');
    return ['ALERTS', 'ALERTS_FOR_STATE'].some(name =>
      matchesAll({ __name__: name }, nameMatchers),
    );
  }
  return Object.values(node).some(readsAlertSeries);
}

function lowerBound(t: number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const engines = new WeakMap<ClusterWorld, RuleEngine>();

/**
 * The rule engine of a cluster, evaluated up to the scenario clock. A reset
 * world has new clusters, so its rules start over with them.
 */
export function ruleEngine(cluster: ClusterWorld): RuleEngine {
  let engine = engines.get(cluster);
  if (!engine) {
    engine = new RuleEngine(cluster);
    engines.set(cluster, engine);
  }
  engine.advance();
  return engine;
}
