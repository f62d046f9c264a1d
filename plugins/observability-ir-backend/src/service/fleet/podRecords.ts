import type {
  V1ContainerStateTerminated,
  V1Pod,
} from '@kubernetes/client-node';
import {
  FleetOwner,
  parseMemoryQuantity,
} from '@observability-ir/plugin-observability-ir-common';

/** A termination that was not a clean exit. */
export interface Kill {
  reason: string;
  exitCode: number;
  finishedAtMs: number;
}

/** What the sweep keeps of one container of a listed pod. */
export interface ContainerRecord {
  namespace: string;
  pod: string;
  container: string;
  restartCount: number;
  memoryLimitBytes?: number;
  /** When the pod started: restarts since then are all of its restarts. */
  podStartMs?: number;
  /** Its most recent abnormal termination the pod status shows. */
  kill?: Kill;
  owner?: FleetOwner;
}

/** `namespace/pod/container`: how the sweep joins the sources. */
export function containerKey(c: {
  namespace: string;
  pod: string;
  container: string;
}): string {
  return `${c.namespace}/${c.pod}/${c.container}`;
}

function timeOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** A termination that was not a clean exit, or `undefined`. */
export function abnormal(
  terminated: V1ContainerStateTerminated | undefined,
): Kill | undefined {
  if (!terminated) return undefined;
  const reason = terminated.reason || 'Error';
  const exitCode = terminated.exitCode;
  if (reason !== 'OOMKilled' && exitCode === 0) return undefined;
  const finishedAtMs = timeOf(terminated.finishedAt);
  if (finishedAtMs === undefined) return undefined;
  return { reason, exitCode, finishedAtMs };
}

function memoryLimitOf(pod: V1Pod, container: string): number | undefined {
  const limit = pod.spec?.containers?.find(c => c.name === container)?.resources
    ?.limits?.memory;
  if (limit === undefined) return undefined;
  try {
    return parseMemoryQuantity(limit);
  } catch {
    return undefined;
  }
}

/**
 * The containers of a pod, each with its restart count, memory limit and
 * most recent abnormal termination (its current state if it is terminated,
 * else its last state).
 */
export function containerRecords(pod: V1Pod): ContainerRecord[] {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const podStartMs = timeOf(pod.status?.startTime);
  return (pod.status?.containerStatuses ?? []).map(status => {
    const kills = [
      abnormal(status.state?.terminated),
      abnormal(status.lastState?.terminated),
    ].filter((k): k is Kill => k !== undefined);
    const kill = kills.sort((a, b) => b.finishedAtMs - a.finishedAtMs)[0];
    const memoryLimitBytes = memoryLimitOf(pod, status.name);
    return {
      namespace,
      pod: name,
      container: status.name,
      restartCount: status.restartCount ?? 0,
      ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
      ...(podStartMs !== undefined ? { podStartMs } : {}),
      ...(kill ? { kill } : {}),
    };
  });
}
