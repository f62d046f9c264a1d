import { ClusterWorld, SimPod } from '../world/cluster';
import { containerRecords } from '../kubernetes/podLogs';
import { containerId } from '../kubernetes/podStatus';
import { ContainerRun } from '../world/timeline';
import { runLogRecords } from '../world/logs';
import { matchesAll } from '../prometheus/promql/evaluate';
import { LabelMatcher } from '../prometheus/promql/ast';

/** One log entry as Loki stores it. */
export interface Entry {
  ms: number;
  /** Keeps entries written in the same millisecond in order. */
  seq: number;
  line: string;
}

/** A stream: one container of one pod, labelled as Fluent Bit ships it. */
export interface LogStream {
  labels: Record<string, string>;
  pod: SimPod;
  container: string;
}

/** Loki label names allow only [a-zA-Z0-9_]; Fluent Bit replaces the rest. */
function sanitize(name: string) {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Pods whose records miss Fluent Bit's kubernetes filter. */
function podsWithFileLabels(cluster: ClusterWorld): Set<SimPod> {
  const pods = new Set<SimPod>();
  for (const d of cluster.deployments) {
    if (d.logLabels !== 'file') continue;
    d.replicaSets.forEach(rs => rs.pods.forEach(p => pods.add(p)));
  }
  return pods;
}

/**
 * Every stream of the cluster, with Fluent Bit's kubernetes metadata; a
 * Deployment with `logLabels: file` ships its streams as the tail input
 * reads them: only `job` and the container log file's path.
 */
export function clusterStreams(cluster: ClusterWorld): LogStream[] {
  const streams: LogStream[] = [];
  const fileOnly = podsWithFileLabels(cluster);
  for (const pod of cluster.allPods()) {
    for (const c of pod.containers) {
      if (fileOnly.has(pod)) {
        const id = containerId(pod, c.model.name, { index: 0 } as ContainerRun);
        streams.push({
          labels: {
            job: 'fluent-bit',
            filename: `/var/log/containers/${pod.name}_${pod.namespace}_${c.model.name}-${id}.log`,
          },
          pod,
          container: c.model.name,
        });
        continue;
      }
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(pod.labels)) labels[sanitize(k)] = v;
      Object.assign(labels, {
        namespace: pod.namespace,
        pod: pod.name,
        container: c.model.name,
        node: pod.nodeName,
        job: 'fluent-bit',
      });
      streams.push({ labels, pod, container: c.model.name });
    }
  }
  return streams;
}

/** Streams whose labels match the selector. */
export function selectStreams(
  cluster: ClusterWorld,
  matchers: LabelMatcher[],
): LogStream[] {
  return clusterStreams(cluster).filter(s => matchesAll(s.labels, matchers));
}

/**
 * Entries of a stream in [fromMs, toMs]. Multi-line records (stack traces)
 * are one entry, as Fluent Bit's multiline parser ships them.
 */
export function streamEntries(
  stream: LogStream,
  fromMs: number,
  toMs: number,
): Entry[] {
  const { pod, container } = stream;
  const end = Math.min(toMs, pod.deletedMs ?? toMs);
  if (end < fromMs || pod.createdMs > toMs) return [];
  const c = pod.containers.find(x => x.model.name === container)!;
  let records;
  if (pod.logOverride) {
    records = containerRecords(pod, container, 'current', fromMs, end) ?? [];
  } else {
    records = c.timeline
      .runsBetween(fromMs, end)
      .flatMap(run =>
        runLogRecords(c.model, run, `${pod.uid}/${container}`, fromMs, end),
      );
  }
  return records.map((r, i) => ({
    ms: r.ms,
    seq: i,
    line: r.lines.join('\n'),
  }));
}
