import {
  ClusterWorld,
  SimDeployment,
  SimNode,
  SimPod,
  SimReplicaSet,
} from '../world/cluster';
import { parseQuantity } from '../util/quantity';
import { uidFor } from '../util/random';
import { podPhase, podStatus } from './podStatus';
import { k8sTime } from './time';

/** A Kubernetes object as JSON. */
export type K8sObject = Record<string, any>;

/** Renders a pod as the API server returns it at a moment. */
export function renderPod(
  cluster: ClusterWorld,
  pod: SimPod,
  ms: number,
): K8sObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: pod.name,
      ...(pod.owner &&
      ['ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(pod.owner.kind)
        ? { generateName: `${pod.owner.name}-` }
        : {}),
      namespace: pod.namespace,
      uid: pod.uid,
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(pod.createdMs),
      labels: { ...pod.labels },
      ...(Object.keys(pod.annotations).length
        ? { annotations: { ...pod.annotations } }
        : {}),
      ...(pod.owner
        ? {
            ownerReferences: [
              { ...pod.owner, controller: true, blockOwnerDeletion: true },
            ],
          }
        : {}),
      ...(pod.deletedMs !== undefined && pod.deletedMs - ms < 30_000
        ? {
            deletionTimestamp: k8sTime(pod.deletedMs),
            deletionGracePeriodSeconds: 30,
          }
        : {}),
    },
    spec: {
      ...pod.extraSpec,
      containers: pod.containers.map(c => c.spec),
      restartPolicy: pod.restartPolicy,
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: pod.nodeName,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: podStatus(pod, ms),
  };
}

/** Node conditions at a moment. */
export function nodeConditions(node: SimNode, ms: number) {
  const pressure =
    node.memoryPressureSinceMs !== undefined &&
    ms >= node.memoryPressureSinceMs;
  const since = k8sTime(
    pressure ? node.memoryPressureSinceMs! : ms - 40 * 86_400_000,
  );
  const heartbeat = k8sTime(ms - (ms % 60_000));
  return [
    {
      type: 'MemoryPressure',
      status: pressure ? 'True' : 'False',
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: since,
      reason: pressure
        ? 'KubeletHasInsufficientMemory'
        : 'KubeletHasSufficientMemory',
      message: pressure
        ? 'kubelet has insufficient memory available'
        : 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: k8sTime(ms - 40 * 86_400_000),
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: k8sTime(ms - 40 * 86_400_000),
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    {
      type: 'Ready',
      status: 'True',
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: k8sTime(ms - 40 * 86_400_000),
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    },
  ];
}

export function renderNode(
  cluster: ClusterWorld,
  node: SimNode,
  ms: number,
): K8sObject {
  const { spec } = node;
  const controlPlane = spec.name.includes('control-plane');
  const capacity = {
    cpu: String(spec.capacity.cpu),
    memory: `${Math.round(parseQuantity(spec.capacity.memory) / 1024)}Ki`,
    pods: '110',
    'ephemeral-storage': '102350Mi',
  };
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: spec.name,
      uid: uidFor(cluster.name, 'node', spec.name),
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(ms - 40 * 86_400_000 - (ms % 86_400_000)),
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...(controlPlane
          ? { 'node-role.kubernetes.io/control-plane': '' }
          : {}),
      },
    },
    spec: {
      podCIDR: `10.244.${node.index + 1}.0/24`,
      podCIDRs: [`10.244.${node.index + 1}.0/24`],
    },
    status: {
      capacity,
      allocatable: capacity,
      conditions: nodeConditions(node, ms),
      addresses: [
        { type: 'InternalIP', address: spec.internalIP },
        { type: 'Hostname', address: spec.name },
      ],
      nodeInfo: {
        machineID: uidFor(cluster.name, 'machine', spec.name).replace(/-/g, ''),
        systemUUID: uidFor(cluster.name, 'system', spec.name),
        bootID: uidFor(cluster.name, 'boot', spec.name),
        kernelVersion: '6.1.0-28-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: 'v1.32.4',
        kubeProxyVersion: 'v1.32.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export function livePods(rs: SimReplicaSet, ms: number) {
  return rs.pods.filter(
    p =>
      p.createdMs <= ms &&
      (p.deletedMs === undefined || ms < p.deletedMs) &&
      podPhase(p, ms) !== 'Failed',
  );
}

export function readyCount(pods: SimPod[], ms: number) {
  return pods.filter(p => {
    const status = podStatus(p, ms);
    return (status.containerStatuses as Array<{ ready: boolean }>).every(
      s => s.ready,
    );
  }).length;
}

export function renderReplicaSet(
  cluster: ClusterWorld,
  d: SimDeployment,
  rs: SimReplicaSet,
  ms: number,
): K8sObject {
  const meta = d.object.metadata;
  const pods = livePods(rs, ms);
  const current = d.replicaSets[d.replicaSets.length - 1] === rs;
  const desired = current
    ? Number(d.object.spec.replicas ?? pods.length)
    : pods.length;
  const ready = readyCount(pods, ms);
  return {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: {
      name: rs.name,
      namespace: meta.namespace,
      uid: rs.uid,
      resourceVersion: cluster.resourceVersion(ms),
      generation: 1,
      creationTimestamp: k8sTime(rs.createdMs),
      labels: {
        ...(rs.template.metadata?.labels ?? {}),
        'pod-template-hash': rs.hash,
      },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(
          d.object.spec.replicas ?? 1,
        ),
        'deployment.kubernetes.io/max-replicas': String(
          Number(d.object.spec.replicas ?? 1) + 1,
        ),
        'deployment.kubernetes.io/revision': String(rs.revision),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: meta.name,
          uid: meta.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas: desired,
      selector: {
        matchLabels: {
          ...d.object.spec.selector.matchLabels,
          'pod-template-hash': rs.hash,
        },
      },
      template: {
        metadata: {
          labels: {
            ...(rs.template.metadata?.labels ?? {}),
            'pod-template-hash': rs.hash,
          },
        },
        spec: rs.template.spec,
      },
    },
    status: {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    },
  };
}

export function renderDeployment(
  cluster: ClusterWorld,
  d: SimDeployment,
  ms: number,
): K8sObject {
  const all = d.replicaSets.flatMap(rs => livePods(rs, ms));
  const current = d.replicaSets[d.replicaSets.length - 1];
  const updated = livePods(current, ms);
  const ready = readyCount(all, ms);
  const replicas = Number(d.object.spec.replicas ?? 1);
  const available = ready >= replicas;
  const progressing =
    updated.length === replicas && readyCount(updated, ms) === replicas;
  return {
    ...d.object,
    metadata: {
      ...d.object.metadata,
      resourceVersion: cluster.resourceVersion(ms),
    },
    status: {
      observedGeneration: d.object.metadata.generation ?? 1,
      replicas: all.length,
      updatedReplicas: updated.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(all.length - ready > 0
        ? { unavailableReplicas: all.length - ready }
        : {}),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          lastUpdateTime: k8sTime(current.createdMs),
          lastTransitionTime: k8sTime(current.createdMs),
          reason: available
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: k8sTime(current.createdMs),
          lastTransitionTime: k8sTime(current.createdMs),
          reason: progressing ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message: progressing
            ? `ReplicaSet "${current.name}" has successfully progressed.`
            : `ReplicaSet "${current.name}" is progressing.`,
        },
      ],
    },
  };
}

