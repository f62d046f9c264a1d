import { HorizontalPodAutoscalerSpec } from '../scenario/schema';
import { parseQuantity } from '../util/quantity';
import { uidFor } from '../util/random';
import { ClusterWorld, SimPod, SimWorkload } from '../world/cluster';
import { podPhase } from './podStatus';
import { K8sObject, livePods, readyCount } from './render';
import { k8sTime } from './time';

function workloadMeta(cluster: ClusterWorld, w: SimWorkload, ms: number) {
  return {
    ...w.object.metadata,
    resourceVersion: cluster.resourceVersion(ms),
  };
}

/** A StatefulSet with the status its controller reports. */
export function renderStatefulSet(
  cluster: ClusterWorld,
  w: SimWorkload,
  ms: number,
): K8sObject {
  const current = w.revisions.filter(r => r.createdMs <= ms);
  const update = current[current.length - 1];
  const all = current.flatMap(r => livePods(r, ms));
  const updated = livePods(update, ms);
  const ready = readyCount(all, ms);
  // currentRevision stays the old one until every pod runs the new one.
  const done = updated.length === all.length;
  const currentRevision = done
    ? update
    : current.find(r => livePods(r, ms).length > 0) ?? update;
  return {
    ...w.object,
    metadata: workloadMeta(cluster, w, ms),
    status: {
      observedGeneration: w.object.metadata.generation ?? 1,
      replicas: all.length,
      readyReplicas: ready,
      currentReplicas: livePods(currentRevision, ms).length,
      updatedReplicas: updated.length,
      currentRevision: currentRevision.name,
      updateRevision: update.name,
      collisionCount: 0,
      availableReplicas: ready,
    },
  };
}

/** A DaemonSet with the status its controller reports. */
export function renderDaemonSet(
  cluster: ClusterWorld,
  w: SimWorkload,
  ms: number,
): K8sObject {
  const current = w.revisions.filter(r => r.createdMs <= ms);
  const update = current[current.length - 1];
  const all = current.flatMap(r => livePods(r, ms));
  const ready = readyCount(all, ms);
  const desired = new Set(w.revisions[0].pods.map(p => p.nodeName)).size;
  const updated = livePods(update, ms).length;
  return {
    ...w.object,
    metadata: workloadMeta(cluster, w, ms),
    status: {
      currentNumberScheduled: all.length,
      numberMisscheduled: 0,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: w.object.metadata.generation ?? 1,
      updatedNumberScheduled: updated,
      numberAvailable: ready,
      ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
    },
  };
}

/** Pods an HPA's target runs at a moment (Running ones, as the HPA counts). */
function targetPods(
  cluster: ClusterWorld,
  h: HorizontalPodAutoscalerSpec,
  ms: number,
): SimPod[] {
  const ref = h.scaleTargetRef;
  const revisions =
    ref.kind === 'Deployment'
      ? cluster.findDeployment(h.namespace, ref.name)?.replicaSets ?? []
      : cluster.findWorkload('StatefulSet', h.namespace, ref.name)?.revisions ??
        [];
  return revisions.flatMap(r => livePods(r, ms));
}

function usage(pod: SimPod, resource: 'cpu' | 'memory', ms: number): number {
  let total = 0;
  for (const c of pod.containers) {
    const m = c.timeline.at(ms);
    if (!m?.running) continue;
    total +=
      resource === 'cpu'
        ? c.model.cpuUsageCores()
        : c.model.memoryAt(m.run.index, ms - m.run.startMs);
  }
  return total;
}

function request(pod: SimPod, resource: 'cpu' | 'memory'): number | string {
  let total = 0;
  for (const c of pod.containers) {
    const value = c.spec.resources?.requests?.[resource];
    if (value === undefined) {
      return c.model.name;
    }
    total += parseQuantity(value);
  }
  return total;
}

function scalingLimited<T>(
  h: HorizontalPodAutoscalerSpec,
  desired: number,
  condition: (
    type: string,
    status: string,
    reason: string,
    message: string,
  ) => T,
): T {
  if (desired > h.maxReplicas) {
    return condition(
      'ScalingLimited',
      'True',
      'TooManyReplicas',
      'the desired replica count is more than the maximum replica count',
    );
  }
  if (desired < h.minReplicas) {
    return condition(
      'ScalingLimited',
      'True',
      'TooFewReplicas',
      'the desired replica count is less than the minimum replica count',
    );
  }
  return condition(
    'ScalingLimited',
    'False',
    'DesiredWithinRange',
    'the desired count is within the acceptable range',
  );
}

