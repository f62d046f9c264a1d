import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import {
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { AuthorizedIncidentService } from './AuthorizedIncidentService';
import { DefaultIncidentService } from './DefaultIncidentService';

/** Who asks, passed to every call so upstreams are asked on their behalf. */
export interface IncidentRequestOptions {
  credentials: BackstageCredentials;
  /**
   * Whether the caller may read an entity's pods in namespaces that
   * `observabilityIr.namespaceOwners` does not give to the entity's owner,
   * when the entity names no namespace (platform teams). Default false.
   */
  allNamespaces?: boolean;
}

/**
 * The incident evidence of catalog entities. Every method takes the entity
 * and, where it looks back in time, the range; each answers with the status
 * of every cluster and source it asked.
 *
 * @public
 */
export interface IncidentService {
  /** Which pods belong to an entity, and where to look for them. */
  getWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<EntityWorkload>;
  /** The entity's containers now: restarts, terminations, resources. */
  getReplicas(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<ReplicasResponse>;
  /** Memory, CPU, restarts and readiness over the range. */
  getMetrics(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<MetricsResponse>;
  /** Error log lines over the range, grouped by signature. */
  getLogs(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<LogsResponse>;
  /** Terminations and error bursts on one axis, and how they correlate. */
  getTimeline(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<TimelineResponse>;
  /** Ranked hypotheses of what is wrong, and what to do about the top one. */
  getDiagnosis(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<DiagnosisResponse>;
}

/**
 * The service behind the plugin's routes: {@link DefaultIncidentService}
 * behind the permission checks of {@link AuthorizedIncidentService}.
 *
 * @public
 */
export const incidentServiceRef = createServiceRef<IncidentService>({
  id: 'observability-ir.incidents',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      factory: ({ catalog, permissions, config, logger }) => {
        const ownConfig = readObservabilityIrConfig(config);
        for (const problem of ownConfig.problems) {
          logger.warn(problem);
        }
        if (ownConfig.clusters.length === 0) {
          logger.warn(
            'No Kubernetes cluster is configured (kubernetes.clusterLocatorMethods); the Incident tab will say so',
          );
        }
        return new AuthorizedIncidentService(
          new DefaultIncidentService({ catalog, config: ownConfig, logger }),
          permissions,
        );
      },
    }),
});
