import {
  EntityWorkload,
  NodeSummary,
  PodEvent,
  Replica,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { kubectlReplicaCommand, memoryWorkingSet } from '../../queries';
import { eventsOfPods, nodeSummary, podsToReplicas } from './podsToReplicas';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';

/** The replica table's data, without the entity ref. */
export interface CollectedReplicas {
  replicas: Replica[];
  events: PodEvent[];
  nodes: NodeSummary[];
  kubectlCommands: string[];
  sources: SourceStatus[];
}

async function eventsAndNodes(located: LocatedWorkload) {
  const { connection, pods } = located;
  const namespaces = [...new Set(pods.map(p => p.metadata?.namespace ?? ''))];
  const nodeNames = [
    ...new Set(pods.map(p => p.spec?.nodeName).filter((n): n is string => !!n)),
  ];
  const warnings: string[] = [];
  const [events, nodes] = await Promise.all([
    Promise.all(
      namespaces.map(namespace =>
        connection.kubernetes
          .listEvents(namespace, 'involvedObject.kind=Pod')
          .then(list => eventsOfPods(connection.name, list, pods))
          .catch(error => {
            warnings.push(`events of ${namespace}: ${error.message}`);
            return [];
          }),
      ),
    ),
    Promise.all(
      nodeNames.map(name =>
        connection.kubernetes
          .readNode(name)
          .then(node => [nodeSummary(connection.name, node)])
          .catch(error => {
            warnings.push(`node ${name}: ${error.message}`);
            return [];
          }),
      ),
    ),
  ]);
  return { events: events.flat(), nodes: nodes.flat(), warnings };
}

/**
 * The entity's containers as Kubernetes reports them, with their events and
 * nodes, and each container's current working set from Prometheus.
 */
export async function collectReplicas(
  located: LocatedWorkload[],
  workload: EntityWorkload,
  nowSeconds: number,
): Promise<CollectedReplicas> {
  const collected: CollectedReplicas = {
    replicas: [],
    events: [],
    nodes: [],
    kubectlCommands: [],
    sources: [],
  };

  await Promise.all(
    located.map(async entry => {
      const { connection, scopes } = entry;
      collected.kubectlCommands.push(
        kubectlReplicaCommand({
          cluster: connection.name,
          namespace: workload.namespace,
          labelSelector: workload.labelSelector,
        }),
      );
      if (entry.kubernetes.status !== 'ok') {
        collected.sources.push(entry.kubernetes);
        return;
      }
      const replicas = podsToReplicas(connection.name, entry.pods);
      const [details, workingSets] = await Promise.all([
        eventsAndNodes(entry),
        askSource(connection, 'prometheus', async () => {
          const answers = await Promise.all(
            scopes.map(scope =>
              connection.prometheus!.query(memoryWorkingSet(scope), nowSeconds),
            ),
          );
          return {
            value: answers.flatMap(a => a.data),
            warnings: answers.flatMap(a => a.warnings),
          };
        }),
      ]);

      for (const replica of replicas) {
        const sample = workingSets.value?.find(
          s =>
            s.metric.namespace === replica.namespace &&
            s.metric.pod === replica.pod &&
            s.metric.container === replica.container,
        );
        if (sample) {
          replica.memoryWorkingSetBytes = sample.value[1];
          if (replica.limits.memoryBytes) {
            replica.memoryLimitShare =
              sample.value[1] / replica.limits.memoryBytes;
          }
        }
      }
      collected.replicas.push(...replicas);
      collected.events.push(...details.events);
      collected.nodes.push(...details.nodes);
      collected.sources.push(
        details.warnings.length
          ? { ...entry.kubernetes, warnings: details.warnings }
          : entry.kubernetes,
        workingSets.status,
      );
    }),
  );

  collected.replicas.sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) ||
      a.namespace.localeCompare(b.namespace) ||
      a.pod.localeCompare(b.pod) ||
      a.container.localeCompare(b.container),
  );
  collected.events.sort((a, b) =>
    (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''),
  );
  return collected;
}