export function renderService(
  cluster: ClusterWorld,
  s: ClusterWorld['services'][number],
  ms: number,
): K8sObject {
  const index = cluster.services.indexOf(s);
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      uid: uidFor(cluster.name, 'svc', s.namespace, s.name),
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(cluster.clock.startMs - 30 * 86_400_000),
      labels: s.labels,
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.96.${10 + index}.${20 + index}`,
      clusterIPs: [`10.96.${10 + index}.${20 + index}`],
      selector: s.selector,
      ports: s.ports.map(p => ({
        name: p.name,
        protocol: 'TCP',
        port: p.port,
        targetPort: p.targetPort,
      })),
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    },
    status: { loadBalancer: {} },
  };
}

function matches(
  labels: Record<string, string>,
  selector: Record<string, string>,
) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Pods behind a Service, split by readiness. */
export function serviceBackends(
  cluster: ClusterWorld,
  s: ClusterWorld['services'][number],
  ms: number,
) {
  const pods = cluster
    .podsAt(ms)
    .filter(
      p =>
        p.namespace === s.namespace &&
        matches(p.labels, s.selector) &&
        podPhase(p, ms) === 'Running',
    );
  const ready: SimPod[] = [];
  const notReady: SimPod[] = [];
  for (const p of pods) {
    const statuses = podStatus(p, ms).containerStatuses as Array<{
      ready: boolean;
    }>;
    (statuses.every(c => c.ready) ? ready : notReady).push(p);
  }
  return { ready, notReady };
}

export function renderEndpoints(
  cluster: ClusterWorld,
  s: ClusterWorld['services'][number],
  ms: number,
): K8sObject {
  const { ready, notReady } = serviceBackends(cluster, s, ms);
  const address = (p: SimPod) => ({
    ip: p.podIP,
    nodeName: p.nodeName,
    targetRef: {
      kind: 'Pod',
      namespace: p.namespace,
      name: p.name,
      uid: p.uid,
    },
  });
  const ports = s.ports.map(port => {
    const container = [...ready, ...notReady][0]?.containers[0]?.spec;
    const target =
      typeof port.targetPort === 'number'
        ? port.targetPort
        : container?.ports?.find((cp: any) => cp.name === port.targetPort)
            ?.containerPort ?? 0;
    return { name: port.name, port: target, protocol: 'TCP' };
  });
  const subsets =
    ready.length || notReady.length
      ? [
          {
            ...(ready.length ? { addresses: ready.map(address) } : {}),
            ...(notReady.length
              ? { notReadyAddresses: notReady.map(address) }
              : {}),
            ports,
          },
        ]
      : [];
  return {
    kind: 'Endpoints',
    apiVersion: 'v1',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      uid: uidFor(cluster.name, 'ep', s.namespace, s.name),
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(cluster.clock.startMs - 30 * 86_400_000),
      labels: s.labels,
    },
    subsets,
  };
}

export function renderNamespace(
  cluster: ClusterWorld,
  ns: ClusterWorld['namespaces'][number],
  ms: number,
): K8sObject {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name: ns.name,
      uid: ns.uid,
      resourceVersion: cluster.resourceVersion(ms),
      creationTimestamp: k8sTime(ns.createdMs),
      labels: { 'kubernetes.io/metadata.name': ns.name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
