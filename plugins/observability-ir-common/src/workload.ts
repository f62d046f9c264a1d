import type { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/**
 * Annotation naming the namespace an entity's workloads run in, as read by the
 * stock Kubernetes plugin.
 *
 * @public
 */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * Annotation restricting an entity's workloads to one configured cluster.
 *
 * @public
 */
export const KUBERNETES_CLUSTER_ANNOTATION = 'backstage.io/kubernetes-cluster';

/**
 * Optional annotation: extra PromQL label matchers that narrow every metric
 * query of the entity, e.g. `{cluster="eu-1"}`.
 *
 * @public
 */
export const PROMETHEUS_MATCHERS_ANNOTATION =
  'observability-ir.io/prometheus-matchers';

/**
 * Optional annotation: a LogQL stream selector that narrows the entity's log
 * queries, e.g. `{app="checkout"}`.
 *
 * @public
 */
export const LOKI_SELECTOR_ANNOTATION = 'observability-ir.io/loki-selector';

/**
 * Whether an entity carries the annotations that tie it to Kubernetes
 * workloads, the same ones the stock Kubernetes plugin reads.
 *
 * @public
 */
export function isObservabilityIncidentAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ANNOTATION] ||
      annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION],
  );
}

/**
 * How the backend finds an entity's pods: the entity's own annotations,
 * resolved to one label selector.
 *
 * @public
 */
export interface EntityWorkload {
  /** The entity these workloads belong to, as `kind:namespace/name`. */
  entityRef: string;
  /** The value of `backstage.io/kubernetes-id`, if the entity has one. */
  kubernetesId?: string;
  /**
   * The label selector that selects the entity's pods: the
   * `backstage.io/kubernetes-label-selector` annotation when present,
   * otherwise `backstage.io/kubernetes-id=<id>`.
   */
  labelSelector: string;
  /** The namespace to look in; all namespaces when absent. */
  namespace?: string;
  /** The one cluster to look in; every configured cluster when absent. */
  cluster?: string;
  /** The entity's validated extra PromQL matchers annotation, if any. */
  prometheusMatchers?: string;
  /** The entity's validated LogQL stream selector annotation, if any. */
  lokiSelector?: string;
}
