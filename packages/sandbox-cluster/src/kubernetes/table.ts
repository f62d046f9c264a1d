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

const CONTAINERS = col(
  'Containers',
  'Names of each container in the template.',
  1,
);
const IMAGES = col(
  'Images',
  'Images referenced by each container in the template.',
  1,
);
const templateContainers = (o: K8sObject) =>
  o.spec.template.spec.containers as Array<{ name: string; image: string }>;
const selectorCell = (selector: any) =>
  Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

PRINTERS.statefulsets = {
  columns: [
    NAME,
    col('Ready', 'Number of the pod with ready state'),
    AGE,
    CONTAINERS,
    IMAGES,
  ],
  cells: (s, ms) => [
    s.metadata.name,
    `${s.status.readyReplicas ?? 0}/${s.spec.replicas ?? 0}`,
    age(s, ms),
    templateContainers(s)
      .map(c => c.name)
      .join(','),
    templateContainers(s)
      .map(c => c.image)
      .join(','),
  ],
};

PRINTERS.daemonsets = {
  columns: [
    NAME,
    col(
      'Desired',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
      0,
      'integer',
    ),
    col(
      'Current',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
      0,
      'integer',
    ),
    col(
      'Ready',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
      0,
      'integer',
    ),
    col(
      'Up-to-date',
      'The total number of nodes that are running updated daemon pod',
      0,
      'integer',
    ),
    col(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      0,
      'integer',
    ),
    col(
      'Node Selector',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    col(
      'Selector',
      'A label query over pods that are managed by the daemon set.',
      1,
    ),
  ],
  cells: (d, ms) => [
    d.metadata.name,
    d.status.desiredNumberScheduled,
    d.status.currentNumberScheduled,
    d.status.numberReady,
    d.status.updatedNumberScheduled ?? 0,
    d.status.numberAvailable ?? 0,
    Object.entries(d.spec.template.spec.nodeSelector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '<none>',
    age(d, ms),
    templateContainers(d)
      .map(c => c.name)
      .join(','),
    templateContainers(d)
      .map(c => c.image)
      .join(','),
    selectorCell(d.spec.selector),
  ],
};

/** The TARGETS column of `kubectl get hpa` (at most two metrics shown). */
function hpaTargets(h: K8sObject): string {
  const specs: any[] = h.spec.metrics ?? [];
  if (!specs.length) {
    return '<none>';
  }
  const statuses: any[] = h.status.currentMetrics ?? [];
  const list = specs.map((spec, i) => {
    const current = statuses[i]?.resource?.current?.averageUtilization;
    const target = spec.resource?.target?.averageUtilization;
    return `${spec.resource?.name}: ${
      current === undefined ? '<unknown>' : `${current}%`
    }/${target === undefined ? '<auto>' : `${target}%`}`;
  });
  return list.length > 2
    ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`
    : list.join(', ');
}

PRINTERS.horizontalpodautoscalers = {
  columns: [
    NAME,
    col(
      'Reference',
      'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
    ),
    col(
      'Targets',
      'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).',
    ),
    col(
      'MinPods',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    ),
    col(
      'MaxPods',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
      0,
      'integer',
    ),
    col(
      'Replicas',
      'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.',
      0,
      'integer',
    ),
    AGE,
  ],
  cells: (h, ms) => [
    h.metadata.name,
    `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`,
    hpaTargets(h),
    h.spec.minReplicas === undefined ? '<unset>' : String(h.spec.minReplicas),
    h.spec.maxReplicas,
    h.status.currentReplicas ?? 0,
    age(h, ms),
  ],
};

PRINTERS.cronjobs = {
  columns: [
    NAME,
    col('Schedule', 'The schedule in Cron format.'),
    col('Timezone', 'The time zone name for the given schedule.'),
    col(
      'Suspend',
      'This flag tells the controller to suspend subsequent executions.',
      0,
      'boolean',
    ),
    col(
      'Active',
      'A list of pointers to currently running jobs.',
      0,
      'integer',
    ),
    col(
      'Last Schedule',
      'Information when was the last time the job was successfully scheduled.',
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    col(
      'Selector',
      'A label query over pods that should match the pod count.',
      1,
    ),
  ],
  cells: (c, ms) => {
    const containers = c.spec.jobTemplate.spec.template.spec
      .containers as Array<{
      name: string;
      image: string;
    }>;
    return [
      c.metadata.name,
      c.spec.schedule,
      c.spec.timeZone ?? '<none>',
      // eslint-disable-next-line no-nested-ternary
      c.spec.suspend === undefined
        ? '<unset>'
        : c.spec.suspend
        ? 'True'
        : 'False',
      (c.status.active ?? []).length,
      c.status.lastScheduleTime
        ? humanDuration(ms - Date.parse(c.status.lastScheduleTime))
        : '<none>',
      age(c, ms),
      containers.map(x => x.name).join(','),
      containers.map(x => x.image).join(','),
      selectorCell(c.spec.jobTemplate.spec.selector),
    ];
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
