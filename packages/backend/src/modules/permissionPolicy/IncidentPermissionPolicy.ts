import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
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
import { incidentReadPermission } from '@observability-ir/plugin-observability-ir-common';

/**
 * This portal's permission policy.
 *
 * Incident evidence (pod names, nodes, logs) is for the people who run a
 * service: its owners and the platform teams; everyone else is denied.
 * Requests made by backend services, with no user, are allowed. Every other
 * permission is allowed, as the catalog and scaffolder expect by default.
 */
export class IncidentPermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: { platformTeamRefs: string[] }) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isPermission(request.permission, incidentReadPermission)) {
      if (!user) {
        return { result: AuthorizeResult.ALLOW };
      }
      const claims = user.info.ownershipEntityRefs ?? [];
      if (claims.some(ref => this.options.platformTeamRefs.includes(ref))) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
