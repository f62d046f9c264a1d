import { ProbeSpec } from '../scenario/schema';
import { ClusterWorld, SimContainer, SimPod } from '../world/cluster';
import { resolveProbePort } from '../world/containerModel';
import { hashString, uidFor } from '../util/random';
import { K8sObject } from './render';
import { k8sTime } from './time';

/** Events expire an hour after they were last seen, as in the API server. */
const EVENT_TTL_MS = 3_600_000;

interface EventDraft {
  object: {
    kind: string;
    name: string;
    namespace: string;
    uid: string;
    fieldPath?: string;
  };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  times: number[];
  component: string;
  host?: string;
}

/**
 * The message of a failed probe as the kubelet records it: the HTTP or TCP
 * prober's output, or "errored" when the probe could not even be built.
 */
function probeFailureMessage(
  kind: 'Readiness' | 'Liveness',
  pod: SimPod,
  c: SimContainer,
  probe: ProbeSpec,
): string {
  const target = resolveProbePort(
    c.model.spec.ports,
    probe.httpGet ? probe.httpGet.port : probe.tcpSocket?.port,
  );
  if ('error' in target) {
    return `${kind} probe errored and resulted in unknown state: ${target.error}`;
  }
  const address = `${pod.podIP}:${target.port}`;
  const timeout =
    c.model.behavior.type === 'steady' && c.model.behavior.networkUnreachable;
  if (probe.httpGet) {
    const url = `http://${address}${probe.httpGet.path}`;
    const cause = timeout
      ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      : `dial tcp ${address}: connect: connection refused`;
    return `${kind} probe failed: Get "${url}": ${cause}`;
  }
  return `${kind} probe failed: dial tcp ${address}: ${
    timeout ? 'i/o timeout' : 'connect: connection refused'
  }`;
}

