import { ClusterWorld } from '../world/cluster';
import { clusterEvents } from './events';
import {
  renderDaemonSet,
  renderHorizontalPodAutoscaler,
  renderStatefulSet,
} from './workloads';
import {
  K8sObject,
  renderDeployment,
  renderEndpoints,
  renderNamespace,
  renderNode,
  renderPod,
  renderReplicaSet,
  renderService,
} from './render';

/** Which objects a request is about, narrowed before rendering. */
export interface Scope {
  namespace?: string;
  name?: string;
}

/** A resource type served by the sandbox API server. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Renders the objects in scope at a moment. */
  list(cluster: ClusterWorld, scope: Scope, ms: number): K8sObject[];
  /**
   * The objects in scope at a moment, each named and labelled before it is
   * rendered, so that a page of a long list renders only its own objects,
   * as an API server reads only a page's objects from storage.
   */
  listUnrendered?(
    cluster: ClusterWorld,
    scope: Scope,
    ms: number,
  ): UnrenderedObject[];
  /** Fields usable in a fieldSelector besides metadata.name/namespace. */
  fields?: Record<string, (obj: K8sObject) => string | undefined>;
}

/** An object of a list before it is rendered. */
export interface UnrenderedObject {
  namespace?: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  render(): K8sObject;
}

const inScope = (scope: Scope, namespace: string | undefined, name: string) =>
  (scope.namespace === undefined || scope.namespace === namespace) &&
  (scope.name === undefined || scope.name === name);

const READ = ['get', 'list', 'watch'];

/**
 * Kinds a real API server always serves and that clients such as
 * Backstage's Kubernetes plugin list on every request. Scenarios do not
 * define any of them, so their lists are empty; serving them (instead of a
 * 404) is what lets those clients read the cluster without errors.
 */
const ALWAYS_EMPTY_KINDS: Array<
  Pick<
    ResourceType,
    | 'group'
    | 'version'
    | 'plural'
    | 'singular'
    | 'kind'
    | 'shortNames'
    | 'categories'
  >
> = [
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    shortNames: ['cm'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'limitranges',
    singular: 'limitrange',
    kind: 'LimitRange',
    shortNames: ['limits'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    shortNames: ['quota'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    shortNames: ['ing'],
  },
];

export const RESOURCES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.namespaces
        .filter(n => inScope({ name: scope.name }, undefined, n.name))
        .map(n => renderNamespace(c, n, ms)),
    fields: { 'status.phase': o => o.status.phase },
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.nodes
        .filter(n => inScope({ name: scope.name }, undefined, n.spec.name))
        .map(n => renderNode(c, n, ms)),
    fields: { 'spec.unschedulable': () => 'false' },
  },
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    verbs: [...READ, 'delete'],
    list: (c, scope, ms) =>
      c
        .podsAt(ms)
        .filter(p => inScope(scope, p.namespace, p.name))
        .map(p => renderPod(c, p, ms)),
    listUnrendered: (c, scope, ms) =>
      c
        .podsAt(ms)
        .filter(p => inScope(scope, p.namespace, p.name))
        .map(p => ({
          namespace: p.namespace,
          name: p.name,
          labels: p.labels,
          render: () => renderPod(c, p, ms),
        })),
    fields: {
      'spec.nodeName': o => o.spec.nodeName,
      'spec.restartPolicy': o => o.spec.restartPolicy,
      'spec.schedulerName': o => o.spec.schedulerName,
      'spec.serviceAccountName': o => o.spec.serviceAccountName,
      'spec.hostNetwork': () => 'false',
      'status.phase': o => o.status.phase,
      'status.podIP': o => o.status.podIP,
      'status.nominatedNodeName': () => '',
    },
  },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.services
        .filter(s => inScope(scope, s.namespace, s.name))
        .map(s => renderService(c, s, ms)),
  },
  {
    group: '',
    version: 'v1',
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.services
        .filter(s => inScope(scope, s.namespace, s.name))
        .map(s => renderEndpoints(c, s, ms)),
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: READ,
    list: (c, scope, ms) =>
      clusterEvents(c, ms).filter(e =>
        inScope(scope, e.metadata.namespace, e.metadata.name),
      ),
    fields: {
      'involvedObject.kind': o => o.involvedObject.kind,
      'involvedObject.name': o => o.involvedObject.name,
      'involvedObject.namespace': o => o.involvedObject.namespace,
      'involvedObject.uid': o => o.involvedObject.uid,
      'involvedObject.fieldPath': o => o.involvedObject.fieldPath,
      reason: o => o.reason,
      type: o => o.type,
      'source.component': o => o.source.component,
    },
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: [...READ, 'patch', 'update'],
    list: (c, scope, ms) =>
      c.deployments
        .filter(d =>
          inScope(scope, d.object.metadata.namespace, d.object.metadata.name),
        )
        .map(d => renderDeployment(c, d, ms)),
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.deployments.flatMap(d =>
        d.replicaSets
          .filter(
            rs =>
              rs.createdMs <= ms &&
              inScope(scope, d.object.metadata.namespace, rs.name),
          )
          .map(rs => renderReplicaSet(c, d, rs, ms)),
      ),
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    verbs: [...READ, 'patch', 'update'],
    list: (c, scope, ms) =>
      c.statefulSets
        .filter(w =>
          inScope(scope, w.object.metadata.namespace, w.object.metadata.name),
        )
        .map(w => renderStatefulSet(c, w, ms)),
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    verbs: [...READ, 'patch', 'update'],
    list: (c, scope, ms) =>
      c.daemonSets
        .filter(w =>
          inScope(scope, w.object.metadata.namespace, w.object.metadata.name),
        )
        .map(w => renderDaemonSet(c, w, ms)),
  },
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.horizontalPodAutoscalers
        .filter(h => inScope(scope, h.namespace, h.name))
        .map(h => renderHorizontalPodAutoscaler(c, h, ms)),
  },
  {
    group: 'batch',
    version: 'v1',
    plural: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    verbs: READ,
    list: (c, scope, ms) =>
      c.cronJobs
        .filter(j => inScope(scope, j.metadata.namespace, j.metadata.name))
        .map(j => ({
          ...JSON.parse(JSON.stringify(j)),
          metadata: { ...j.metadata, resourceVersion: c.resourceVersion(ms) },
        })),
  },
  {
    group: 'batch',
    version: 'v1',
    plural: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    categories: ['all'],
    verbs: [...READ, 'create', 'delete'],
    list: (c, scope, ms) =>
      c.jobs
        .list(ms)
        .filter(j => inScope(scope, j.metadata.namespace, j.metadata.name)),
    fields: { 'status.successful': o => String(o.status.succeeded ?? 0) },
  },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    plural: 'servicemonitors',
    singular: 'servicemonitor',
    kind: 'ServiceMonitor',
    namespaced: true,
    shortNames: ['smon'],
    categories: ['prometheus-operator'],
    verbs: READ,
    list: (c, scope) =>
      c.serviceMonitors
        .filter(s => inScope(scope, s.metadata.namespace, s.metadata.name))
        .map(s => JSON.parse(JSON.stringify(s))),
  },
  ...ALWAYS_EMPTY_KINDS.map(type => ({
    ...type,
    namespaced: true,
    verbs: READ,
    list: () => [],
  })),
];

/** Finds a resource type by group, version and plural name. */
export function findResource(group: string, version: string, plural: string) {
  return RESOURCES.find(
    r => r.group === group && r.version === version && r.plural === plural,
  );
}
