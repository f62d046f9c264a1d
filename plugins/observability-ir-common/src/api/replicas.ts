import { SourceStatus } from './sources';

/**
 * How a container last ended, from `lastState.terminated`.
 *
 * @public
 */
export interface ContainerTermination {
  /** `OOMKilled`, `Error`, `Completed`, … */
  reason: string;
  /** 137 for a kill by signal 9, as the kernel's OOM killer does. */
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * What a container is doing now, from `state`.
 *
 * @public
 */
export interface ContainerCurrentState {
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** For waiting and terminated: `CrashLoopBackOff`, `OOMKilled`, … */
  reason?: string;
  /** When it entered the state. */
  since?: string;
}

/**
 * Requests or limits of a container, in bytes and cores.
 *
 * @public
 */
export interface ResourceAmounts {
  memoryBytes?: number;
  cpuCores?: number;
}

/**
 * One container of one pod of the entity.
 *
 * @public
 */
export interface Replica {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node?: string;
  /** The pod's phase: `Running`, `Pending`, `Failed`, … */
  phase: string;
  /** Why the pod is in that phase, e.g. `Evicted`, with the kubelet's message. */
  podReason?: string;
  podMessage?: string;
  ready: boolean;
  restartCount: number;
  lastTermination?: ContainerTermination;
  current: ContainerCurrentState;
  requests: ResourceAmounts;
  limits: ResourceAmounts;
  /** The current working set, from Prometheus, when it answered. */
  memoryWorkingSetBytes?: number;
  /** The working set as a share of the memory limit (0–1 and above). */
  memoryLimitShare?: number;
}

/**
 * A Kubernetes event about one of the entity's pods (`BackOff`,
 * `Unhealthy` probe failures, `Evicted`, `OOMKilling`, …).
 *
 * @public
 */
export interface PodEvent {
  cluster: string;
  namespace: string;
  pod: string;
  type: 'Normal' | 'Warning' | string;
  reason: string;
  message: string;
  count: number;
  /** RFC 3339. */
  lastSeen?: string;
}

/**
 * A node that runs one of the entity's pods, with the conditions that
 * matter for an incident.
 *
 * @public
 */
export interface NodeSummary {
  cluster: string;
  name: string;
  /** `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, … */
  conditions: Array<{
    type: string;
    status: 'True' | 'False' | 'Unknown';
    reason?: string;
    message?: string;
  }>;
}

/**
 * `GET /v1/replicas`.
 *
 * @public
 */
export interface ReplicasResponse {
  entityRef: string;
  replicas: Replica[];
  /** Events about those pods, newest first. */
  events: PodEvent[];
  /** The nodes those pods run on. */
  nodes: NodeSummary[];
  /**
   * kubectl commands that reproduce the table, one per namespace and
   * cluster (JSONPath output of restarts and last termination reasons).
   */
  kubectlCommands: string[];
  sources: SourceStatus[];
}