/**
 * An autoscaling/v2 HorizontalPodAutoscaler. Its status is what the
 * controller would compute from the target's pods: resource utilization as
 * the sum of usage over the sum of requests of the Running pods, and the
 * replica count it recommends (the sandbox does not resize the target).
 */
export function renderHorizontalPodAutoscaler(
  cluster: ClusterWorld,
  h: HorizontalPodAutoscalerSpec,
  ms: number,
): K8sObject {
  const created = cluster.clock.startMs - 7 * 86_400_000;
  const all = targetPods(cluster, h, ms);
  const running = all.filter(p => podPhase(p, ms) === 'Running');
  const currentReplicas = all.length;
  const currentMetrics: K8sObject[] = [];
  let desired = currentReplicas;
  let failure: string | undefined;
  for (const m of h.metrics) {
    let used = 0;
    let requested = 0;
    for (const p of running) {
      const r = request(p, m.resource);
      if (typeof r === 'string') {
        failure = `failed to get ${m.resource} utilization: missing request for ${m.resource} in container ${r} of Pod ${p.name}`;
        break;
      }
      used += usage(p, m.resource, ms);
      requested += r;
    }
    if (failure) break;
    if (!running.length || requested === 0) {
      failure = `failed to get ${m.resource} utilization: did not receive metrics for targeted pods (pods might be unready)`;
      break;
    }
    const utilization = Math.round((used / requested) * 100);
    const average = used / running.length;
    currentMetrics.push({
      type: 'Resource',
      resource: {
        name: m.resource,
        current: {
          averageValue:
            m.resource === 'cpu'
              ? `${Math.round(average * 1000)}m`
              : String(Math.round(average)),
          averageUtilization: utilization,
        },
      },
    });
    const ratio = utilization / m.averageUtilization;
    const proposal =
      Math.abs(ratio - 1) <= 0.1
        ? currentReplicas
        : Math.ceil(ratio * running.length);
    desired =
      currentMetrics.length === 1 ? proposal : Math.max(desired, proposal);
  }
  const clamped = Math.min(h.maxReplicas, Math.max(h.minReplicas, desired));
  const since = k8sTime(cluster.clock.startMs);
  const condition = (
    type: string,
    status: string,
    reason: string,
    message: string,
  ) => ({ type, status, lastTransitionTime: since, reason, message });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: h.name,
      namespace: h.namespace,
      uid: uidFor(cluster.name, 'hpa', h.namespace, h.name),
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(created),
      labels: { ...h.labels },
    },
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: h.scaleTargetRef.kind,
        name: h.scaleTargetRef.name,
      },
      minReplicas: h.minReplicas,
      maxReplicas: h.maxReplicas,
      metrics: h.metrics.map(m => ({
        type: 'Resource',
        resource: {
          name: m.resource,
          target: {
            type: 'Utilization',
            averageUtilization: m.averageUtilization,
          },
        },
      })),
    },
    status: {
      currentReplicas,
      desiredReplicas: failure ? currentReplicas : clamped,
      ...(failure ? {} : { currentMetrics }),
      conditions: failure
        ? [
            condition(
              'AbleToScale',
              'True',
              'SucceededGetScale',
              "the HPA controller was able to get the target's current scale",
            ),
            condition(
              'ScalingActive',
              'False',
              'FailedGetResourceMetric',
              `the HPA was unable to compute the replica count: ${failure}`,
            ),
          ]
        : [
            condition(
              'AbleToScale',
              'True',
              'ReadyForNewScale',
              clamped === currentReplicas
                ? 'recommended size matches current size'
                : 'the last scale time was sufficiently old as to warrant a new scale',
            ),
            condition(
              'ScalingActive',
              'True',
              'ValidMetricFound',
              `the HPA was able to successfully calculate a replica count from ${h.metrics[0].resource} resource utilization (percentage of request)`,
            ),
            scalingLimited(h, desired, condition),
          ],
    },
  };
}
