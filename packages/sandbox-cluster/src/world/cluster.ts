import {
  BehaviorSpec,
  ClusterSpec,
  DeploymentSpec,
  NodeSpec,
  Scenario,
  ServiceMonitorSpec,
  ServiceSpec,
} from '../scenario/schema';
import { parseDuration } from '../util/quantity';
import { nameSuffix, uidFor } from '../util/random';
import { ScenarioClock } from './clock';
import { ContainerModel } from './containerModel';
import { fromK8sContainer, K8sContainer, toK8sContainer } from './k8sContainer';
import { LogRecord } from './logs';
import { ContainerTimeline } from './timeline';

/** A container of a simulated pod. */
export interface SimContainer {
  model: ContainerModel;
  timeline: ContainerTimeline;
  spec: K8sContainer;
}

/** A simulated pod; its status is derived from its containers' timelines. */
export interface SimPod {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nodeName: string;
  podIP: string;
  hostIP: string;
  createdMs: number;
  /** When the pod disappears from the API (may lie in the future). */
  deletedMs?: number;
  /** When the kubelet evicted it. */
  evictedMs?: number;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  restartPolicy: 'Always' | 'Never' | 'OnFailure';
  extraSpec: Record<string, unknown>;
  containers: SimContainer[];
  /** Replaces the application log (used by forensics Job pods). */
  logOverride?: (container: string) => LogRecord[];
}

/** A ReplicaSet and the pods it created. */
export interface SimReplicaSet {
  name: string;
  uid: string;
  hash: string;
  revision: number;
  createdMs: number;
  template: Record<string, any>;
  pods: SimPod[];
}

/** A Deployment: the stored object plus the behaviours of its containers. */
export interface SimDeployment {
  object: Record<string, any>;
  behaviors: Map<string, BehaviorSpec>;
  replicaSets: SimReplicaSet[];
}

/** A node and when it came under memory pressure. */
export interface SimNode {
  spec: NodeSpec;
  index: number;
  memoryPressureSinceMs?: number;
}

/** Batch Jobs of a cluster (the node forensics Jobs run here). */
export interface JobStore {
  list(ms: number): Array<Record<string, any>>;
  create(namespace: string, body: Record<string, any>): Record<string, any>;
  remove(
    namespace: string,
    name: string,
    propagation: string,
  ): Record<string, any>;
  /** Stops whatever the Jobs still run on this machine. */
  close?(): void;
}

/** The simulated state of one cluster. */
export class ClusterWorld {
  readonly name: string;
  readonly nodes: SimNode[];
  readonly namespaces: Array<{ name: string; uid: string; createdMs: number }>;
  readonly deployments: SimDeployment[] = [];
  readonly services: ServiceSpec[];
  /** Custom resources stored as given (ServiceMonitors). */
  readonly serviceMonitors: Array<Record<string, any>>;
  /** Pods not owned by a Deployment (forensics Job pods). */
  readonly standalonePods: SimPod[] = [];
  /** Attached by the world once the cluster exists. */
  jobs!: JobStore;
  private podIpCounter = new Map<string, number>();
  private revision = 1;

  constructor(
    spec: ClusterSpec,
    readonly scenario: Scenario,
    readonly clock: ScenarioClock,
  ) {
    this.name = spec.name;
    const start = clock.startMs;
    const historyStart = start - scenario.historyHours * 3_600_000;
    this.nodes = spec.nodes.map((n, index) => ({
      spec: n,
      index,
      memoryPressureSinceMs:
        n.memoryPressureSince !== undefined
          ? start + relative(n.memoryPressureSince)
          : undefined,
    }));
    this.namespaces = [
      ...new Set(['default', 'kube-system', ...spec.namespaces]),
    ].map(name => ({
      name,
      uid: uidFor(this.name, 'ns', name),
      createdMs: historyStart - 30 * 86_400_000,
    }));
    this.services = spec.services;
    this.serviceMonitors = spec.serviceMonitors.map(sm =>
      serviceMonitorObject(sm, this.name, historyStart),
    );
    for (const d of spec.deployments) {
      this.deployments.push(this.buildDeployment(d, historyStart));
    }
  }

  /** A monotonically growing version for list metadata. */
  resourceVersion(ms = this.clock.now()): string {
    return String(Math.floor(ms / 1000) * 10 + (this.revision % 10));
  }

  /** Changes whenever stored objects change (pods added, rollouts, Jobs). */
  get structureVersion(): number {
    return this.revision;
  }

  /** Records that a stored object changed. */
  touch() {
    this.revision++;
  }

