import { ClusterWorld, SimContainer, SimPod } from '../world/cluster';
import { nodeConditions } from '../kubernetes/render';
import { hashString, randomFor } from '../util/random';
import { Labels } from './promql/values';

/** One scraped series: labels, when it exists and its value at a scrape. */
export interface SeriesDef {
  labels: Labels;
  /** Scrape phase within the interval, per target. */
  offsetMs: number;
  intervalMs: number;
  fromMs: number;
  /** Exclusive end of existence, if the series goes away. */
  toMs?: number;
  value(ms: number): number | undefined;
}

/** A scrape target, as /api/v1/targets lists it. */
export interface TargetDef {
  labels: Labels;
  discoveredLabels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  intervalMs: number;
  offsetMs: number;
  health(ms: number): 'up' | 'down';
  /** Why a scrape at a moment failed; connection refused by default. */
  scrapeError?(ms: number): string;
  fromMs: number;
  toMs?: number;
}

const KSM_INSTANCE = '10.244.1.5:8080';
const KSM = {
  job: 'kube-state-metrics',
  instance: KSM_INSTANCE,
  service: 'kube-state-metrics',
  endpoint: 'http',
  container: 'kube-state-metrics',
};

function phaseFor(interval: number, ...keys: string[]) {
  return hashString(keys.join('/')) % interval;
}

function elapsedInRun(c: SimContainer, ms: number) {
  const m = c.timeline.at(ms);
  if (!m) return undefined;
  const end = m.running ? ms : m.run.endMs!;
  return { moment: m, seconds: (end - m.run.startMs) / 1000 };
}

function podEnd(pod: SimPod): number | undefined {
  const ends = [pod.deletedMs, pod.evictedMs].filter(
    (x): x is number => x !== undefined,
  );
  return ends.length ? Math.min(...ends) : undefined;
}

function containerEnd(pod: SimPod, c: SimContainer): number | undefined {
  const end = podEnd(pod);
  if (pod.restartPolicy === 'Never') {
    // Job pods have a single, fixed run.
    const run = c.timeline.runsBetween(0, c.timeline.firstStartMs)[0];
    if (run?.endMs !== undefined)
      return Math.min(end ?? Infinity, run.endMs + 1);
  }
  return end;
}

/** Reasons a container's last termination can have in this simulation. */
function possibleReasons(c: SimContainer): string[] {
  const reasons = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const o = c.model.outcome(i);
    if (o.durationMs !== undefined) reasons.add(o.reason);
  }
  for (const r of c.timeline.runsBetween(0, c.timeline.firstStartMs + 1)) {
    if (r.endMs !== undefined) reasons.add(r.outcome.reason);
  }
  return [...reasons];
}

