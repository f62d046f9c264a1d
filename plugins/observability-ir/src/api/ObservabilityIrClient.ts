import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import {
  AlertsResponse,
  DiagnosisResponse,
  EntityWorkload,
  EVIDENCE_PATHS,
  EvidenceQuery,
  FLEET_PATHS,
  FleetTelemetryResponse,
  FORENSICS_PATH,
  ForensicsRequest,
  ForensicsRun,
  ForensicsReadQuery,
  ForensicsRunsResponse,
  LogsResponse,
  MetricsResponse,
  PreviousLogsQuery,
  PreviousLogsResponse,
  RAW_LOGS_PATHS,
  RawLogsQuery,
  RawLogsResponse,
  ReplicasResponse,
  RUNBOOK_PATHS,
  RunbookActionRequest,
  RunbookResponse,
  SilentOutagesQuery,
  SilentOutagesResponse,
  TELEMETRY_PATH,
  TelemetryResponse,
  TimelineResponse,
  WORKLOAD_PATH,
  WorkloadQuery,
} from '@observability-ir/plugin-observability-ir-common';
import { KubernetesCredentialHeaders } from './kubernetesAuth';
import { ForensicsRequestError } from './ForensicsRequestError';
import { ValidatedAnswers } from './ValidatedAnswers';
import {
  ForensicsStart,
  ObservabilityIrApi,
  PostmortemExport,
} from './ObservabilityIrApi';

/** The longest the telemetry audit waits for the evidence. */
const EVIDENCE_FIRST_MS = 3000;

/**
 * Talks to the observability-ir backend plugin with the user's identity.
 *
 * @public
 */
export class ObservabilityIrClient implements ObservabilityIrApi {
  private readonly credentialHeaders?: KubernetesCredentialHeaders;
  /** The evidence answers a refresh asks about with their `ETag`. */
  private readonly evidenceAnswers = new ValidatedAnswers();
  /** Evidence requests on their way, by URL. */
  private readonly evidenceInFlight = new Map<string, Promise<unknown>>();
  /** Evidence requests started and not yet answered, shared ones included. */
  private evidencePending = 0;
  private readonly evidenceIdle: Array<() => void> = [];

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
    // The evidence asked for next is read with the credentials of the
    // entity's clusters: which clusters those are is asked alongside.
    this.credentialHeaders?.prefetch(entityRef);
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

  async getAlerts(query: EvidenceQuery): Promise<AlertsResponse> {
    return this.get<AlertsResponse>(EVIDENCE_PATHS.alerts, query);
  }

  async startForensics(request: ForensicsRequest): Promise<ForensicsStart> {
    // Exactly the contract's fields: never a node, container id or command.
    const body: ForensicsRequest = {
      entityRef: request.entityRef,
      cluster: request.cluster,
      namespace: request.namespace,
      pod: request.pod,
      ...(request.container ? { container: request.container } : {}),
    };
    const response = await this.forensicsFetch(request.entityRef, '', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    if (response.ok) {
      const run = (await response.json()) as ForensicsRun;
      // 202: started; 200: the run in flight or recent for this container.
      return { run, existing: response.status !== 202 };
    }
    const error = await ForensicsRequestError.fromResponse(response);
    if (error.statusCode === 409) {
      // Another request started the same Job a moment ago: show that run.
      const run = await this.findRun(body).catch(() => undefined);
      if (run) {
        return { run, existing: true };
      }
    }
    throw error;
  }

  async getForensicsRun(
    id: string,
    options: {
      entityRef?: string;
      signal?: AbortSignal;
    } & ForensicsReadQuery = {},
  ): Promise<ForensicsRun> {
    const { waitForChangeAfter, signal } = options;
    const response = await this.forensicsFetch(
      options.entityRef,
      `/${encodeURIComponent(id)}${
        waitForChangeAfter ? `?${queryString({ waitForChangeAfter })}` : ''
      }`,
      signal ? { signal } : {},
    );
    if (!response.ok) {
      throw await ForensicsRequestError.fromResponse(response);
    }
    return (await response.json()) as ForensicsRun;
  }

  async listForensicsRuns(entityRef: string): Promise<ForensicsRunsResponse> {
    const response = await this.forensicsFetch(
      entityRef,
      `?${queryString({ entityRef })}`,
    );
    if (!response.ok) {
      throw await ForensicsRequestError.fromResponse(response);
    }
    return (await response.json()) as ForensicsRunsResponse;
  }

  async getRunbook(entityRef: string): Promise<RunbookResponse> {
    const response = await this.runbookFetch(
      entityRef,
      `${RUNBOOK_PATHS.runbook}?${queryString({ entityRef })}`,
    );
    return (await response.json()) as RunbookResponse;
  }

  async exportPostmortem(entityRef: string): Promise<PostmortemExport> {
    const response = await this.runbookFetch(
      entityRef,
      `${RUNBOOK_PATHS.export}?${queryString({
        entityRef,
        format: 'markdown',
      })}`,
    );
    return {
      markdown: await response.text(),
      filename:
        attachmentFilename(response.headers.get('Content-Disposition')) ??
        `postmortem-${entityName(entityRef)}.md`,
    };
  }

  async recordRunbookAction(
    request: RunbookActionRequest,
  ): Promise<RunbookResponse> {
    // Exactly the contract's fields: the backend refuses any other.
    const body: RunbookActionRequest = {
      entityRef: request.entityRef,
      kind: request.kind,
      ...(request.stepId ? { stepId: request.stepId } : {}),
      message: request.message,
    };
    const response = await this.runbookFetch(
      request.entityRef,
      RUNBOOK_PATHS.actions,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      },
    );
    return (await response.json()) as RunbookResponse;
  }