  node(name: string): SimNode | undefined {
    return this.nodes.find(n => n.spec.name === name);
  }

  private nextPodIp(node: SimNode): string {
    const n = (this.podIpCounter.get(node.spec.name) ?? 10) + 1;
    this.podIpCounter.set(node.spec.name, n);
    return `10.244.${node.index + 1}.${n}`;
  }

  private buildDeployment(
    d: DeploymentSpec,
    historyStart: number,
  ): SimDeployment {
    const behaviors = new Map(d.containers.map(c => [c.name, c.behavior]));
    const containers = d.containers.map(toK8sContainer);
    const hash = d.replicaSet.startsWith(`${d.name}-`)
      ? d.replicaSet.slice(d.name.length + 1)
      : nameSuffix(10, d.replicaSet);
    const template = {
      metadata: { labels: { ...d.labels } },
      spec: {
        containers,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
      },
    };
    const deployUid = uidFor(this.name, 'deploy', d.namespace, d.name);
    const object: Record<string, any> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: d.name,
        namespace: d.namespace,
        uid: deployUid,
        generation: 1,
        labels: { ...d.labels },
        annotations: {
          'deployment.kubernetes.io/revision': '1',
          'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: {
                annotations: {},
                labels: d.labels,
                name: d.name,
                namespace: d.namespace,
              },
              spec: {
                replicas: d.pods.length,
                selector: { matchLabels: selectorLabels(d.labels) },
                template: {
                  metadata: { labels: d.labels },
                  spec: {
                    containers: d.containers.map(c =>
                      pruneContainer(toK8sContainer(c)),
                    ),
                  },
                },
              },
            },
          )}\n`,
        },
        creationTimestamp: new Date(
          historyStart - 7 * 86_400_000,
        ).toISOString(),
      },
      spec: {
        replicas: d.pods.length,
        selector: { matchLabels: selectorLabels(d.labels) },
        template: JSON.parse(JSON.stringify(template)),
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    };
    const deployment: SimDeployment = { object, behaviors, replicaSets: [] };
    const rs: SimReplicaSet = {
      name: d.replicaSet,
      uid: uidFor(this.name, 'rs', d.namespace, d.replicaSet),
      hash,
      revision: 1,
      createdMs: historyStart - 7 * 86_400_000,
      template,
      pods: [],
    };
    for (const p of d.pods) {
      const node = this.node(p.node)!;
      const createdAtMs =
        p.createdAt !== undefined
          ? this.clock.startMs + relative(p.createdAt)
          : undefined;
      const pod = this.buildPod({
        deployment,
        rs,
        name: p.name,
        node,
        restartsAtStart: p.restarts,
        createdAtMs,
      });
      if (p.evictedAt !== undefined) {
        pod.evictedMs = this.clock.startMs + relative(p.evictedAt);
      }
      rs.pods.push(pod);
    }
    deployment.replicaSets.push(rs);
    return deployment;
  }

  private buildPod(args: {
    deployment: SimDeployment;
    rs: SimReplicaSet;
    name: string;
    node: SimNode;
    restartsAtStart: number;
    createdAtMs?: number;
  }): SimPod {
    const { deployment, rs, name, node } = args;
    const namespace = deployment.object.metadata.namespace;
    const containers: SimContainer[] = rs.template.spec.containers.map(
      (c: K8sContainer) => {
        const behavior = deployment.behaviors.get(c.name) ?? {
          type: 'steady',
          cpuCores: 0.05,
          startupSeconds: 10,
          logs: { intervalSeconds: 60 },
          memory: '128Mi',
          networkUnreachable: false,
        };
        const model = new ContainerModel(
          fromK8sContainer(c, behavior),
          behavior,
          `${this.scenario.seed}/${this.name}/${namespace}/${name}/${c.name}`,
        );
        const timeline = new ContainerTimeline(model, {
          restartsAtStart: args.restartsAtStart,
          scenarioStartMs: this.clock.startMs,
          createdAtMs: args.createdAtMs,
        });
        return { model, timeline, spec: c };
      },
    );
    const firstStart = Math.min(
      ...containers.map(c => c.timeline.firstStartMs),
    );
    return {
      namespace,
      name,
      uid: uidFor(this.name, 'pod', namespace, name),
      labels: {
        ...(rs.template.metadata?.labels ?? {}),
        'pod-template-hash': rs.hash,
      },
      annotations: {},
      nodeName: node.spec.name,
      podIP: this.nextPodIp(node),
      hostIP: node.spec.internalIP,
      createdMs: args.createdAtMs ?? firstStart - 2_000,
      owner: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: rs.name,
        uid: rs.uid,
      },
      restartPolicy: 'Always',
      extraSpec: {},
      containers,
    };
  }

  /** All pods that exist at a moment. */
  podsAt(ms: number): SimPod[] {
    const pods: SimPod[] = [];
    for (const d of this.deployments) {
      for (const rs of d.replicaSets) {
        for (const p of rs.pods) {
          if (
            p.createdMs <= ms &&
            (p.deletedMs === undefined || ms < p.deletedMs)
          ) {
            pods.push(p);
          }
        }
      }
    }
    for (const p of this.standalonePods) {
      if (
        p.createdMs <= ms &&
        (p.deletedMs === undefined || ms < p.deletedMs)
      ) {
        pods.push(p);
      }
    }
    return pods;
  }

  /** Every pod that ever existed, for metrics and logs history. */
  allPods(): SimPod[] {
    return [
      ...this.deployments.flatMap(d => d.replicaSets.flatMap(rs => rs.pods)),
      ...this.standalonePods,
    ];
  }

  findDeployment(namespace: string, name: string): SimDeployment | undefined {
    return this.deployments.find(
      d =>
        d.object.metadata.namespace === namespace &&
        d.object.metadata.name === name,
    );
  }

  /**
   * Stores a changed Deployment. A changed pod template rolls out a new
   * ReplicaSet: new pods start now, and each old pod goes away once its
   * replacement is Ready (a stuck rollout keeps the old pods).
   */
  updateDeployment(deployment: SimDeployment, next: Record<string, any>) {
    const ms = this.clock.now();
    const before = JSON.stringify(deployment.object.spec.template);
    const after = JSON.stringify(next.spec.template);
    deployment.object = next;
    this.touch();
    if (before === after) {
      return;
    }
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    const revision =
      Math.max(...deployment.replicaSets.map(r => r.revision)) + 1;
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      'deployment.kubernetes.io/revision': String(revision),
    };
    const hash = nameSuffix(10, after);
    const rsName = `${next.metadata.name}-${hash}`;
    const template = JSON.parse(after);
    const rs: SimReplicaSet = {
      name: rsName,
      uid: uidFor(this.name, 'rs', next.metadata.namespace, rsName),
      hash,
      revision,
      createdMs: ms,
      template,
      pods: [],
    };
    const oldPods = deployment.replicaSets
      .flatMap(r => r.pods)
      .filter(p => p.deletedMs === undefined && p.evictedMs === undefined);
    const replicas = Number(next.spec.replicas ?? oldPods.length);
    for (let i = 0; i < replicas; i++) {
      const old = oldPods[i];
      const node =
        (old && this.node(old.nodeName)) ?? this.nodes[i % this.nodes.length];
      const pod = this.buildPod({
        deployment,
        rs,
        name: `${rsName}-${nameSuffix(5, rsName, i, ms)}`,
        node,
        restartsAtStart: 0,
        createdAtMs: ms,
      });
      rs.pods.push(pod);
      if (old) {
        const ready = Math.max(
          ...pod.containers.map(c => c.timeline.firstReadyMs() ?? Infinity),
        );
        if (Number.isFinite(ready)) {
          old.deletedMs = ready + 1_000;
        }
      }
    }
    for (const old of oldPods.slice(replicas)) {
      old.deletedMs = ms + 1_000;
    }
    deployment.replicaSets.push(rs);
  }
}

function relative(text: string): number {
  const negative = text.startsWith('-');
  const ms = parseDuration(negative ? text.slice(1) : text);
  return negative ? -ms : ms;
}

function selectorLabels(
  labels: Record<string, string>,
): Record<string, string> {
  return labels.app ? { app: labels.app } : { ...labels };
}

function pruneContainer(c: K8sContainer): K8sContainer {
  const {
    terminationMessagePath,
    terminationMessagePolicy,
    imagePullPolicy,
    ...rest
  } = c;
  return rest;
}

function serviceMonitorObject(
  sm: ServiceMonitorSpec,
  cluster: string,
  createdMs: number,
) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: sm.name,
      namespace: sm.namespace,
      uid: uidFor(cluster, 'sm', sm.namespace, sm.name),
      generation: 1,
      resourceVersion: '1',
      labels: sm.labels,
      creationTimestamp: new Date(createdMs).toISOString(),
    },
    spec: {
      selector: { matchLabels: sm.selector },
      namespaceSelector: sm.namespaceSelector,
      endpoints: sm.endpoints.map(e => ({
        port: e.port,
        interval: e.interval,
        path: e.path,
      })),
    },
  };
}