function containerSeries(
  cluster: ClusterWorld,
  pod: SimPod,
  c: SimContainer,
  interval: number,
): SeriesDef[] {
  const node = cluster.node(pod.nodeName);
  const nodeIp = node?.spec.internalIP ?? pod.hostIP;
  const model = c.model;
  const cadvisor = {
    container: model.name,
    pod: pod.name,
    namespace: pod.namespace,
    image: model.image,
    node: pod.nodeName,
    job: 'kubelet',
    instance: `${nodeIp}:10250`,
    metrics_path: '/metrics/cadvisor',
    service: 'kubelet',
    endpoint: 'https-metrics',
  };
  const kubeletPhase = phaseFor(interval, 'kubelet', nodeIp);
  const ksmPhase = phaseFor(interval, 'kube-state-metrics');
  const from = c.timeline.firstStartMs;
  const to = containerEnd(pod, c);
  const cpuRate = (run: number) =>
    model.cpuUsageCores() * (0.97 + 0.06 * randomFor(pod.uid, run, 'cpu'));
  const cadvisorSeries = (
    name: string,
    extra: Labels,
    value: (ms: number) => number | undefined,
  ): SeriesDef => ({
    labels: { __name__: name, ...cadvisor, ...extra },
    offsetMs: kubeletPhase,
    intervalMs: interval,
    fromMs: from,
    toMs: to,
    value,
  });
  const series: SeriesDef[] = [
    cadvisorSeries('container_memory_working_set_bytes', {}, ms => {
      const e = elapsedInRun(c, ms);
      return e && model.memoryAt(e.moment.run.index, e.seconds * 1000);
    }),
    cadvisorSeries(
      'container_cpu_usage_seconds_total',
      { cpu: 'total' },
      ms => {
        const e = elapsedInRun(c, ms);
        return (
          e && Math.round(cpuRate(e.moment.run.index) * e.seconds * 1e6) / 1e6
        );
      },
    ),
  ];
  if (model.cpuLimit !== undefined) {
    const periods = (ms: number) => {
      const e = elapsedInRun(c, ms);
      return e && { e, n: Math.floor(e.seconds * 10) };
    };
    series.push(
      cadvisorSeries(
        'container_cpu_cfs_periods_total',
        {},
        ms => periods(ms)?.n,
      ),
      cadvisorSeries('container_cpu_cfs_throttled_periods_total', {}, ms => {
        const p = periods(ms);
        return p && Math.floor(p.n * model.throttledShare());
      }),
    );
  }
  const ksm = {
    ...KSM,
    namespace: pod.namespace,
    pod: pod.name,
    uid: pod.uid,
    container: model.name,
  };
  const ksmFrom = pod.createdMs;
  const ksmTo = pod.deletedMs;
  const ksmSeries = (
    name: string,
    extra: Labels,
    value: (ms: number) => number | undefined,
  ): SeriesDef => ({
    labels: { __name__: name, ...ksm, ...extra },
    offsetMs: ksmPhase,
    intervalMs: interval,
    fromMs: ksmFrom,
    toMs: ksmTo,
    value,
  });
  const resources: Array<[string, 'memory' | 'cpu', number | undefined]> = [
    ['kube_pod_container_resource_limits', 'memory', model.memoryLimit],
    ['kube_pod_container_resource_limits', 'cpu', model.cpuLimit],
    ['kube_pod_container_resource_requests', 'memory', model.memoryRequest],
    ['kube_pod_container_resource_requests', 'cpu', model.cpuRequest],
  ];
  for (const [name, resource, amount] of resources) {
    if (amount !== undefined) {
      series.push(
        ksmSeries(
          name,
          {
            node: pod.nodeName,
            resource,
            unit: resource === 'memory' ? 'byte' : 'core',
          },
          () => amount,
        ),
      );
    }
  }
  const restartCount = (ms: number) => {
    const m = c.timeline.at(Math.min(ms, podEnd(pod) ?? ms));
    if (!m) return 0;
    return m.running ||
      pod.restartPolicy === 'Never' ||
      m.run.nextStartMs === undefined
      ? m.restartCount
      : m.restartCount + 1;
  };
  const lastReason = (ms: number) => {
    const m = c.timeline.at(Math.min(ms, podEnd(pod) ?? ms));
    if (!m) return undefined;
    const last = m.running ? m.previous : m.run;
    return last?.outcome.reason;
  };
  series.push(
    ksmSeries('kube_pod_container_status_restarts_total', {}, restartCount),
  );
  for (const reason of possibleReasons(c)) {
    series.push(
      ksmSeries(
        'kube_pod_container_status_last_terminated_reason',
        { reason },
        ms => (lastReason(ms) === reason ? 1 : undefined),
      ),
    );
  }
  series.push(
    ksmSeries('kube_pod_container_status_ready', {}, ms => {
      if (pod.evictedMs !== undefined && ms >= pod.evictedMs) return 0;
      const m = c.timeline.at(ms);
      return m && m.running && model.readyAt(m.run.index, ms - m.run.startMs)
        ? 1
        : 0;
    }),
  );
  return series;
}

