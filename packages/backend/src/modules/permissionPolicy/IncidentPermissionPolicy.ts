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
import { Config } from '@backstage/config';

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
 * Permissions withheld from the members of a group, whatever else they hold:
 * contractors who read their team's incidents but may not start a Job with
 * host access on a node, say.
 */
export type Restriction = {
  /** A group entity ref, as in users' ownership claims (lower case). */
  group: string;
  /** Names of permissions in {@link grants}. */
  withhold: string[];
};

/**
 * Reads `permission.restrictedGroups`. A name that is not in {@link grants}
 * is refused at startup: a typo would otherwise withhold nothing.
 */
export function readRestrictions(
  config: Pick<Config, 'getOptionalConfigArray'>,
): Restriction[] {
  return (
    config.getOptionalConfigArray('permission.restrictedGroups') ?? []
  ).map((entry, index) => {
    const group = entry.getString('group');
    const withhold = entry.getStringArray('withhold');
    const unknown = withhold.filter(name => !Object.hasOwn(grants, name));
    if (!/^group:[^/\s]+\/[^/\s]+$/.test(group)) {
      throw new Error(
        `permission.restrictedGroups[${index}].group must be a group entity ref such as group:default/contractors, not '${group}'`,
      );
    }
    if (unknown.length > 0) {
      throw new Error(
        `permission.restrictedGroups[${index}].withhold names permissions this portal does not grant: ${unknown.join(
          ', ',
        )}`,
      );
    }
    // Entity refs compare without regard to case, as the catalog's do.
    return { group: group.toLocaleLowerCase('en-US'), withhold };
  });
}

/**
 * This portal's permission policy: {@link grants}, and nothing else.
 *
 * Members of the platform teams hold every grant outright. Members of a
 * restricted group are refused what it withholds, even when they own the
 * entity or belong to a platform team too: a restriction wins over a grant.
 * Requests without a user reach the policy only from unauthenticated callers
 * (backend services are decided before the policy, by their own access
 * restrictions), so they are denied.
 */
export class IncidentPermissionPolicy implements PermissionPolicy {
  /** Permission name → the groups whose members are refused it. */
  private readonly withheld = new Map<string, Set<string>>();

  constructor(
    private readonly options: {
      platformTeamRefs: string[];
      restrictions?: Restriction[];
    },
  ) {
    for (const { group, withhold } of options.restrictions ?? []) {
      for (const name of withhold) {
        const groups = this.withheld.get(name) ?? new Set<string>();
        groups.add(group);
        this.withheld.set(name, groups);
      }
    }
  }

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
    const restricted = this.withheld.get(name);
    if (
      restricted &&
      claims.some(ref => restricted.has(ref.toLocaleLowerCase('en-US')))
    ) {
      return deny;
    }
    if (claims.some(ref => this.options.platformTeamRefs.includes(ref))) {
      return allow;
    }
    return decide[audience](request.permission, user);
  }
}
