import type { V1Pod } from '@kubernetes/client-node';
import { SourceStatus } from '@observability-ir/plugin-observability-ir-common';
import { PodScope } from '../../queries';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { ClusterConnection } from './ClusterConnections';
import { failedSource } from './sourceStatus';

/** An entity's pods in one cluster, and the scopes to query them by. */
export interface LocatedWorkload {
  connection: ClusterConnection;
  /** The pods Kubernetes listed; empty when it did not answer. */
  pods: V1Pod[];
  /**
   * What Prometheus and Loki are asked about: per namespace, the pods'
   * Deployment prefix (so pods replaced during the range are included) or
   * their names.
   */
  scopes: PodScope[];
  kubernetes: SourceStatus;
}

/**
 * The prefix every pod of the pod's Deployment shares: its ReplicaSet's name
 * without the pod-template-hash (`checkout-api-`), when the pod follows the
 * Deployment naming scheme.
 */
function deploymentPrefix(pod: V1Pod): string | undefined {
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  const owner = pod.metadata?.ownerReferences?.find(
    ref => ref.controller && ref.kind === 'ReplicaSet',
  );
  if (!hash || !owner?.name.endsWith(`-${hash}`)) {
    return undefined;
  }
  return owner.name.slice(0, -hash.length);
}

/** Groups pods into query scopes, one per namespace and Deployment. */
export function scopesOfPods(
  pods: V1Pod[],
  extraPrometheusMatchers: PodScope['extraPrometheusMatchers'],
): PodScope[] {
  const byNamespace = new Map<
    string,
    { prefixes: Set<string>; names: string[] }
  >();
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!namespace || !name) continue;
    const group = byNamespace.get(namespace) ?? {
      prefixes: new Set<string>(),
      names: [],
    };
    byNamespace.set(namespace, group);
    const prefix = deploymentPrefix(pod);
    if (prefix) {
      group.prefixes.add(prefix);
    } else {
      group.names.push(name);
    }
  }
  return [...byNamespace].flatMap(([namespace, group]) => [
    ...[...group.prefixes].map(prefix => ({
      namespace,
      pods: { prefix },
      extraPrometheusMatchers,
    })),
    ...(group.names.length > 0
      ? [{ namespace, pods: { names: group.names }, extraPrometheusMatchers }]
      : []),
  ]);
}

/**
 * Lists the entity's pods in one cluster. When Kubernetes does not answer,
 * Prometheus and Loki are still asked, by the pod-name prefix of the
 * entity's kubernetes id in its annotated namespace, so metrics and logs
 * survive an API server outage.
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
            `The pods fall into ${scopes.length} namespace and Deployment groups; metrics and logs are read for the first ${maxScopes} only (observabilityIr.limits.scopes)`,
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
              pods: { prefix: `${workload.kubernetesId}-` },
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
