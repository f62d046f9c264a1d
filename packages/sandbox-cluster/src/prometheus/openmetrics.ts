import { ClusterWorld } from '../world/cluster';
import { metricsStore } from './storage';
import { MetricsStore } from './storage';

function escapeLabelValue(v: string) {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Exports the samples a cluster's Prometheus holds between two moments as
 * OpenMetrics text with timestamps, suitable for
 * `promtool tsdb create-blocks-from openmetrics`. Every family is typed
 * `unknown` so counter names keep their `_total` suffix verbatim.
 */
export function exportOpenMetrics(
  cluster: ClusterWorld,
  fromMs: number,
  toMs: number,
): string {
  const store = metricsStore(cluster);
  const families = new Map<string, string[]>();
  const all = store.matching([{ name: '__name__', op: '!=', value: '' }]);
  for (const def of all) {
    const samples = store.samples(def, fromMs, toMs);
    if (!samples.t.length) continue;
    const name = def.labels.__name__;
    const labelText = Object.entries(def.labels)
      .filter(([k]) => k !== '__name__')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    const lines = families.get(name) ?? [];
    for (let i = 0; i < samples.t.length; i++) {
      lines.push(
        `${name}{${labelText}} ${formatSampleValue(samples.v[i])} ${(
          samples.t[i] / 1000
        ).toFixed(3)}`,
      );
    }
    families.set(name, lines);
  }
  const out: string[] = [];
  for (const [name, lines] of [...families.entries()].sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    out.push(`# TYPE ${name} unknown`, ...lines);
  }
  out.push('# EOF', '');
  return out.join('\n');
}

export { MetricsStore };
