import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { FleetOwner } from '@observability-ir/plugin-observability-ir-common';
import { LabelRequirement, parseLabelSelector } from '../../queries';
import { resolveEntityWorkload } from '../workload/resolveEntityWorkload';

/** The label the recommended Kubernetes labels name an application with. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

interface Claim {
  owner: FleetOwner;
  /** Pods labelled with this id (kubernetes-id annotation). */
  kubernetesId?: string;
  /** Pods this selector selects (label-selector annotation). */
  requirements?: LabelRequirement[];
  namespace?: string;
  cluster?: string;
}

/** Whether a pod's labels satisfy one requirement of a label selector. */
function satisfies(
  labels: Readonly<Record<string, string>>,
  r: LabelRequirement,
): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'equals':
      return value === r.value;
    case 'notEquals':
      return value !== r.value;
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notIn':
      return value === undefined || !r.values.includes(value);
    default:
      return false;
  }
}

/**
 * Which catalog entity claims a pod: an entity with a
 * `backstage.io/kubernetes-label-selector` annotation claims the pods its
 * selector selects; one with `backstage.io/kubernetes-id` the pods labelled
 * `backstage.io/kubernetes-id` or `app.kubernetes.io/name` with the id. Both
 * only within `backstage.io/kubernetes-namespace` and
 * `backstage.io/kubernetes-cluster` when the entity names them. When two
 * entities claim a pod, one pinned to a namespace wins, then the one first
 * in entity ref order.
 */
export class FleetOwnership {
  private readonly claims: Claim[];
  /** Entities whose annotations could not be read, by ref, with why. */
  readonly invalid: Array<{ entityRef: string; error: string }> = [];

  constructor(entities: readonly Entity[]) {
    const claims: Claim[] = [];
    for (const entity of entities) {
      let workload;
      try {
        workload = resolveEntityWorkload(entity);
      } catch (error) {
        this.invalid.push({
          entityRef: stringifyEntityRef(entity),
          error: (error as Error).message,
        });
        continue;
      }
      const owner = ownerOf(entity);
      const scope = {
        ...(workload.namespace ? { namespace: workload.namespace } : {}),
        ...(workload.cluster ? { cluster: workload.cluster } : {}),
      };
      const bySelector =
        entity.metadata.annotations?.[
          'backstage.io/kubernetes-label-selector'
        ]?.trim();
      claims.push(
        bySelector
          ? {
              owner,
              requirements: parseLabelSelector(workload.labelSelector),
              ...scope,
            }
          : { owner, kubernetesId: workload.kubernetesId, ...scope },
      );
    }
    this.claims = claims.sort(
      (a, b) =>
        Number(!a.namespace) - Number(!b.namespace) ||
        (a.owner.entityRef < b.owner.entityRef ? -1 : 1),
    );
  }

  /** The entity that claims a pod; `undefined` when none does. */
  ownerOf(pod: {
    cluster: string;
    namespace: string;
    labels?: Readonly<Record<string, string>>;
  }): FleetOwner | undefined {
    const labels = pod.labels ?? {};
    const claim = this.claims.find(
      c =>
        (!c.namespace || c.namespace === pod.namespace) &&
        (!c.cluster || c.cluster === pod.cluster) &&
        (c.requirements
          ? c.requirements.every(r => satisfies(labels, r))
          : labels[KUBERNETES_ID_LABEL] === c.kubernetesId ||
            labels[APP_NAME_LABEL] === c.kubernetesId),
    );
    return claim?.owner;
  }
}

function ownerOf(entity: Entity): FleetOwner {
  const title = entity.metadata.title?.trim() || entity.metadata.name;
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  let ownerRef: string | undefined;
  if (typeof owner === 'string' && owner.trim()) {
    try {
      ownerRef = stringifyEntityRef(
        parseEntityRef(owner.trim(), {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      );
    } catch {
      ownerRef = undefined;
    }
  }
  return {
    entityRef: stringifyEntityRef(entity),
    title,
    ...(ownerRef ? { ownerRef } : {}),
  };
}
