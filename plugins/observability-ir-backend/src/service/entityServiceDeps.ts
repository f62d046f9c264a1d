import {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ClusterAccess } from '../clusters/ClusterAccess';
import { ObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import type { EntityPods } from './DefaultIncidentService';
import type { IncidentRequestOptions } from './IncidentService';

/** The entity's pods in one cluster, as the evidence lists them. */
export interface EntityPodLister {
  getEntityPods(
    entityRef: string,
    cluster: string,
    options: IncidentRequestOptions,
  ): Promise<EntityPods>;
}

/**
 * What a service reading one entity's pods beside the evidence needs (the
 * telemetry audit, raw logs): the catalog, the clusters, the permissions,
 * and the entity's pods listed as the evidence lists them, namespace rules
 * included.
 */
export interface EntityServiceDeps {
  catalog: typeof catalogServiceRef.T;
  config: ObservabilityIrConfig;
  logger: LoggerService;
  clusterAccess: ClusterAccess;
  permissions: PermissionsService;
  pods: EntityPodLister;
  now?: () => number;
}
