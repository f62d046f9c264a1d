import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import {
  DiagnosisResponse,
  EntityWorkload,
  EVIDENCE_PATHS,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
  WORKLOAD_PATH,
  WorkloadQuery,
} from '@observability-ir/plugin-observability-ir-common';
import { KubernetesCredentialHeaders } from './kubernetesAuth';
import { ObservabilityIrApi } from './ObservabilityIrApi';

/**
 * Talks to the observability-ir backend plugin with the user's identity.
 *
 * @public
 */
export class ObservabilityIrClient implements ObservabilityIrApi {
  private readonly credentialHeaders?: KubernetesCredentialHeaders;

  constructor(
    private readonly deps: {
      fetchApi: FetchApi;
      /**
       * Where the user's Kubernetes credentials come from (the stock
       * Kubernetes plugin's); without it, only clusters the backend
       * authenticates to by itself answer.
       */
      kubernetesAuthProvidersApi?: KubernetesAuthProvidersApi;
    },
  ) {
    if (deps.kubernetesAuthProvidersApi) {
      this.credentialHeaders = new KubernetesCredentialHeaders({
        fetchApi: deps.fetchApi,
        kubernetesAuthProvidersApi: deps.kubernetesAuthProvidersApi,
      });
    }
  }

  async getWorkload(entityRef: string): Promise<EntityWorkload> {
    return this.get<EntityWorkload>(WORKLOAD_PATH, { entityRef });
  }

  async getReplicas(query: EvidenceQuery): Promise<ReplicasResponse> {
    return this.get<ReplicasResponse>(EVIDENCE_PATHS.replicas, query);
  }

  async getMetrics(query: EvidenceQuery): Promise<MetricsResponse> {
    return this.get<MetricsResponse>(EVIDENCE_PATHS.metrics, query);
  }

  async getLogs(query: EvidenceQuery): Promise<LogsResponse> {
    return this.get<LogsResponse>(EVIDENCE_PATHS.logs, query);
  }

  async getTimeline(query: EvidenceQuery): Promise<TimelineResponse> {
    return this.get<TimelineResponse>(EVIDENCE_PATHS.timeline, query);
  }

  async getDiagnosis(query: EvidenceQuery): Promise<DiagnosisResponse> {
    return this.get<DiagnosisResponse>(EVIDENCE_PATHS.diagnosis, query);
  }

  private async get<T>(path: string, query: WorkloadQuery | EvidenceQuery) {
    // Evidence reads the clusters' APIs: with the user's credentials there.
    const headers =
      this.credentialHeaders &&
      Object.values<string>(EVIDENCE_PATHS).includes(path)
        ? await this.credentialHeaders.forEntity(query.entityRef)
        : {};
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir${path}?${queryString(query)}`,
      { headers },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** The query string of a request, without the parameters left out. */
function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) {
      params.set(name, value);
    }
  }
  return params.toString();
}
