import { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { KubernetesRequestAuth } from '@backstage/plugin-kubernetes-common';
import {
  AlertsResponse,
  ClustersResponse,
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';

/** Who asks, passed to every call so upstreams are asked on their behalf. */
export interface IncidentRequestOptions {
  credentials: BackstageCredentials;
  /**
   * Whether the caller may read an entity's pods in namespaces that
   * `observabilityIr.namespaceOwners` does not give to the entity's owner,
   * when the entity names no namespace (platform teams). Default false.
   */
  allNamespaces?: boolean;
  /**
   * The Kubernetes credentials the browser sent for the user (OIDC, Google,
   * AKS tokens), in the shape the stock authentication strategies read;
   * handed only to the strategy of each cluster's auth provider.
   */
  kubernetesAuth?: KubernetesRequestAuth;
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
  /**
   * The clusters the entity's evidence is read from, with the auth
   * provider of each, so the browser knows which credentials to send.
   */
  getClusters(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<ClustersResponse>;
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
  /**
   * Alerts about the entity's pods and workload: firing or pending now,
   * and the firing intervals of the range.
   */
  getAlerts(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<AlertsResponse>;
  /** Ranked hypotheses of what is wrong, and what to do about the top one. */
  getDiagnosis(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<DiagnosisResponse>;
}
