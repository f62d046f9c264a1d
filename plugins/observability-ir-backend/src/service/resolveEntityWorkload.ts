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
} from '@observability-ir/plugin-observability-ir-common';

// Kubernetes label values and namespace names: at most 63 characters,
// alphanumeric at both ends. Checked so annotation text never reaches a
// selector or a URL path unvalidated.
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
// The label selector grammar's alphabet: keys, values, operators, sets.
const SELECTOR_CHARACTERS = /^[A-Za-z0-9_./\-=!,() ]{1,1024}$/;

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
export function resolveEntityWorkload(entity: Entity): EntityWorkload {
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
  if (kubernetesId && !LABEL_VALUE.test(kubernetesId)) {
    throw annotationError(
      entityRef,
      KUBERNETES_ANNOTATION,
      'it must be a Kubernetes label value (at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends)',
    );
  }
  if (selector && !SELECTOR_CHARACTERS.test(selector)) {
    throw annotationError(
      entityRef,
      KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
      'it may only hold label keys, values and the operators = == != in notin ( ) ,',
    );
  }
  if (namespace && !DNS_LABEL.test(namespace)) {
    throw annotationError(
      entityRef,
      KUBERNETES_NAMESPACE_ANNOTATION,
      'it must be a Kubernetes namespace name',
    );
  }

  return {
    entityRef,
    kubernetesId,
    labelSelector: selector ?? `${KUBERNETES_ANNOTATION}=${kubernetesId}`,
    namespace,
    cluster,
  };
}
