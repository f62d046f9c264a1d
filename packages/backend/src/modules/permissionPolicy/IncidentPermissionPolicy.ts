import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/** Who a permission is granted to. Platform teams hold every grant. */
export type Audience =
  | 'signed-in users'
  | 'entity owners'
  | 'task creators'
  | 'platform teams';

/**
 * Every permission this portal grants, by name, and to whom. A permission
 * missing here is denied to everyone, so a plugin added later grants nothing
 * until a line is added for it.
 */
export const grants: Readonly<Record<string, Audience>> = {
  // The catalog: everyone reads it, platform teams change what is in it.
  'catalog.entity.read': 'signed-in users',
  'catalog.location.read': 'signed-in users',
  'catalog.entity.create': 'platform teams',
  'catalog.entity.delete': 'platform teams',
  'catalog.entity.refresh': 'platform teams',
  'catalog.entity.validate': 'platform teams',
  'catalog.location.create': 'platform teams',
  'catalog.location.delete': 'platform teams',
  'catalog.location.analyze': 'platform teams',
  'catalog.ingestion.read': 'platform teams',
  'catalog.ingestion.manage': 'platform teams',

  // The stock Kubernetes tab: workloads of the entities a user can read.
  'kubernetes.clusters.read': 'signed-in users',
  'kubernetes.resources.read': 'signed-in users',
  // Any request to any cluster API, with the portal's service account.
  'kubernetes.proxy': 'platform teams',

  // Software Templates: anyone runs them and sees their own tasks.
  'scaffolder.template.parameter.read': 'signed-in users',
  'scaffolder.template.step.read': 'signed-in users',
  'scaffolder.action.execute': 'signed-in users',
  'scaffolder.task.create': 'signed-in users',
  'scaffolder.template.dry-run': 'signed-in users',
  'scaffolder.task.read': 'task creators',
  'scaffolder.task.cancel': 'task creators',
  'scaffolder.template.management': 'platform teams',

  // Incident evidence (pod names, nodes, logs): for those who run a service.
  'observability-ir.incident.read': 'entity owners',
  // Pods in namespaces not mapped to the entity's owner.
  'observability-ir.incident.read-all-namespaces': 'platform teams',
  // Node forensics: a Job with host access on the pod's node.
  'observability-ir.forensics.run': 'entity owners',
  // Recording runbook progress (a step done by hand, a note, a proposed fix).
  'observability-ir.runbook.update': 'entity owners',
  // Patching a workload's memory limit in its cluster, without a review.
  'observability-ir.memory-limit.apply': 'entity owners',
  // The fleet pages: kills, near-OOM containers and restarts in every
  // cluster and namespace, whoever owns them.
  'observability-ir.fleet.read': 'platform teams',
};

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
const deny: PolicyDecision = { result: AuthorizeResult.DENY };

/** The decision for someone outside the platform teams, by audience. */
const decide: Record<
  Audience,
  (permission: Permission, user: PolicyQueryUser) => PolicyDecision
> = {
  'signed-in users': () => allow,
  'platform teams': () => deny,
  'entity owners': (permission, user) =>
    isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)
      ? createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({
            claims: user.info.ownershipEntityRefs,
          }),
        )
      : deny,
  'task creators': (permission, user) =>
    isResourcePermission(permission, 'scaffolder-task')
      ? createScaffolderTaskConditionalDecision(
          permission,
          scaffolderTaskConditions.isTaskOwner({
            createdBy: [user.info.userEntityRef],
          }),
        )
      : deny,
};

/**
 * This portal's permission policy: {@link grants}, and nothing else.
 *
 * Members of the platform teams hold every grant outright. Requests without a
 * user reach the policy only from unauthenticated callers (backend services
 * are decided before the policy, by their own access restrictions), so they
 * are denied.
 */
export class IncidentPermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: { platformTeamRefs: string[] }) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { name } = request.permission;
    const audience = Object.hasOwn(grants, name) ? grants[name] : undefined;
    if (!audience || !user) {
      return deny;
    }
    const claims = user.info.ownershipEntityRefs;
    if (claims.some(ref => this.options.platformTeamRefs.includes(ref))) {
      return allow;
    }
    return decide[audience](request.permission, user);
  }
}
