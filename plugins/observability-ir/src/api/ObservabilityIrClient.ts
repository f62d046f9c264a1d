import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DiagnosisResponse,
  EntityWorkload,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { EvidenceRequest, ObservabilityIrApi } from './ObservabilityIrApi';

/**
 * Talks to the observability-ir backend plugin with the user's identity.
 *
 * @public
 */
export class ObservabilityIrClient implements ObservabilityIrApi {
  constructor(private readonly deps: { fetchApi: FetchApi }) {}

  async getWorkload(entityRef: string): Promise<EntityWorkload> {
    return this.get<EntityWorkload>('v1/workload', { entityRef });
  }

  async getReplicas(request: EvidenceRequest): Promise<ReplicasResponse> {
    return this.get<ReplicasResponse>('v1/replicas', evidenceQuery(request));
  }

  async getMetrics(request: EvidenceRequest): Promise<MetricsResponse> {
    return this.get<MetricsResponse>('v1/metrics', evidenceQuery(request));
  }

  async getLogs(request: EvidenceRequest): Promise<LogsResponse> {
    return this.get<LogsResponse>('v1/logs', evidenceQuery(request));
  }

  async getTimeline(request: EvidenceRequest): Promise<TimelineResponse> {
    return this.get<TimelineResponse>('v1/timeline', evidenceQuery(request));
  }

  async getDiagnosis(request: EvidenceRequest): Promise<DiagnosisResponse> {
    return this.get<DiagnosisResponse>('v1/diagnosis', evidenceQuery(request));
  }

  private async get<T>(path: string, query: Record<string, string>) {
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir/${path}?${new URLSearchParams(query)}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** The query string of an evidence request, without absent bounds. */
function evidenceQuery(request: EvidenceRequest): Record<string, string> {
  const query: Record<string, string> = { entityRef: request.entityRef };
  if (request.start) {
    query.start = request.start;
  }
  if (request.end) {
    query.end = request.end;
  }
  return query;
}