  async getSilentOutages(
    query: SilentOutagesQuery = {},
  ): Promise<SilentOutagesResponse> {
    return this.fetchJson<SilentOutagesResponse>(
      FLEET_PATHS.silentOutages,
      query,
    );
  }

  async getFleetTelemetry(): Promise<FleetTelemetryResponse> {
    return this.fetchJson<FleetTelemetryResponse>(FLEET_PATHS.telemetry, {});
  }

  async getTelemetry(entityRef: string): Promise<TelemetryResponse> {
    // The audit is the tab's last panel: asked after the evidence.
    await this.afterEvidence();
    return this.get<TelemetryResponse>(TELEMETRY_PATH, { entityRef });
  }

  async getRawLogs(query: RawLogsQuery): Promise<RawLogsResponse> {
    return this.fetchJson<RawLogsResponse>(
      RAW_LOGS_PATHS.raw,
      {
        ...query,
        before: query.before?.toString(),
        after: query.after?.toString(),
      },
      await this.entityCredentials(query.entityRef),
    );
  }

  async getPreviousLogs(
    query: PreviousLogsQuery,
  ): Promise<PreviousLogsResponse> {
    return this.fetchJson<PreviousLogsResponse>(
      RAW_LOGS_PATHS.previous,
      query,
      await this.entityCredentials(query.entityRef),
    );
  }

  /** The user's Kubernetes credentials for the clusters of an entity. */
  private async entityCredentials(
    entityRef: string,
  ): Promise<Record<string, string>> {
    return this.credentialHeaders
      ? this.credentialHeaders.forEntity(entityRef)
      : {};
  }

