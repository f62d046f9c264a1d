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
 * Reading the incident evidence of an entity whose pods are not confined to
 * one namespace (no `backstage.io/kubernetes-namespace` annotation) in
 * namespaces that `observabilityIr.namespaceOwners` does not give to the
 * entity's owner. Meant for platform teams; everyone else reads such an
 * entity only where the namespace mapping covers every pod it finds.
 *
 * @public
 */
export const incidentReadAllNamespacesPermission = createPermission({
  name: 'observability-ir.incident.read-all-namespaces',
  attributes: { action: 'read' },
});

/**
 * Running node forensics on one of a catalog entity's pods: a Job with host
 * access on the pod's node (host PID namespace, `SYS_ADMIN` and `SYS_PTRACE`)
 * that reads the container's network namespace and memory cgroup. A
 * resource permission on the entity, meant for its owners and platform
 * teams.
 *
 * @public
 */
export const observabilityIrForensicsRunPermission = createPermission({
  name: 'observability-ir.forensics.run',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Recording progress on an entity's incident runbook: a step done by hand
 * or skipped, a note, a proposed fix. A resource permission on the entity,
 * meant for its owners and on-call engineers.
 *
 * @public
 */
export const observabilityIrRunbookUpdatePermission = createPermission({
  name: 'observability-ir.runbook.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Changing the memory limit of an entity's workload directly in its cluster
 * (a strategic-merge patch of the Deployment, StatefulSet or DaemonSet), for
 * teams without GitOps. A resource permission on the entity, meant for its
 * owners and platform teams; the edit of a manifest in a repository needs
 * no such permission because a review follows it.
 *
 * @public
 */
export const observabilityIrMemoryLimitApplyPermission = createPermission({
  name: 'observability-ir.memory-limit.apply',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Reading the fleet pages: the silent-outage sweep and the telemetry audit
 * across every cluster and namespace. Not a resource permission: meant for
 * platform teams.
 *
 * @public
 */
export const observabilityIrFleetReadPermission = createPermission({
  name: 'observability-ir.fleet.read',
  attributes: { action: 'read' },
});

/**
 * Every permission the observability-ir plugins define.
 *
 * @public
 */
export const observabilityIrPermissions = [
  incidentReadPermission,
  incidentReadAllNamespacesPermission,
  observabilityIrForensicsRunPermission,
  observabilityIrRunbookUpdatePermission,
  observabilityIrMemoryLimitApplyPermission,
  observabilityIrFleetReadPermission,
];
