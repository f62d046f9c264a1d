import {
  EntityWorkload,
  NodeSummary,
  PodEvent,
  Replica,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import type { CoreV1Event, V1Node } from '@kubernetes/client-node';
import {
  PrometheusResult,
  PrometheusVectorSample,
} from '../../clients/PrometheusClient';
import { kubectlReplicaCommand, memoryWorkingSet } from '../../queries';
import { eventsOfPods, nodeSummary, podsToReplicas } from './podsToReplicas';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';
import {
  asSpeculated,
  podSelector,
  reconcile,
  SpeculatedWorkload,
  SpeculationCounters,
} from '../fanout/speculation';

/** The events Kubernetes keeps about pods (not their owners). */
const POD_EVENTS = 'involvedObject.kind=Pod';

/** The replica table's data, without the entity ref. */
export interface CollectedReplicas {
  replicas: Replica[];
  events: PodEvent[];
  nodes: NodeSummary[];
  kubectlCommands: string[];
  sources: SourceStatus[];
}

/** Settles a call now, to be read later; its error is kept, not thrown. */
function early<T>(call: () => Promise<T>) {
  return call().then(
    value => ({ ok: true as const, value }),
    error => ({ ok: false as const, error: error as Error }),
  );
}

type Early<T> = ReturnType<typeof early<T>>;

/**
 * What Kubernetes can be asked about a workload while its pods are listed:
 * the events of its annotated namespace, and the nodes its pods ran on when
 * last listed. Both answers are narrowed to the listed pods; a namespace or
 * node they miss is asked after the list.
 */
export interface ReplicaSpeculation {
  /** The entity's annotated namespace, if any. */
  namespace?: string;
  /** Names of the nodes the workload's pods ran on last time. */
  nodes?: string[];
}

/** Reads a node of a cluster; the caller may share reads between requests. */
export type ReadNode = (
  connection: LocatedWorkload['connection'],
  name: string,
) => Promise<V1Node>;

const readNodeOnce: ReadNode = (connection, name) =>
  connection.kubernetes.readNode(name);

async function eventsAndNodes(
  located: LocatedWorkload,
  earlyEvents: Map<string, Early<CoreV1Event[]>>,
  earlyNodes: Map<string, Early<V1Node>>,
  readNode: ReadNode,
) {
  const { connection, pods } = located;
  const namespaces = [...new Set(pods.map(p => p.metadata?.namespace ?? ''))];
  const nodeNames = [
    ...new Set(pods.map(p => p.spec?.nodeName).filter((n): n is string => !!n)),
  ];
  const warnings: string[] = [];
  const answer = async <T>(
    asked: Early<T> | undefined,
    ask: () => Promise<T>,
  ): Promise<T> => {
    const settled = await asked;
    if (!settled) return ask();
    if (settled.ok) return settled.value;
    throw settled.error;
  };
  const [events, nodes] = await Promise.all([
    Promise.all(
      namespaces.map(namespace =>
        answer(earlyEvents.get(namespace), () =>
          connection.kubernetes.listEvents(namespace, POD_EVENTS),
        )
          .then(list => eventsOfPods(connection.name, list, pods))
          .catch(error => {
            warnings.push(`events of ${namespace}: ${error.message}`);
            return [];
          }),
      ),
    ),
    Promise.all(
      nodeNames.map(name =>
        answer(earlyNodes.get(name), () => readNode(connection, name))
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
 * nodes, and each container's current working set from Prometheus. With a
 * speculation, the events, the nodes and the working sets are asked for
 * together with the pod list and narrowed to the listed pods.
 */
export async function collectReplicas(
  workloads: Array<LocatedWorkload | SpeculatedWorkload>,
  workload: EntityWorkload,
  nowSeconds: number,
  options: {
    /** What to ask each cluster (by name) while its pods are listed. */
    speculation?: (cluster: string) => ReplicaSpeculation;
    /** Told each cluster's listed pods (e.g. to remember their nodes). */
    onLocated?: (located: LocatedWorkload) => void;
    /** How a node is read (e.g. shared with other entities' requests). */
    readNode?: ReadNode;
    maxSeries?: number;
    counters?: SpeculationCounters;
  } = {},
): Promise<CollectedReplicas> {
  const collected: CollectedReplicas = {
    replicas: [],
    events: [],
    nodes: [],
    kubectlCommands: [],
    sources: [],
  };
  await Promise.all(
    workloads.map(asSpeculated).map(async speculated => {
      const { connection } = speculated;
      const { kubernetes } = connection;
      const speculation = options.speculation?.(connection.name) ?? {};
      const readNode = options.readNode ?? readNodeOnce;
      const earlyEvents = new Map(
        speculation.namespace
          ? [
              [
                speculation.namespace,
                early(() =>
                  kubernetes.listEvents(speculation.namespace!, POD_EVENTS),
                ),
              ],
            ]
          : [],
      );
      const earlyNodes = new Map(
        (speculation.nodes ?? []).map(name => [
          name,
          early(() => readNode(connection, name)),
        ]),
      );
      const workingSets = askSource(connection, 'prometheus', async () => {
        const { answers } = await reconcile<
          PrometheusResult<PrometheusVectorSample[]>
        >({
          workload: {
            ...speculated,
            // No replica to show where the pods could not be listed.
            located: speculated.located.then(located =>
              located.kubernetes.status === 'ok'
                ? located
                : { ...located, scopes: [] },
            ),
          },
          counters: options.counters,
          ask: scope =>
            connection.prometheus!.query(memoryWorkingSet(scope), nowSeconds),
          narrow: (answer, exact, { askedNamespace }) => {
            if (
              options.maxSeries !== undefined &&
              answer.data.length >= options.maxSeries
            ) {
              return undefined;
            }
            const selects = podSelector(exact, askedNamespace);
            const data = answer.data.filter(s => selects(s.metric));
            return { answer: { ...answer, data }, kept: data.length };
          },
          size: answer => answer.data.length,
        });
        return {
          value: answers.flatMap(a => a.answer.data),
          warnings: answers.flatMap(a => a.answer.warnings),
        };
      });
      // Nothing asked early is left unread, whatever the list says.
      const settleEarly = () =>
        Promise.all([...earlyEvents.values(), ...earlyNodes.values()]);

      const entry = await speculated.located;
      options.onLocated?.(entry);
      collected.kubectlCommands.push(
        kubectlReplicaCommand({
          cluster: connection.name,
          namespace: workload.namespace,
          labelSelector: workload.labelSelector,
        }),
      );
      if (entry.kubernetes.status !== 'ok') {
        collected.sources.push(entry.kubernetes);
        await Promise.all([workingSets, settleEarly()]);
        return;
      }
      const replicas = podsToReplicas(connection.name, entry.pods);
      const [details, working] = await Promise.all([
        eventsAndNodes(entry, earlyEvents, earlyNodes, readNode),
        workingSets,
        settleEarly(),
      ]);

      for (const replica of replicas) {
        const sample = working.value?.find(
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
        working.status,
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
