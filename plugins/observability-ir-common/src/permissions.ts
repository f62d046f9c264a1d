import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading the incident evidence (replicas, metrics, logs, diagnosis) of a
 * catalog entity. A resource permission on the entity, so a policy can grant
 * it to the entity's owners only, or to everyone who can see the entity.
 *
 * @public
 */
export const incidentReadPermission = createPermission({
  name: 'observability-ir.incident.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission the observability-ir plugins define.
 *
 * @public
 */
export const observabilityIrPermissions = [incidentReadPermission];
