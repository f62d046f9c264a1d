import type { V1Pod } from '@kubernetes/client-node';
import { SourceStatus } from '@observability-ir/plugin-observability-ir-common';
import { hasPodNameShape, PodOwner, PodScope } from '../../queries';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { ClusterConnection } from './ClusterConnections';
import { failedSource } from './sourceStatus';

/** An entity's pods in one cluster, and the scopes to query them by. */
export interface LocatedWorkload {
  connection: ClusterConnection;
  /** The pods Kubernetes listed; empty when it did not answer. */
  pods: V1Pod[];
  /**
   * What Prometheus and Loki are asked about: per namespace and owning
   * Deployment or StatefulSet, the pods' names and the shape of the names
   * the workload gives its pods (so pods replaced during the range are
   * included, and a sibling workload's are not).
   */
  scopes: PodScope[];
  kubernetes: SourceStatus;
}

/**
 * The Deployment or StatefulSet that controls the pod. A Deployment's name
 * is its ReplicaSet's without the pod-template-hash, when the ReplicaSet
 * follows the Deployment naming scheme.
 */
function ownerOfPod(pod: V1Pod): PodOwner | undefined {
  const controller = pod.metadata?.ownerReferences?.find(ref => ref.controller);
  if (controller?.kind === 'StatefulSet' && controller.name) {
    return { kind: 'StatefulSet', name: controller.name };
  }
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (
    controller?.kind !== 'ReplicaSet' ||
    !hash ||
    !controller.name.endsWith(`-${hash}`) ||
    controller.name.length <= hash.length + 1
  ) {
    return undefined;
  }
  return {
    kind: 'Deployment',
    name: controller.name.slice(0, -hash.length - 1),
  };
}

/**
 * Groups pods into query scopes, one per namespace and owning workload, and
 * one per namespace for pods without one, in the order first met. Pod names are listed one by one
 * only when they do not have the shape their workload gives its pods.
 */
export function scopesOfPods(
  pods: V1Pod[],
  extraPrometheusMatchers: PodScope['extraPrometheusMatchers'],
): PodScope[] {
  const groups = new Map<
    string,
    { namespace: string; owner?: PodOwner; names: string[] }
  >();
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!namespace || !name) continue;
    const owner = ownerOfPod(pod);
    const key = JSON.stringify([namespace, owner?.kind, owner?.name]);
    const group = groups.get(key) ?? { namespace, owner, names: [] };
    groups.set(key, group);
    if (!owner || !hasPodNameShape(owner, name)) {
      group.names.push(name);
    }
  }
  return [...groups.values()].map(({ namespace, owner, names }) => ({
    namespace,
    pods: owner
      ? { owners: [owner], ...(names.length > 0 ? { names } : {}) }
      : { names },
    extraPrometheusMatchers,
  }));
}

/**
 * Lists the entity's pods in one cluster. When Kubernetes does not answer,
 * Prometheus and Loki are still asked, in the entity's annotated namespace,
 * about the pods a Deployment or a StatefulSet named by its kubernetes id
 * would have, so metrics and logs survive an API server outage.
 */
export async function locatePods(
  connection: ClusterConnection,
  workload: ResolvedWorkload,
  maxScopes: number,
): Promise<LocatedWorkload> {
  const { extraPrometheusMatchers } = workload;
  try {
    const pods = await connection.kubernetes.listPods({
      namespace: workload.namespace,
      labelSelector: workload.labelSelector,
    });
    const scopes = scopesOfPods(pods, extraPrometheusMatchers);
    // Each scope costs a set of Prometheus and Loki queries.
    const warnings =
      scopes.length > maxScopes
        ? [
            `The pods fall into ${scopes.length} namespace and workload groups; metrics and logs are read for the first ${maxScopes} only (observabilityIr.limits.scopes)`,
          ]
        : [];
    return {
      connection,
      pods,
      scopes: scopes.slice(0, maxScopes),
      kubernetes: {
        cluster: connection.name,
        source: 'kubernetes',
        status: 'ok',
        ...(warnings.length ? { warnings } : {}),
      },
    };
  } catch (error) {
    const fallback: PodScope[] =
      workload.namespace && workload.kubernetesId
        ? [
            {
              namespace: workload.namespace,
              pods: {
                owners: [
                  { kind: 'Deployment', name: workload.kubernetesId },
                  { kind: 'StatefulSet', name: workload.kubernetesId },
                ],
              },
              extraPrometheusMatchers,
            },
          ]
        : [];
    return {
      connection,
      pods: [],
      scopes: fallback,
      kubernetes: failedSource(connection, 'kubernetes', error),
    };
  }
}
