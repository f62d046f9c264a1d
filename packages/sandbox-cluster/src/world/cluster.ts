import {
  BehaviorOverrides,
  BehaviorSpec,
  ClusterSpec,
  CronJobSpec,
  DaemonSetSpec,
  DeploymentSpec,
  HorizontalPodAutoscalerSpec,
  NodeSpec,
  Scenario,
  ServiceMonitorSpec,
  ServiceSpec,
  StatefulSetSpec,
  WorkloadPodEntry,
} from '../scenario/schema';
import { mergedBehavior } from '../scenario/behaviorOverrides';
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
  /** `file`: its pods' log streams carry no Kubernetes labels. */
  logLabels?: 'kubernetes' | 'file';
}

/**
 * A StatefulSet or DaemonSet: the stored object, the behaviours of its
 * containers and its revisions (ControllerRevisions) with the pods each
 * created.
 */
export interface SimWorkload {
  kind: 'StatefulSet' | 'DaemonSet';
  object: Record<string, any>;
  behaviors: Map<string, BehaviorSpec>;
  revisions: SimReplicaSet[];
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
  readonly statefulSets: SimWorkload[] = [];
  readonly daemonSets: SimWorkload[] = [];
  /** HorizontalPodAutoscalers as the scenario defines them. */
  readonly horizontalPodAutoscalers: HorizontalPodAutoscalerSpec[];
  /** CronJobs stored as the API server returns them. */
  readonly cronJobs: Array<Record<string, any>>;
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
    for (const s of spec.statefulSets ?? []) {
      this.statefulSets.push(this.buildStatefulSet(s, historyStart));
    }
    for (const d of spec.daemonSets ?? []) {
      this.daemonSets.push(this.buildDaemonSet(d, historyStart));
    }
    this.horizontalPodAutoscalers = spec.horizontalPodAutoscalers ?? [];
    this.cronJobs = (spec.cronJobs ?? []).map(c =>
      cronJobObject(c, this.name, historyStart),
    );
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
    const deployment: SimDeployment = {
      object,
      behaviors,
      replicaSets: [],
      logLabels: d.logLabels,
    };
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
        ...replicaSetPodArgs(deployment, rs),
        name: p.name,
        node,
        restartsAtStart: p.restarts,
        createdAtMs,
        overrides: p.behavior,
      });
      if (p.evictedAt !== undefined) {
        pod.evictedMs = this.clock.startMs + relative(p.evictedAt);
      }
      rs.pods.push(pod);
    }
    deployment.replicaSets.push(rs);
    return deployment;
  }

  private buildPod(args: PodArgs): SimPod {
    const { namespace, name, node } = args;
    const containers: SimContainer[] = args.containers.map(
      (c: K8sContainer) => {
        const base = args.behaviors.get(c.name) ?? {
          type: 'steady',
          cpuCores: 0.05,
          startupSeconds: 10,
          logs: { intervalSeconds: 60 },
          memory: '128Mi',
          networkUnreachable: false,
        };
        const behavior = mergedBehavior(base, args.overrides?.[c.name]);
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
      uid: uidFor(this.name, 'pod', namespace, name, ...(args.uidSeed ?? [])),
      labels: { ...args.labels },
      annotations: {},
      nodeName: node.spec.name,
      podIP: this.nextPodIp(node),
      hostIP: node.spec.internalIP,
      createdMs: args.createdAtMs ?? firstStart - 2_000,
      owner: args.owner,
      restartPolicy: 'Always',
      extraSpec: args.extraSpec ?? {},
      containers,
    };
  }

  private buildWorkloadObject(
    kind: 'StatefulSet' | 'DaemonSet',
    spec: StatefulSetSpec | DaemonSetSpec,
    historyStart: number,
  ): { object: Record<string, any>; template: Record<string, any> } {
    const containers = spec.containers.map(toK8sContainer);
    const template = {
      metadata: { labels: { ...spec.labels } },
      spec: {
        containers,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
      },
    };
    const selector = { matchLabels: selectorLabels(spec.labels) };
    const object: Record<string, any> = {
      apiVersion: 'apps/v1',
      kind,
      metadata: {
        name: spec.name,
        namespace: spec.namespace,
        uid: uidFor(this.name, kind, spec.namespace, spec.name),
        generation: 1,
        labels: { ...spec.labels },
        creationTimestamp: new Date(
          historyStart - 7 * 86_400_000,
        ).toISOString(),
      },
      spec:
        kind === 'StatefulSet'
          ? {
              replicas: (spec as StatefulSetSpec).pods.length,
              selector,
              serviceName: (spec as StatefulSetSpec).serviceName ?? spec.name,
              template: JSON.parse(JSON.stringify(template)),
              podManagementPolicy: 'OrderedReady',
              updateStrategy: {
                type: 'RollingUpdate',
                rollingUpdate: { partition: 0 },
              },
              revisionHistoryLimit: 10,
              persistentVolumeClaimRetentionPolicy: {
                whenDeleted: 'Retain',
                whenScaled: 'Retain',
              },
            }
          : {
              selector,
              template: JSON.parse(JSON.stringify(template)),
              updateStrategy: {
                type: 'RollingUpdate',
                rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
              },
              revisionHistoryLimit: 10,
            },
    };
    return { object, template };
  }

  /** The revision a workload's template gets (a ControllerRevision). */
  private newRevision(
    workload: SimWorkload,
    template: Record<string, any>,
    revision: number,
    createdMs: number,
  ): SimReplicaSet {
    const meta = workload.object.metadata;
    const hash = nameSuffix(10, meta.name, JSON.stringify(template));
    const name = `${meta.name}-${hash}`;
    return {
      name,
      uid: uidFor(this.name, 'controllerrevision', meta.namespace, name),
      hash,
      revision,
      createdMs,
      template,
      pods: [],
    };
  }

  private workloadPodArgs(
    workload: SimWorkload,
    rev: SimReplicaSet,
    ordinalOrNode: number,
    node: SimNode,
  ): Omit<PodArgs, 'restartsAtStart'> {
    const meta = workload.object.metadata;
    const owner = {
      apiVersion: 'apps/v1',
      kind: workload.kind,
      name: meta.name,
      uid: meta.uid,
    };
    const templateLabels = rev.template.metadata?.labels ?? {};
    const common = {
      namespace: meta.namespace,
      node,
      owner,
      behaviors: workload.behaviors,
      containers: rev.template.spec.containers,
      uidSeed: rev.revision > 1 ? [String(rev.revision)] : [],
    };
    if (workload.kind === 'StatefulSet') {
      const name = `${meta.name}-${ordinalOrNode}`;
      return {
        ...common,
        name,
        labels: {
          ...templateLabels,
          'apps.kubernetes.io/pod-index': String(ordinalOrNode),
          'controller-revision-hash': rev.name,
          'statefulset.kubernetes.io/pod-name': name,
        },
        extraSpec: {
          hostname: name,
          subdomain: workload.object.spec.serviceName,
        },
      };
    }
    return {
      ...common,
      name: `${meta.name}-${nameSuffix(
        5,
        meta.name,
        node.spec.name,
        rev.revision,
      )}`,
      labels: {
        ...templateLabels,
        'controller-revision-hash': rev.hash,
        'pod-template-generation': String(rev.revision),
      },
      extraSpec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    {
                      key: 'metadata.name',
                      operator: 'In',
                      values: [node.spec.name],
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    };
  }

  private buildWorkloadPods(
    workload: SimWorkload,
    rev: SimReplicaSet,
    entries: Array<WorkloadPodEntry & { index: number }>,
  ) {
    for (const p of entries) {
      const node = this.node(p.node)!;
      const createdAtMs =
        p.createdAt !== undefined
          ? this.clock.startMs + relative(p.createdAt)
          : undefined;
      rev.pods.push(
        this.buildPod({
          ...this.workloadPodArgs(workload, rev, p.index, node),
          restartsAtStart: p.restarts,
          createdAtMs,
          overrides: p.behavior,
        }),
      );
    }
  }

  private buildStatefulSet(
    s: StatefulSetSpec,
    historyStart: number,
  ): SimWorkload {
    const { object, template } = this.buildWorkloadObject(
      'StatefulSet',
      s,
      historyStart,
    );
    const workload: SimWorkload = {
      kind: 'StatefulSet',
      object,
      behaviors: new Map(s.containers.map(c => [c.name, c.behavior])),
      revisions: [],
    };
    const rev = this.newRevision(
      workload,
      template,
      1,
      historyStart - 7 * 86_400_000,
    );
    this.buildWorkloadPods(
      workload,
      rev,
      s.pods.map((p, index) => ({ ...p, index })),
    );
    workload.revisions.push(rev);
    return workload;
  }

  private buildDaemonSet(d: DaemonSetSpec, historyStart: number): SimWorkload {
    const { object, template } = this.buildWorkloadObject(
      'DaemonSet',
      d,
      historyStart,
    );
    const workload: SimWorkload = {
      kind: 'DaemonSet',
      object,
      behaviors: new Map(d.containers.map(c => [c.name, c.behavior])),
      revisions: [],
    };
    const rev = this.newRevision(
      workload,
      template,
      1,
      historyStart - 7 * 86_400_000,
    );
    // Without a list, a pod on every node, running since history starts.
    const since = `-${Math.round(this.scenario.historyHours * 3600)}s`;
    const entries: WorkloadPodEntry[] =
      d.pods ??
      this.nodes.map(n => ({
        node: n.spec.name,
        restarts: 0,
        createdAt: since,
      }));
    this.buildWorkloadPods(
      workload,
      rev,
      entries.map(p => ({ ...p, index: this.node(p.node)!.index })),
    );
    workload.revisions.push(rev);
    return workload;
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
    for (const w of [...this.statefulSets, ...this.daemonSets]) {
      for (const rev of w.revisions) {
        for (const p of rev.pods) {
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
      ...[...this.statefulSets, ...this.daemonSets].flatMap(w =>
        w.revisions.flatMap(r => r.pods),
      ),
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
      // New pods run the template's behaviour: per-pod differences of the
      // scenario belong to the pods it listed, not to their replacements.
      const pod = this.buildPod({
        ...replicaSetPodArgs(deployment, rs),
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

  findWorkload(
    kind: 'StatefulSet' | 'DaemonSet',
    namespace: string,
    name: string,
  ): SimWorkload | undefined {
    return (kind === 'StatefulSet' ? this.statefulSets : this.daemonSets).find(
      w =>
        w.object.metadata.namespace === namespace &&
        w.object.metadata.name === name,
    );
  }

  /**
   * Stores a changed StatefulSet or DaemonSet. A changed pod template rolls
   * out a new revision the way both controllers' RollingUpdate does by
   * default: one pod at a time (a StatefulSet from the highest ordinal down,
   * keeping each pod's name), the old pod terminating before its
   * replacement starts, the next one waiting until that replacement is
   * Ready. A replacement that never becomes Ready stops the rollout there.
   */
  updateWorkload(workload: SimWorkload, next: Record<string, any>) {
    const ms = this.clock.now();
    const before = JSON.stringify(workload.object.spec.template);
    const after = JSON.stringify(next.spec.template);
    workload.object = next;
    this.touch();
    if (before === after) {
      return;
    }
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    const revision = Math.max(...workload.revisions.map(r => r.revision)) + 1;
    const rev = this.newRevision(workload, JSON.parse(after), revision, ms);
    const live = workload.revisions
      .flatMap(r => r.pods)
      .filter(p => p.deletedMs === undefined && p.evictedMs === undefined);
    const order =
      workload.kind === 'StatefulSet'
        ? [...live].sort((a, b) => ordinalOf(b.name) - ordinalOf(a.name))
        : live;
    let at = ms;
    for (const old of order) {
      const node = this.node(old.nodeName) ?? this.nodes[0];
      const index =
        workload.kind === 'StatefulSet' ? ordinalOf(old.name) : node.index;
      old.deletedMs = at + 1_000;
      const pod = this.buildPod({
        ...this.workloadPodArgs(workload, rev, index, node),
        restartsAtStart: 0,
        createdAtMs: at + 1_000,
      });
      rev.pods.push(pod);
      const ready = Math.max(
        ...pod.containers.map(c => c.timeline.firstReadyMs() ?? Infinity),
      );
      if (!Number.isFinite(ready)) {
        break;
      }
      at = ready;
    }
    workload.revisions.push(rev);
  }
}

function ordinalOf(podName: string): number {
  return Number(podName.slice(podName.lastIndexOf('-') + 1));
}

/** What a new pod is built from. */
interface PodArgs {
  namespace: string;
  name: string;
  node: SimNode;
  owner: NonNullable<SimPod['owner']>;
  labels: Record<string, string>;
  behaviors: Map<string, BehaviorSpec>;
  containers: K8sContainer[];
  restartsAtStart: number;
  createdAtMs?: number;
  /** Behaviour fields of this pod that differ from its containers'. */
  overrides?: BehaviorOverrides;
  extraSpec?: Record<string, unknown>;
  /** Distinguishes a recreated pod that keeps its name (StatefulSets). */
  uidSeed?: string[];
}

function replicaSetPodArgs(deployment: SimDeployment, rs: SimReplicaSet) {
  return {
    namespace: deployment.object.metadata.namespace as string,
    owner: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rs.name,
      uid: rs.uid,
    },
    labels: {
      ...(rs.template.metadata?.labels ?? {}),
      'pod-template-hash': rs.hash,
    },
    behaviors: deployment.behaviors,
    containers: rs.template.spec.containers as K8sContainer[],
  };
}

function cronJobObject(c: CronJobSpec, cluster: string, createdMs: number) {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: c.name,
      namespace: c.namespace,
      uid: uidFor(cluster, 'cronjob', c.namespace, c.name),
      generation: 1,
      labels: { ...c.labels },
      creationTimestamp: new Date(createdMs - 7 * 86_400_000).toISOString(),
    },
    spec: {
      schedule: c.schedule,
      ...(c.timeZone ? { timeZone: c.timeZone } : {}),
      concurrencyPolicy: 'Allow',
      suspend: c.suspend,
      jobTemplate: {
        metadata: { creationTimestamp: null },
        spec: {
          template: {
            metadata: { creationTimestamp: null },
            spec: {
              containers: c.containers.map(container => ({
                name: container.name,
                image: container.image,
                ...(container.command ? { command: container.command } : {}),
                ...(container.args ? { args: container.args } : {}),
                resources: JSON.parse(JSON.stringify(container.resources)),
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                imagePullPolicy: 'IfNotPresent',
              })),
              restartPolicy: 'OnFailure',
              terminationGracePeriodSeconds: 30,
              dnsPolicy: 'ClusterFirst',
              securityContext: {},
              schedulerName: 'default-scheduler',
            },
          },
        },
      },
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    },
    status: {},
  };
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
