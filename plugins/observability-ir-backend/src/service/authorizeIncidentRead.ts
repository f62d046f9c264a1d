import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  incidentReadAllNamespacesPermission,
  incidentReadPermission,
} from '@observability-ir/plugin-observability-ir-common';
import type { IncidentRequestOptions } from './IncidentService';
import { normalizeEntityRef } from './workload/entityRefs';

/**
 * The check every read of an entity's incident data passes (the evidence
 * through `AuthorizedIncidentService`, the telemetry audit):
 * `observability-ir.incident.read` on the entity, and whether the caller
 * may read all namespaces, in one round trip to the permission framework.
 *
 * @throws NotAllowedError when the caller may not read the entity's data.
 */
export async function authorizeIncidentRead(
  permissions: PermissionsService,
  entityRef: string,
  options: IncidentRequestOptions,
): Promise<IncidentRequestOptions> {
  const resourceRef = normalizeEntityRef(entityRef);
  const [read, allNamespaces] = await permissions.authorize(
    [
      { permission: incidentReadPermission, resourceRef },
      { permission: incidentReadAllNamespacesPermission },
    ],
    { credentials: options.credentials },
  );
  if (read.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `You are not allowed to read the incident data of ${resourceRef}`,
    );
  }
  return {
    ...options,
    allNamespaces: allNamespaces.result === AuthorizeResult.ALLOW,
  };
}
