import { K8sObject } from './render';
import { humanDuration } from './time';

/** A column of a server-side printed Table. */
export interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
}

/** How a resource prints as a Table (kubectl get). */
export interface TablePrinter {
  columns: Column[];
  cells(obj: K8sObject, ms: number): unknown[];
}

const col = (
  name: string,
  description: string,
  priority = 0,
  type = 'string',
  format?: string,
): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description,
  priority,
});
const NAME = col(
  'Name',
  'Name must be unique within a namespace.',
  0,
  'string',
  'name',
);
const AGE = col(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

function age(obj: K8sObject, ms: number) {
  return humanDuration(ms - Date.parse(obj.metadata.creationTimestamp));
}

/** The STATUS column of `kubectl get pods`, computed as the server does. */
export function podDisplayStatus(pod: K8sObject): string {
  let reason: string = pod.status.reason ?? pod.status.phase;
  for (const s of pod.status.containerStatuses ?? []) {
    if (s.state?.waiting?.reason) {
      reason = s.state.waiting.reason;
    } else if (s.state?.terminated?.reason) {
      reason = s.state.terminated.reason;
    } else if (s.state?.terminated) {
      reason = `ExitCode:${s.state.terminated.exitCode}`;
    } else if (s.state?.running && reason !== 'Evicted') {
      reason = 'Running';
    }
  }
  if (pod.status.phase === 'Succeeded') {
    reason = 'Completed';
  }
  if (pod.status.reason === 'Evicted') {
    reason = 'Evicted';
  }
  if (pod.metadata.deletionTimestamp && reason !== 'Evicted') {
    reason = 'Terminating';
  }
  return reason;
}

function restartsCell(pod: K8sObject, ms: number): string {
  const statuses = pod.status.containerStatuses ?? [];
  const total = statuses.reduce((n: number, s: any) => n + s.restartCount, 0);
  const last = Math.max(
    0,
    ...statuses.map((s: any) =>
      s.lastState?.terminated?.finishedAt
        ? Date.parse(s.lastState.terminated.finishedAt)
        : 0,
    ),
  );
  return total > 0 && last > 0
    ? `${total} (${humanDuration(ms - last)} ago)`
    : String(total);
}

export const PRINTERS: Record<string, TablePrinter> = {
  pods: {
    columns: [
      NAME,
      col(
        'Ready',
        'The aggregate readiness state of this pod for accepting traffic.',
      ),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col('IP', 'The IP address assigned to the pod', 1),
      col('Node', 'The name of the node the pod is assigned to', 1),
      col(
        'Nominated Node',
        'The name of the node where the pod is nominated.',
        1,
      ),
      col('Readiness Gates', 'The readiness gates of the pod.', 1),
    ],
    cells: (pod, ms) => {
      const statuses = pod.status.containerStatuses ?? [];
      const ready = statuses.filter((s: any) => s.ready).length;
      return [
        pod.metadata.name,
        `${ready}/${pod.spec.containers.length}`,
        podDisplayStatus(pod),
        restartsCell(pod, ms),
        age(pod, ms),
        pod.status.podIP ?? '<none>',
        pod.spec.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  nodes: {
    columns: [
      NAME,
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of addresses reachable to the node.', 1),
      col('External-IP', 'List of addresses reachable to the node.', 1),
      col(
        'OS-Image',
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        1,
      ),
      col(
        'Kernel-Version',
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        1,
      ),
      col(
        'Container-Runtime',
        'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        1,
      ),
    ],
    cells: (node, ms) => {
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter(l => l.startsWith('node-role.kubernetes.io/'))
        .map(l => l.split('/')[1]);
      const ready =
        node.status.conditions.find((c: any) => c.type === 'Ready')?.status ===
        'True';
      return [
        node.metadata.name,
        ready ? 'Ready' : 'NotReady',
        roles.length ? roles.join(',') : '<none>',
        age(node, ms),
        node.status.nodeInfo.kubeletVersion,
        node.status.addresses.find((a: any) => a.type === 'InternalIP')
          ?.address ?? '<none>',
        '<none>',
        node.status.nodeInfo.osImage,
        node.status.nodeInfo.kernelVersion,
        node.status.nodeInfo.containerRuntimeVersion,
      ];
    },
  },
  deployments: {
    columns: [
      NAME,
      col('Ready', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
        0,
        'integer',
      ),
      col(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
        0,
        'integer',
      ),
      AGE,
      col('Containers', 'Names of each container in the template.', 1),
      col('Images', 'Images referenced by each container in the template.', 1),
      col(
        'Selector',
        'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
        1,
      ),
    ],
    cells: (d, ms) => [
      d.metadata.name,
      `${d.status.readyReplicas ?? 0}/${d.spec.replicas}`,
      d.status.updatedReplicas ?? 0,
      d.status.availableReplicas ?? 0,
      age(d, ms),
      d.spec.template.spec.containers.map((c: any) => c.name).join(','),
      d.spec.template.spec.containers.map((c: any) => c.image).join(','),
      Object.entries(d.spec.selector.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ],
  },
  replicasets: {
    columns: [
      NAME,
      col(
        'Desired',
        'Replicas is the number of desired replicas.',
        0,
        'integer',
      ),
      col(
        'Current',
        'Replicas is the most recently observed number of replicas.',
        0,
        'integer',
      ),
      col(
        'Ready',
        'The number of ready replicas for this replica set.',
        0,
        'integer',
      ),
      AGE,
    ],
    cells: (rs, ms) => [
      rs.metadata.name,
      rs.spec.replicas,
      rs.status.replicas,
      rs.status.readyReplicas ?? 0,
      age(rs, ms),
    ],
  },
  namespaces: {
    columns: [NAME, col('Status', 'The status of the namespace'), AGE],
    cells: (ns, ms) => [ns.metadata.name, ns.status.phase, age(ns, ms)],
  },
  services: {
    columns: [
      NAME,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The IP address of the service.'),
      col('External-IP', 'The external IP address of the service.'),
      col('Port(s)', 'The ports of the service.'),
      AGE,
      col('Selector', 'The label selector of the service.', 1),
    ],
    cells: (s, ms) => [
      s.metadata.name,
      s.spec.type,
      s.spec.clusterIP,
      '<none>',
      s.spec.ports.map((p: any) => `${p.port}/${p.protocol}`).join(','),
      age(s, ms),
      Object.entries(s.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ],
  },
  events: {
    columns: [
      col('Last Seen', 'Time since the event was last seen.'),
      col('Type', 'Type of this event.'),
      col('Reason', 'Reason why this event was generated.'),
      col('Object', 'The object this event is about.'),
      col(
        'Message',
        'A human-readable description of the status of this operation.',
      ),
    ],
    cells: (e, ms) => [
      humanDuration(ms - Date.parse(e.lastTimestamp)),
      e.type,
      e.reason,
      `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`,
      e.message,
    ],
  },
  jobs: {
    columns: [
      NAME,
      col('Status', 'Status of the job.'),
      col(
        'Completions',
        'The number of successfully completed pods out of the desired completions.',
      ),
      col('Duration', 'Time required to complete the job.'),
      AGE,
    ],
    cells: (j, ms) => {
      const done = j.status.completionTime
        ? Date.parse(j.status.completionTime)
        : ms;
      const started = j.status.startTime ? Date.parse(j.status.startTime) : ms;
      const failed = (j.status.conditions ?? []).some(
        (c: any) => c.type === 'Failed' && c.status === 'True',
      );
      return [
        j.metadata.name,
        jobStatus(failed, Boolean(j.status.succeeded)),
        `${j.status.succeeded ?? 0}/${j.spec.completions ?? 1}`,
        humanDuration(done - started),
        age(j, ms),
      ];
    },
  },
};

function jobStatus(failed: boolean, succeeded: boolean): string {
  if (failed) return 'Failed';
  return succeeded ? 'Complete' : 'Running';
}

const GENERIC: TablePrinter = {
  columns: [NAME, AGE],
  cells: (o, ms) => [o.metadata.name, age(o, ms)],
};

/** Builds a meta.k8s.io/v1 Table from objects. */
export function toTable(
  resource: string,
  objects: K8sObject[],
  ms: number,
  listMeta: Record<string, unknown>,
) {
  const printer = PRINTERS[resource] ?? GENERIC;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printer.columns,
    rows: objects.map(obj => ({
      cells: printer.cells(obj, ms),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: obj.metadata,
      },
    })),
  };
}
