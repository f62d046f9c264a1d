import type {
  CoreV1Event,
  V1ContainerState,
  V1ContainerStatus,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import {
  ContainerCurrentState,
  NodeSummary,
  PodEvent,
  Replica,
  parseQuantity,
} from '@observability-ir/plugin-observability-ir-common';

/** A resource amount, or undefined when absent or not a quantity. */
function amount(quantity: string | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  try {
    return parseQuantity(quantity);
  } catch {
    return undefined;
  }
}

function iso(date: Date | string | undefined): string | undefined {
  if (!date) return undefined;
  return new Date(date).toISOString();
}

function currentState(
  state: V1ContainerState | undefined,
): ContainerCurrentState {
  if (state?.running) {
    return { state: 'running', since: iso(state.running.startedAt) };
  }
  if (state?.waiting) {
    return { state: 'waiting', reason: state.waiting.reason };
  }
  if (state?.terminated) {
    return {
      state: 'terminated',
      reason: state.terminated.reason,
      since: iso(state.terminated.finishedAt),
    };
  }
  return { state: 'unknown' };
}

function lastTermination(status: V1ContainerStatus | undefined) {
  const terminated = status?.lastState?.terminated;
  if (!terminated) return undefined;
  return {
    reason: terminated.reason ?? 'Unknown',
    exitCode: terminated.exitCode,
    startedAt: iso(terminated.startedAt),
    finishedAt: iso(terminated.finishedAt),
  };
}

/**
 * One row per container of each pod: the facts of the lab's JSONPath
 * command (restarts, last termination reason) and the rest of the
 * container's status and resources.
 */
export function podsToReplicas(cluster: string, pods: V1Pod[]): Replica[] {
  return pods.flatMap(pod =>
    (pod.spec?.containers ?? []).map(container => {
      const status = pod.status?.containerStatuses?.find(
        s => s.name === container.name,
      );
      return {
        cluster,
        namespace: pod.metadata?.namespace ?? '',
        pod: pod.metadata?.name ?? '',
        container: container.name,
        node: pod.spec?.nodeName,
        phase: pod.status?.phase ?? 'Unknown',
        podReason: pod.status?.reason,
        podMessage: pod.status?.message,
        ready: status?.ready ?? false,
        restartCount: status?.restartCount ?? 0,
        lastTermination: lastTermination(status),
        current: currentState(status?.state),
        requests: {
          memoryBytes: amount(container.resources?.requests?.memory),
          cpuCores: amount(container.resources?.requests?.cpu),
        },
        limits: {
          memoryBytes: amount(container.resources?.limits?.memory),
          cpuCores: amount(container.resources?.limits?.cpu),
        },
      };
    }),
  );
}

/**
 * Events about the given pods, newest first. A pod is known by namespace and
 * name: another workload's pod may share the name in another namespace.
 */
export function eventsOfPods(
  cluster: string,
  events: CoreV1Event[],
  pods: V1Pod[],
): PodEvent[] {
  const key = (namespace?: string, name?: string) =>
    JSON.stringify([namespace ?? '', name ?? '']);
  const wanted = new Set(
    pods.map(pod => key(pod.metadata?.namespace, pod.metadata?.name)),
  );
  return events
    .filter(
      e =>
        e.involvedObject.kind === 'Pod' &&
        wanted.has(key(e.involvedObject.namespace, e.involvedObject.name)),
    )
    .map(e => ({
      cluster,
      namespace: e.involvedObject.namespace ?? '',
      pod: e.involvedObject.name ?? '',
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? 1,
      lastSeen: iso(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp),
    }))
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
}

/** A node with its conditions. */
export function nodeSummary(cluster: string, node: V1Node): NodeSummary {
  return {
    cluster,
    name: node.metadata?.name ?? '',
    conditions: (node.status?.conditions ?? []).map(c => ({
      type: c.type,
      status: c.status as 'True' | 'False' | 'Unknown',
      reason: c.reason,
      message: c.message,
    })),
  };
}