  /**
   * A runbook request with the user's Kubernetes credentials, since the
   * backend reads the evidence of each step from the clusters; throws a
   * `ResponseError` for an answer that is not ok.
   */
  private async runbookFetch(
    entityRef: string,
    pathAndQuery: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const credentials = this.credentialHeaders
      ? await this.credentialHeaders.forEntity(entityRef)
      : {};
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir${pathAndQuery}`,
      { ...init, headers: { ...credentials, ...init.headers } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  /** The newest run of the entity for the same pod and container. */
  private async findRun(request: ForensicsRequest) {
    const { runs } = await this.listForensicsRuns(request.entityRef);
    return runs.find(
      r =>
        r.cluster === request.cluster &&
        r.namespace === request.namespace &&
        r.pod === request.pod &&
        (!request.container || r.container === request.container),
    );
  }

  /**
   * A forensics request with the user's Kubernetes credentials: the backend
   * creates and reads the Job with them where the cluster needs them.
   */
  private async forensicsFetch(
    entityRef: string | undefined,
    suffix: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const credentials =
      this.credentialHeaders && entityRef
        ? await this.credentialHeaders.forEntity(entityRef)
        : {};
    return this.deps.fetchApi.fetch(
      `plugin://observability-ir${FORENSICS_PATH}${suffix}`,
      { ...init, headers: { ...credentials, ...init.headers } },
    );
  }

  private async get<T>(path: string, query: WorkloadQuery | EvidenceQuery) {
    // Evidence and the telemetry audit read the clusters' APIs: with the
    // user's credentials there.
    const evidence = Object.values<string>(EVIDENCE_PATHS).includes(path);
    if (evidence) this.evidencePending++;
    try {
      const headers =
        this.credentialHeaders && (path === TELEMETRY_PATH || evidence)
          ? await this.credentialHeaders.forEntity(query.entityRef)
          : {};
      return await (evidence
        ? this.fetchEvidence<T>(path, query, headers)
        : this.fetchJson<T>(path, query, headers));
    } finally {
      if (evidence && --this.evidencePending === 0) {
        this.evidenceIdle.splice(0).forEach(wake => wake());
      }
    }
  }

  /**
   * Waits until no evidence request is on its way (those the same render
   * started included), for at most {@link EVIDENCE_FIRST_MS}: the tab's
   * last panel is asked for after its charts and tables, as the browser
   * sends only a few requests to the portal at a time.
   */
  private async afterEvidence(): Promise<void> {
    await new Promise(resolve => setTimeout(resolve, 0));
    if (this.evidencePending === 0) return;
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, EVIDENCE_FIRST_MS);
      this.evidenceIdle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * An evidence `GET` that sends the validator of the previous answer to
   * the same request: on `304 Not Modified` that answer, the same object,
   * is the answer again, and nothing is parsed or drawn anew.
   */
  private fetchEvidence<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    headers: Record<string, string>,
  ): Promise<T> {
    const search = queryString(query);
    const url = `plugin://observability-ir${path}${search ? `?${search}` : ''}`;
    // Two panels asking the same at once (the alerts table and the
    // timeline's bands) share one request.
    const pending = this.evidenceInFlight.get(url);
    if (pending) {
      return pending as Promise<T>;
    }
    const request = this.requestEvidence<T>(url, headers).finally(() =>
      this.evidenceInFlight.delete(url),
    );
    this.evidenceInFlight.set(url, request);
    return request;
  }

  private async requestEvidence<T>(
    url: string,
    headers: Record<string, string>,
  ): Promise<T> {
    const kept = this.evidenceAnswers.get(url);
    const response = await this.deps.fetchApi.fetch(url, {
      headers: kept ? { ...headers, 'If-None-Match': kept.etag } : headers,
    });
    if (response.status === 304 && kept) {
      return kept.body as T;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const etag = response.headers.get('ETag');
    // An answer that did not change is the same object as before.
    const current = this.evidenceAnswers.get(url);
    if (etag && current?.etag === etag) {
      return current.body as T;
    }
    const body = (await response.json()) as T;
    this.evidenceAnswers.set(url, etag, body);
    return body;
  }

  /** A `GET` of the backend; throws a `ResponseError` unless it is ok. */
  private async fetchJson<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const search = queryString(query);
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir${path}${search ? `?${search}` : ''}`,
      { headers },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** The query string of a request, without the parameters left out. */
function queryString(
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) {
      params.set(name, String(value));
    }
  }
  return params.toString();
}

/**
 * The file name of a `Content-Disposition: attachment` header, the UTF-8
 * `filename*` before the plain `filename`; without any directory part.
 */
function attachmentFilename(header: string | null): string | undefined {
  if (!header) {
    return undefined;
  }
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)?.[1];
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  let name: string | undefined;
  try {
    name = encoded ? decodeURIComponent(encoded.trim()) : undefined;
  } catch {
    name = undefined;
  }
  name = name ?? plain?.[1] ?? plain?.[2];
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base || undefined;
}

/** The name part of an entity ref: `checkout-api` of `component:default/checkout-api`. */
function entityName(entityRef: string): string {
  return entityRef.split('/').pop()!.split(':').pop()!;
}
