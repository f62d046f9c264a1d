import { NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  SourceStatus,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { ObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { diagnose } from './diagnosis';
import { normalizeEntityRef } from './entityRefs';
import { EvidenceCache } from './EvidenceCache';
import { ClusterConnections } from './evidence/ClusterConnections';
import { collectLogs } from './evidence/collectLogs';
import { collectMetrics } from './evidence/collectMetrics';
import { collectReplicas } from './evidence/collectReplicas';
import { locatePods, LocatedWorkload } from './evidence/locatePods';
import {
  describeRange,
  ResolvedRange,
  resolveRange,
} from './evidence/timeRange';
import type {
  IncidentRequestOptions,
  IncidentService,
} from './IncidentService';
import { resolveEntityWorkload } from './resolveEntityWorkload';
import { buildTimeline } from './timeline/buildTimeline';

/** Statuses of several collections, one per cluster and source. */
function mergeSources(...lists: SourceStatus[][]): SourceStatus[] {
  const merged = new Map<string, SourceStatus>();
  for (const status of lists.flat()) {
    const key = `${status.cluster}/${status.source}`;
    const known = merged.get(key);
    // A failure anywhere is the source's status.
    if (!known || (known.status === 'ok' && status.status !== 'ok')) {
      merged.set(key, status);
    }
  }
  return [...merged.values()].sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) || a.source.localeCompare(b.source),
  );
}

/**
 * Gathers incident evidence from every cluster's Kubernetes API, Prometheus
 * and Loki in parallel. Entities are read from the catalog on the caller's
 * behalf, so nobody reaches an entity the catalog hides from them; upstream
 * answers are shared between identical requests for a short time.
 */
export class DefaultIncidentService implements IncidentService {
  private readonly connections: ClusterConnections;
  private readonly cache: EvidenceCache;

  constructor(
    private readonly deps: {
      catalog: typeof catalogServiceRef.T;
      config: ObservabilityIrConfig;
      now?: () => number;
    },
  ) {
    this.connections = new ClusterConnections(deps.config);
    this.cache = new EvidenceCache({ ttlMs: deps.config.cacheTtlMs });
  }

  async getWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<EntityWorkload> {
    const ref = normalizeEntityRef(entityRef);
    const entity = await this.deps.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${ref} in the catalog`);
    }
    return resolveEntityWorkload(entity);
  }

  async getReplicas(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<ReplicasResponse> {
    const { workload, range } = await this.prepare(query, options);
    const replicas = await this.replicas(workload, range);
    return { entityRef: workload.entityRef, ...replicas };
  }

  async getMetrics(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<MetricsResponse> {
    const { workload, range } = await this.prepare(query, options);
    const [located, metrics] = await Promise.all([
      this.located(workload),
      this.metrics(workload, range),
    ]);
    const { terminationReasons: _, sources, ...series } = metrics;
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      ...series,
      sources: mergeSources(
        located.map(l => l.kubernetes),
        sources,
      ),
    };
  }

  async getLogs(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<LogsResponse> {
    const { workload, range } = await this.prepare(query, options);
    const [located, logs] = await Promise.all([
      this.located(workload),
      this.logs(workload, range),
    ]);
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      groups: logs.groups,
      linesRead: logs.entries.length,
      truncated: logs.truncated,
      queries: logs.queries,
      sources: mergeSources(
        located.map(l => l.kubernetes),
        logs.sources,
      ),
    };
  }

  async getTimeline(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<TimelineResponse> {
    const { workload, range } = await this.prepare(query, options);
    const evidence = await this.timeline(workload, range);
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      events: evidence.timeline.events,
      correlation: evidence.timeline.correlation,
      sources: evidence.sources,
    };
  }

  async getDiagnosis(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<DiagnosisResponse> {
    const { workload, range } = await this.prepare(query, options);
    const evidence = await this.timeline(workload, range);
    const { hypotheses, recommendation } = diagnose(
      {
        replicas: evidence.replicas.replicas,
        events: evidence.replicas.events,
        nodes: evidence.replicas.nodes,
        metrics: evidence.metrics,
        logGroups: evidence.logs.groups,
        timeline: evidence.timeline,
        sources: evidence.sources,
      },
      { now: new Date(range.endSeconds * 1000) },
    );
    return {
      entityRef: workload.entityRef,
      hypotheses,
      ...(recommendation ? { recommendation } : {}),
      sources: evidence.sources,
    };
  }

  private async prepare(query: EvidenceQuery, options: IncidentRequestOptions) {
    const workload = await this.getWorkload(query.entityRef, options);
    const range = resolveRange(query, this.deps.now?.() ?? Date.now());
    return { workload, range };
  }

  // Each piece of evidence is cached by what it depends on, so the five
  // endpoints of one tab share one set of upstream calls.
  private located(workload: EntityWorkload): Promise<LocatedWorkload[]> {
    return this.cache.get(`pods:${JSON.stringify(workload)}`, () =>
      Promise.all(
        this.connections
          .forWorkload(workload.cluster)
          .map(connection => locatePods(connection, workload)),
      ),
    );
  }

  private replicas(workload: EntityWorkload, range: ResolvedRange) {
    return this.cache.get(
      `replicas:${JSON.stringify(workload)}:${range.endSeconds}`,
      async () =>
        collectReplicas(
          await this.located(workload),
          workload,
          range.endSeconds,
        ),
    );
  }

  private metrics(workload: EntityWorkload, range: ResolvedRange) {
    return this.cache.get(
      `metrics:${JSON.stringify(workload)}:${JSON.stringify(range)}`,
      async () => collectMetrics(await this.located(workload), range),
    );
  }

  private logs(workload: EntityWorkload, range: ResolvedRange) {
    return this.cache.get(
      `logs:${JSON.stringify(workload)}:${JSON.stringify(range)}`,
      async () =>
        collectLogs(await this.located(workload), range, workload.lokiSelector),
    );
  }

  private async timeline(workload: EntityWorkload, range: ResolvedRange) {
    const [replicas, metrics, logs] = await Promise.all([
      this.replicas(workload, range),
      this.metrics(workload, range),
      this.logs(workload, range),
    ]);
    const timeline = buildTimeline({
      metrics,
      logEntries: logs.entries,
      replicas: replicas.replicas,
      stepSeconds: range.stepSeconds,
    });
    return {
      replicas,
      metrics,
      logs,
      timeline,
      sources: mergeSources(replicas.sources, metrics.sources, logs.sources),
    };
  }
}