function podPhaseAt(pod: SimPod, ms: number): string {
  if (pod.evictedMs !== undefined && ms >= pod.evictedMs) return 'Failed';
  const moments = pod.containers.map(c => c.timeline.at(ms));
  if (moments.some(m => !m)) return 'Pending';
  if (pod.restartPolicy === 'Never' && moments.every(m => !m!.running)) {
    return moments.every(m => m!.run.outcome.exitCode === 0)
      ? 'Succeeded'
      : 'Failed';
  }
  return 'Running';
}

/** Builds every series and target Prometheus would have for a cluster. */
export function buildCatalog(cluster: ClusterWorld): {
  series: SeriesDef[];
  targets: TargetDef[];
} {
  const interval = cluster.scenario.scrapeIntervalSeconds * 1000;
  const series: SeriesDef[] = [];
  const targets: TargetDef[] = [];
  const historyStart =
    cluster.clock.startMs - cluster.scenario.historyHours * 3_600_000;
  const ksmPhase = phaseFor(interval, 'kube-state-metrics');
  for (const pod of cluster.allPods()) {
    for (const c of pod.containers) {
      series.push(...containerSeries(cluster, pod, c, interval));
    }
    for (const phase of [
      'Pending',
      'Running',
      'Succeeded',
      'Failed',
      'Unknown',
    ]) {
      series.push({
        labels: {
          __name__: 'kube_pod_status_phase',
          ...KSM,
          namespace: pod.namespace,
          pod: pod.name,
          uid: pod.uid,
          phase,
        },
        offsetMs: ksmPhase,
        intervalMs: interval,
        fromMs: pod.createdMs,
        toMs: pod.deletedMs,
        value: ms => (podPhaseAt(pod, ms) === phase ? 1 : 0),
      });
    }
  }
  const ksmUp: SeriesDef = {
    labels: {
      __name__: 'up',
      ...KSM,
      namespace: 'monitoring',
      pod: 'kube-state-metrics-7c9d4b8f6-x2kq4',
    },
    offsetMs: ksmPhase,
    intervalMs: interval,
    fromMs: historyStart - 86_400_000,
    value: () => 1,
  };
  series.push(ksmUp);
  targets.push({
    labels: {
      ...KSM,
      namespace: 'monitoring',
      pod: 'kube-state-metrics-7c9d4b8f6-x2kq4',
    },
    discoveredLabels: {
      __address__: KSM_INSTANCE,
      __metrics_path__: '/metrics',
      __scheme__: 'http',
      job: 'kube-state-metrics',
    },
    scrapePool: 'serviceMonitor/monitoring/kube-state-metrics/0',
    scrapeUrl: `http://${KSM_INSTANCE}/metrics`,
    intervalMs: interval,
    offsetMs: ksmPhase,
    health: () => 'up',
    fromMs: ksmUp.fromMs,
  });
  for (const node of cluster.nodes) {
    const instance = `${node.spec.internalIP}:10250`;
    const offset = phaseFor(interval, 'kubelet', node.spec.internalIP);
    series.push({
      labels: {
        __name__: 'up',
        job: 'kubelet',
        instance,
        metrics_path: '/metrics/cadvisor',
        node: node.spec.name,
        service: 'kubelet',
        endpoint: 'https-metrics',
      },
      offsetMs: offset,
      intervalMs: interval,
      fromMs: historyStart - 86_400_000,
      value: () => 1,
    });
    targets.push({
      labels: {
        job: 'kubelet',
        instance,
        metrics_path: '/metrics/cadvisor',
        node: node.spec.name,
        service: 'kubelet',
        endpoint: 'https-metrics',
      },
      discoveredLabels: {
        __address__: instance,
        __metrics_path__: '/metrics/cadvisor',
        __scheme__: 'https',
        job: 'kubelet',
      },
      scrapePool: 'serviceMonitor/monitoring/kubelet/1',
      scrapeUrl: `https://${instance}/metrics/cadvisor`,
      intervalMs: interval,
      offsetMs: offset,
      health: () => 'up',
      fromMs: historyStart - 86_400_000,
    });
    for (const condition of [
      'Ready',
      'MemoryPressure',
      'DiskPressure',
      'PIDPressure',
    ]) {
      for (const status of ['true', 'false', 'unknown']) {
        series.push({
          labels: {
            __name__: 'kube_node_status_condition',
            ...KSM,
            node: node.spec.name,
            condition,
            status,
          },
          offsetMs: ksmPhase,
          intervalMs: interval,
          fromMs: historyStart - 86_400_000,
          value: ms => {
            const actual = nodeConditions(node, ms)
              .find(c => c.type === condition)!
              .status.toLowerCase();
            return actual === status ? 1 : 0;
          },
        });
      }
    }
  }
  // ServiceMonitor targets: one per pod behind each selected Service port.
  for (const sm of cluster.serviceMonitors) {
    const selector: Record<string, string> = sm.spec.selector.matchLabels ?? {};
    const nsSel = sm.spec.namespaceSelector ?? {};
    for (const svc of cluster.services) {
      if (!Object.entries(selector).every(([k, v]) => svc.labels[k] === v))
        continue;
      if (
        !nsSel.any &&
        !(nsSel.matchNames ?? [sm.metadata.namespace]).includes(svc.namespace)
      )
        continue;
      sm.spec.endpoints.forEach((ep: any, index: number) => {
        const port = svc.ports.find(p => p.name === ep.port);
        if (!port) return;
        for (const pod of cluster
          .allPods()
          .filter(
            p =>
              p.namespace === svc.namespace &&
              Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v),
          )) {
          const c =
            pod.containers.find(x =>
              typeof port.targetPort === 'number'
                ? x.model.listenPorts.includes(port.targetPort)
                : x.model.spec.ports.some(cp => cp.name === port.targetPort),
            ) ?? pod.containers[0];
          const targetPort =
            typeof port.targetPort === 'number'
              ? port.targetPort
              : c.model.spec.ports.find(cp => cp.name === port.targetPort)
                  ?.containerPort ?? 0;
          const instance = `${pod.podIP}:${targetPort}`;
          const labels = {
            job: svc.name,
            instance,
            namespace: pod.namespace,
            pod: pod.name,
            service: svc.name,
            endpoint: ep.port,
            container: c.model.name,
          };
          const offset = phaseFor(interval, svc.name, instance);
          const unreachable =
            c.model.behavior.type === 'steady' &&
            c.model.behavior.networkUnreachable;
          // Scraped on the port the Service targets: a container that does
          // not listen there refuses the connection.
          const listening = (ms: number) => {
            const m = c.timeline.at(ms);
            if (!m || !m.running) return false;
            const after = c.model.listensAfter(m.run.index);
            return (
              after !== undefined &&
              ms - m.run.startMs >= after &&
              !unreachable &&
              c.model.listenPorts.includes(targetPort)
            );
          };
          series.push({
            labels: { __name__: 'up', ...labels },
            offsetMs: offset,
            intervalMs: interval,
            fromMs: pod.createdMs,
            toMs: podEnd(pod),
            value: ms => (listening(ms) ? 1 : 0),
          });
          targets.push({
            labels,
            discoveredLabels: {
              __address__: instance,
              __metrics_path__: ep.path ?? '/metrics',
              __scheme__: 'http',
              job: `serviceMonitor/${sm.metadata.namespace}/${sm.metadata.name}/${index}`,
            },
            scrapePool: `serviceMonitor/${sm.metadata.namespace}/${sm.metadata.name}/${index}`,
            scrapeUrl: `http://${instance}${ep.path ?? '/metrics'}`,
            intervalMs: interval,
            offsetMs: offset,
            health: ms => (listening(ms) ? 'up' : 'down'),
            // A dropped network times the scrape out; a closed port refuses it.
            scrapeError: () =>
              unreachable
                ? `Get "http://${instance}${
                    ep.path ?? '/metrics'
                  }": context deadline exceeded`
                : `Get "http://${instance}${
                    ep.path ?? '/metrics'
                  }": dial tcp ${instance}: connect: connection refused`,
            fromMs: pod.createdMs,
            toMs: podEnd(pod),
          });
        }
      });
    }
  }
  return { series, targets };
}
