import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import {
  EntityWorkload,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  LOKI_SELECTOR_ANNOTATION,
  PROMETHEUS_MATCHERS_ANNOTATION,
} from '@observability-ir/plugin-observability-ir-common';
import {
  extraMatchersFromAnnotation,
  isNamespaceName,
  LabelMatcher,
  LabelRequirement,
  labelSelectorForKubernetesId,
  parseLabelSelector,
  renderLabelSelector,
} from '../../queries';

/**
 * An entity's workload as the backend works with it: what the API shows
 * ({@link EntityWorkload}) plus the annotations parsed once, here.
 */
export interface ResolvedWorkload extends EntityWorkload {
  /** The prometheus-matchers annotation, parsed and checked. */
  extraPrometheusMatchers?: readonly LabelMatcher[];
}

/** What the API shows of a resolved workload: the annotations' text. */
export function toEntityWorkload(workload: ResolvedWorkload): EntityWorkload {
  const { extraPrometheusMatchers: _, ...shown } = workload;
  return shown;
}

/**
 * Refuses a selector that names no label value: `!x` or `app` alone would
 * match pods of every other workload.
 */
function constraining(requirements: LabelRequirement[]) {
  const constrains = requirements.some(
    r =>
      (r.operator === 'equals' && r.value !== '') ||
      (r.operator === 'in' && r.values.some(v => v !== '')),
  );
  if (!constrains) {
    throw new InputError(
      'it needs at least one key=value or key in (...) requirement; without one it selects the pods of other workloads',
    );
  }
  return requirements;
}

function annotationError(entityRef: string, annotation: string, why: string) {
  return new InputError(
    `Entity ${entityRef} has an invalid ${annotation} annotation: ${why}`,
  );
}

/**
 * Resolves the annotations of an entity to the pods it owns, the way the
 * stock Kubernetes plugin does: a label selector annotation wins over the
 * kubernetes id.
 */
export function resolveEntityWorkload(entity: Entity): ResolvedWorkload {
  const entityRef = stringifyEntityRef(entity);
  const annotations = entity.metadata.annotations ?? {};
  const kubernetesId = annotations[KUBERNETES_ANNOTATION]?.trim() || undefined;
  const selector =
    annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]?.trim() ||
    undefined;
  const namespace =
    annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  const cluster =
    annotations[KUBERNETES_CLUSTER_ANNOTATION]?.trim() || undefined;

  if (!kubernetesId && !selector) {
    throw new InputError(
      `Entity ${entityRef} has neither a ${KUBERNETES_ANNOTATION} nor a ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION} annotation`,
    );
  }
  let labelSelector: string;
  try {
    labelSelector = selector
      ? renderLabelSelector(constraining(parseLabelSelector(selector)))
      : labelSelectorForKubernetesId(kubernetesId!);
  } catch (error) {
    throw annotationError(
      entityRef,
      selector
        ? KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION
        : KUBERNETES_ANNOTATION,
      (error as Error).message,
    );
  }
  // Checked so annotation text never reaches a selector or a URL path
  // unvalidated.
  if (namespace && !isNamespaceName(namespace)) {
    throw annotationError(
      entityRef,
      KUBERNETES_NAMESPACE_ANNOTATION,
      'it must be a Kubernetes namespace name',
    );
  }

  const prometheusMatchers =
    annotations[PROMETHEUS_MATCHERS_ANNOTATION]?.trim() || undefined;
  let extraPrometheusMatchers: LabelMatcher[] | undefined;
  if (prometheusMatchers) {
    // Parsed here so a bad override is a clear 400, not a failed query later.
    try {
      extraPrometheusMatchers = extraMatchersFromAnnotation(prometheusMatchers);
    } catch (error) {
      throw annotationError(
        entityRef,
        PROMETHEUS_MATCHERS_ANNOTATION,
        (error as Error).message,
      );
    }
  }
  // Checked against each pod scope when the log query is built.
  const lokiSelector =
    annotations[LOKI_SELECTOR_ANNOTATION]?.trim() || undefined;

  return {
    entityRef,
    kubernetesId,
    labelSelector,
    namespace,
    cluster,
    ...(prometheusMatchers
      ? { prometheusMatchers, extraPrometheusMatchers }
      : {}),
    ...(lokiSelector ? { lokiSelector } : {}),
  };
}