function podEvents(pod: SimPod, fromMs: number, toMs: number): EventDraft[] {
  const drafts: EventDraft[] = [];
  const object = {
    kind: 'Pod',
    name: pod.name,
    namespace: pod.namespace,
    uid: pod.uid,
  };
  const kubelet = (
    reason: string,
    type: 'Normal' | 'Warning',
    message: string,
    times: number[],
    fieldPath?: string,
  ) => {
    if (times.length) {
      drafts.push({
        object: { ...object, fieldPath },
        type,
        reason,
        message,
        times,
        component: 'kubelet',
        host: pod.nodeName,
      });
    }
  };
  if (pod.createdMs >= fromMs) {
    drafts.push({
      object,
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.namespace}/${pod.name} to ${pod.nodeName}`,
      times: [pod.createdMs + 50],
      component: 'default-scheduler',
    });
  }
  for (const c of pod.containers) {
    const fieldPath = `spec.containers{${c.model.name}}`;
    const runs = c.timeline.runsBetween(fromMs, toMs);
    const starts = runs
      .map(r => r.startMs)
      .filter(t => t >= fromMs && t <= toMs);
    kubelet(
      'Pulled',
      'Normal',
      `Container image "${c.model.image}" already present on machine`,
      starts.map(t => t - 300),
      fieldPath,
    );
    kubelet(
      'Created',
      'Normal',
      `Created container: ${c.model.name}`,
      starts.map(t => t - 100),
      fieldPath,
    );
    kubelet(
      'Started',
      'Normal',
      `Started container ${c.model.name}`,
      starts,
      fieldPath,
    );
    const restarting = runs.filter(
      r =>
        r.endMs !== undefined &&
        r.nextStartMs !== undefined &&
        r.endMs <= toMs &&
        r.endMs >= fromMs,
    );
    kubelet(
      'BackOff',
      'Warning',
      `Back-off restarting failed container ${c.model.name} in pod ${pod.name}_${pod.namespace}(${pod.uid})`,
      restarting.map(r => r.endMs! + 1_000),
      fieldPath,
    );
    const readiness = c.model.readinessProbe;
    if (readiness) {
      const failures: number[] = [];
      for (const r of runs) {
        const end = Math.min(r.endMs ?? toMs, toMs);
        for (
          let t = r.startMs + readiness.initialDelaySeconds * 1000;
          t < end;
          t += readiness.periodSeconds * 1000
        ) {
          if (t >= fromMs && !c.model.readyAt(r.index, t - r.startMs)) {
            failures.push(t);
          }
        }
      }
      kubelet(
        'Unhealthy',
        'Warning',
        probeFailureMessage('Readiness', pod, c, readiness),
        failures,
        fieldPath,
      );
    }
    const killed = runs.filter(
      r => r.outcome.killedByLiveness && r.endMs! >= fromMs && r.endMs! <= toMs,
    );
    if (killed.length && c.model.livenessProbe) {
      const probe = c.model.livenessProbe;
      kubelet(
        'Unhealthy',
        'Warning',
        probeFailureMessage('Liveness', pod, c, probe),
        killed.flatMap(r =>
          Array.from(
            { length: probe.failureThreshold },
            (_, i) => r.endMs! - i * probe.periodSeconds * 1000 - 30_000,
          ),
        ),
        fieldPath,
      );
      kubelet(
        'Killing',
        'Normal',
        `Container ${c.model.name} failed liveness probe, will be restarted`,
        killed.map(r => r.endMs! - 30_000),
        fieldPath,
      );
    }
  }
  if (
    pod.evictedMs !== undefined &&
    pod.evictedMs >= fromMs &&
    pod.evictedMs <= toMs
  ) {
    kubelet(
      'Evicted',
      'Warning',
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 86432Ki. ',
      [pod.evictedMs],
    );
    for (const c of pod.containers) {
      kubelet(
        'Killing',
        'Normal',
        `Stopping container ${c.model.name}`,
        [pod.evictedMs + 10],
        `spec.containers{${c.model.name}}`,
      );
    }
  }
  return drafts;
}

/** Events the cluster holds at a moment (the last hour). */
export function clusterEvents(cluster: ClusterWorld, ms: number): K8sObject[] {
  const fromMs = ms - EVENT_TTL_MS;
  const drafts: EventDraft[] = [];
  for (const pod of cluster.allPods()) {
    if (
      pod.createdMs > ms ||
      (pod.deletedMs !== undefined && pod.deletedMs < fromMs)
    ) {
      continue;
    }
    drafts.push(...podEvents(pod, fromMs, ms));
  }
  for (const d of cluster.deployments) {
    for (const rs of d.replicaSets.slice(1)) {
      if (rs.createdMs >= fromMs && rs.createdMs <= ms) {
        drafts.push({
          object: {
            kind: 'Deployment',
            name: d.object.metadata.name,
            namespace: d.object.metadata.namespace,
            uid: d.object.metadata.uid,
          },
          type: 'Normal',
          reason: 'ScalingReplicaSet',
          message: `Scaled up replica set ${rs.name} from 0 to ${rs.pods.length}`,
          times: [rs.createdMs],
          component: 'deployment-controller',
        });
      }
    }
  }
  // The StatefulSet and DaemonSet controllers record each pod they create
  // and delete.
  for (const w of [...cluster.statefulSets, ...cluster.daemonSets]) {
    const meta = w.object.metadata;
    const object = {
      kind: w.kind,
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
    };
    const component =
      w.kind === 'StatefulSet'
        ? 'statefulset-controller'
        : 'daemonset-controller';
    const message = (verb: 'create' | 'delete', pod: SimPod) =>
      w.kind === 'StatefulSet'
        ? `${verb} Pod ${pod.name} in StatefulSet ${meta.name} successful`
        : `${verb === 'create' ? 'Created' : 'Deleted'} pod: ${pod.name}`;
    for (const pod of w.revisions.flatMap(r => r.pods)) {
      const created = pod.createdMs - 100;
      if (created >= fromMs && created <= ms) {
        drafts.push({
          object,
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: message('create', pod),
          times: [created],
          component,
        });
      }
      const deleted =
        pod.deletedMs === undefined ? undefined : pod.deletedMs - 1_000;
      if (deleted !== undefined && deleted >= fromMs && deleted <= ms) {
        drafts.push({
          object,
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: message('delete', pod),
          times: [deleted],
          component,
        });
      }
    }
  }
  for (const node of cluster.nodes) {
    const since = node.memoryPressureSinceMs;
    if (since !== undefined && since <= ms && since >= fromMs) {
      const object = {
        kind: 'Node',
        name: node.spec.name,
        namespace: 'default',
        uid: node.spec.name,
      };
      drafts.push({
        object,
        type: 'Normal',
        reason: 'NodeHasInsufficientMemory',
        message: `Node ${node.spec.name} status is now: NodeHasInsufficientMemory`,
        times: [since],
        component: 'kubelet',
        host: node.spec.name,
      });
      drafts.push({
        object,
        type: 'Warning',
        reason: 'EvictionThresholdMet',
        message: 'Attempting to reclaim memory',
        times: [since + 5_000],
        component: 'kubelet',
        host: node.spec.name,
      });
    }
  }
  return drafts
    .map(d => ({
      ...d,
      times: d.times.filter(t => t <= ms).sort((a, b) => a - b),
    }))
    .filter(d => d.times.length > 0)
    .map(d => renderEvent(cluster, d, ms));
}

function renderEvent(
  cluster: ClusterWorld,
  d: EventDraft,
  ms: number,
): K8sObject {
  const first = d.times[0];
  const last = d.times[d.times.length - 1];
  const name = `${d.object.name}.${hashString(
    `${d.object.uid}/${d.reason}/${d.message}`,
  )
    .toString(16)
    .padStart(8, '0')}${hashString(d.reason).toString(16).slice(0, 8)}`;
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace: d.object.namespace,
      uid: uidFor(cluster.name, 'event', name),
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(first),
    },
    involvedObject: {
      kind: d.object.kind,
      namespace: d.object.kind === 'Node' ? undefined : d.object.namespace,
      name: d.object.name,
      uid: d.object.uid,
      apiVersion: ['Deployment', 'StatefulSet', 'DaemonSet'].includes(
        d.object.kind,
      )
        ? 'apps/v1'
        : 'v1',
      ...(d.object.fieldPath ? { fieldPath: d.object.fieldPath } : {}),
    },
    reason: d.reason,
    message: d.message,
    source: { component: d.component, ...(d.host ? { host: d.host } : {}) },
    firstTimestamp: k8sTime(first),
    lastTimestamp: k8sTime(last),
    count: d.times.length,
    type: d.type,
    eventTime: null,
    reportingComponent: d.component,
    reportingInstance: d.host ?? '',
  };
}
