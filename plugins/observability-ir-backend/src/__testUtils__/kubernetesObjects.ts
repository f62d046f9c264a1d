/**
 * Kubernetes objects as the API server returns them, for the unit tests of
 * pod location and the replica table.
 */
import type {
  CoreV1Event,
  V1Container,
  V1ContainerStatus,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';

const TEMPLATE_HASH = '5d8f7c9b4';

/**
 * A pod of a Deployment, named and owned as a ReplicaSet names its pods,
 * with one container `checkout-api` unless told otherwise.
 */
export function deploymentPod(
  namespace: string,
  deployment: string,
  id: string,
  options: {
    node?: string;
    containers?: V1Container[];
    statuses?: V1ContainerStatus[];
    phase?: string;
  } = {},
): V1Pod {
  return {
    metadata: {
      namespace,
      name: `${deployment}-${TEMPLATE_HASH}-${id}`,
      labels: {
        'backstage.io/kubernetes-id': deployment,
        'pod-template-hash': TEMPLATE_HASH,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${deployment}-${TEMPLATE_HASH}`,
          uid: `uid-${deployment}`,
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: options.node ?? 'worker-1',
      containers: options.containers ?? [{ name: 'checkout-api' }],
    },
    status: {
      phase: options.phase ?? 'Running',
      containerStatuses: options.statuses ?? [],
    },
  };
}

/** A pod that no controller owns, e.g. of a StatefulSet-less test setup. */
export function barePod(
  namespace: string,
  name: string,
  options: { node?: string; containers?: V1Container[] } = {},
): V1Pod {
  return {
    metadata: { namespace, name },
    spec: {
      nodeName: options.node ?? 'worker-1',
      containers: options.containers ?? [{ name: 'checkout-api' }],
    },
    status: { phase: 'Running', containerStatuses: [] },
  };
}

/** An event about a pod, last seen at `lastSeen`. */
export function podEvent(
  namespace: string,
  pod: string,
  reason: string,
  lastSeen: string,
  overrides: Partial<CoreV1Event> = {},
): CoreV1Event {
  return {
    metadata: { namespace, name: `${pod}.${reason}` },
    involvedObject: { kind: 'Pod', namespace, name: pod },
    type: 'Warning',
    reason,
    message: `${reason} of ${pod}`,
    count: 1,
    lastTimestamp: new Date(lastSeen),
    ...overrides,
  };
}

/** A node with its Ready and MemoryPressure conditions. */
export function kubernetesNode(name: string, memoryPressure = false): V1Node {
  return {
    metadata: { name },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady' },
        {
          type: 'MemoryPressure',
          status: memoryPressure ? 'True' : 'False',
          reason: memoryPressure
            ? 'KubeletHasInsufficientMemory'
            : 'KubeletHasSufficientMemory',
        },
      ],
    },
  };
}
