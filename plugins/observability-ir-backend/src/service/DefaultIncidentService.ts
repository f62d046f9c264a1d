import { LoggerService } from '@backstage/backend-plugin-api';
import type { V1Pod } from '@kubernetes/client-node';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AlertsResponse,
  ClustersResponse,
  DiagnosisResponse,
  EntityWorkload,
  EvidenceQuery,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  SourceStatus,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { ClusterAccess, clusterAuthOf } from '../clusters/ClusterAccess';
import { ObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { diagnose, ForensicsEvidence, MemoryLookback } from './diagnosis';
import type { ForensicsRunStore } from './forensics/store';
import { normalizeEntityRef } from './workload/entityRefs';
import { approximateSize } from './fanout/approximateSize';
import { EvidenceCache } from './fanout/EvidenceCache';
import { holdsFailedSource } from './fanout/sourceStatus';
import {
  ClusterConnections,
  RequestClusters,
} from './fanout/ClusterConnections';
import { collectAlerts } from './alerts/collectAlerts';
import { collectLogs } from './logs/collectLogs';
import { collectMetrics } from './metrics/collectMetrics';
import { shapeMetrics } from './metrics/shapeMetrics';
import { collectReplicas } from './replicas/collectReplicas';
import { locatePods, LocatedWorkload } from './fanout/locatePods';
import {
  ListedScopes,
  SpeculatedWorkload,
  SpeculationCounters,
  speculativeScope,
} from './fanout/speculation';
import {
  describeRange,
  lookbackRange,
  rangeKey,
  ResolvedRange,
  resolveRange,
} from './fanout/timeRange';
import type {
  IncidentRequestOptions,
  IncidentService,
} from './IncidentService';
import { NamespaceOwnership } from './workload/namespaceOwnership';
import {
  ResolvedWorkload,
  resolveEntityWorkload,
  toEntityWorkload,
} from './workload/resolveEntityWorkload';
import { buildTimeline } from './timeline/buildTimeline';

/** An entity's pods in one cluster, as {@link DefaultIncidentService} lists them. */
export interface EntityPods {
  /** The entity, as a full ref. */
  entityRef: string;
  /** The namespace the entity's annotation confines its pods to. */
  namespace?: string;
  pods: V1Pod[];
}

/** Shapes of one metrics answer kept (widths and pods in focus). */
const SHAPES_KEPT = 16;

/** Keeps `value` under `key` and returns it. */
function remember<K extends object, V>(
  map: WeakMap<K, V>,
  key: K,
  value: V,
): V {
  map.set(key, value);
  return value;
}

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

/** The owner of an entity as a full ref, e.g. `group:default/finance-team`. */
function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Gathers incident evidence from every cluster's Kubernetes API, Prometheus
 * and Loki in parallel. Entities are read from the catalog on the caller's
 * behalf, so nobody reaches an entity the catalog hides from them, and an
 * entity reaches only the namespaces its owner may claim; upstream answers
 * are shared between identical requests for a short time (read with the
 * same Kubernetes credentials, when the browser sends the user's own).
 */
export class DefaultIncidentService implements IncidentService {
  private readonly connections: ClusterConnections;
  private readonly cache: EvidenceCache;
  private readonly namespaces: NamespaceOwnership;
  /** The scopes of the pods each workload had when last listed. */
  private readonly listedScopes = new ListedScopes({
    maxEntries: 1000,
    ttlMs: 60 * 60_000,
  });
  /** The nodes each workload's pods ran on when last listed. */
  private readonly listedNodes = new ListedScopes<string>({
    maxEntries: 1000,
    ttlMs: 60 * 60_000,
  });
  /**
   * What was derived from cached answers, by the answers it was derived
   * from: the endpoints of one tab (and the runbook) read the same cached
   * evidence, so each is built once while those answers are cached.
   */
  private readonly timelines = new WeakMap<
    object,
    {
      replicas: object;
      logs: object;
      stepSeconds: number;
      timeline: ReturnType<typeof buildTimeline>;
    }
  >();
  private readonly lookbacks = new WeakMap<object, MemoryLookback>();
  /** The metrics answers shaped for a chart, by width and pod in focus. */
  private readonly shapes = new WeakMap<object, Map<string, MetricsResponse>>();
  private readonly diagnoses = new WeakMap<
    object,
    {
      alerts: object;
      lookback?: MemoryLookback;
      inputs: string;
      result: ReturnType<typeof diagnose>;
    }
  >();

  constructor(
    private readonly deps: {
      catalog: typeof catalogServiceRef.T;
      config: ObservabilityIrConfig;
      logger: LoggerService;
      /** Where the clusters are and how to authenticate to them. */
      clusterAccess: ClusterAccess;
      /** Node-forensics runs, whose newest verdict weighs in the diagnosis. */
      forensicsRuns?: Pick<ForensicsRunStore, 'listForEntity'>;
      /** Counts how the questions asked before the pods were listed fared. */
      speculation?: SpeculationCounters;
      now?: () => number;
    },
  ) {
    this.connections = new ClusterConnections({
      access: deps.clusterAccess,
      config: deps.config,
      logger: deps.logger,
    });
    this.cache = new EvidenceCache({
      ttlMs: deps.config.cacheTtlMs,
      maxBytes: deps.config.limits.cacheBytes,
      // A failed source is asked again at the next request, not after the
      // TTL: a recovered upstream shows at once.
      keep: value => !holdsFailedSource(value),
    });
    this.namespaces = new NamespaceOwnership(deps.config.namespaceOwners);
  }

  async getWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<EntityWorkload> {
    const { workload } = await this.claimedWorkload(entityRef, options);
    return toEntityWorkload(workload);
  }

  async getClusters(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<ClustersResponse> {
    const { workload } = await this.claimedWorkload(entityRef, options);
    const clusters = await this.connections.details(workload.cluster);
    return {
      entityRef: workload.entityRef,
      clusters: clusters.map(clusterAuthOf),
    };
  }

  /**
   * The entity's workload, refused when it names a namespace its owner
   * may not claim.
   */
  private async claimedWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ) {
    const ref = normalizeEntityRef(entityRef);
    const entity = await this.deps.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${ref} in the catalog`);
    }
    const workload = resolveEntityWorkload(entity);
    const owner = ownerOf(entity);
    const clusters = await this.connections.forRequest(
      workload.cluster,
      options.kubernetesAuth,
    );
    if (workload.namespace) {
      for (const { name } of clusters.connections) {
        this.checkClaim(workload, owner, name, [workload.namespace]);
      }
    }
    return { workload, owner, clusters };
  }

  private checkClaim(
    workload: ResolvedWorkload,
    owner: string | undefined,
    cluster: string,
    namespaces: Iterable<string>,
  ) {
    for (const namespace of namespaces) {
      const refusal = this.namespaces.refusal(owner, cluster, namespace);
      if (refusal) {
        throw new NotAllowedError(
          `The incident data of ${workload.entityRef} is refused: ${refusal}`,
        );
      }
    }
  }

  async getReplicas(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<ReplicasResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const replicas = await this.replicas(workload, range, clusters);
    return {
      entityRef: workload.entityRef,
      ...replicas,
      sources: mergeSources(clusters.statuses, replicas.sources),
    };
  }

  async getMetrics(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<MetricsResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const [located, metrics] = await Promise.all([
      this.located(workload, clusters),
      this.metrics(workload, range, clusters),
    ]);
    const { terminationReasons: _, sources, ...series } = metrics;
    const answer: MetricsResponse = {
      entityRef: workload.entityRef,
      range: describeRange(range),
      ...series,
      sources: mergeSources(
        clusters.statuses,
        located.map(l => l.kubernetes),
        sources,
      ),
    };
    if (!query.width) return answer;
    // Only what a chart of that width draws; the diagnosis read it all.
    // Shaped once per width and pod in focus while the series are cached.
    let shapes = this.shapes.get(metrics);
    if (!shapes) {
      shapes = new Map();
      this.shapes.set(metrics, shapes);
    }
    const key = JSON.stringify([
      answer.entityRef,
      answer.range,
      answer.sources,
      query.width,
      query.pod ?? null,
    ]);
    let shaped = shapes.get(key);
    if (!shaped) {
      shaped = shapeMetrics(answer, { width: query.width, pod: query.pod });
      if (shapes.size >= SHAPES_KEPT) shapes.clear();
      shapes.set(key, shaped);
    }
    return shaped;
  }

  async getLogs(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<LogsResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const [located, logs] = await Promise.all([
      this.located(workload, clusters),
      this.logs(workload, range, clusters),
    ]);
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      groups: logs.groups,
      linesRead: logs.entries.length,
      truncated: logs.truncated,
      queries: logs.queries,
      sources: mergeSources(
        clusters.statuses,
        located.map(l => l.kubernetes),
        logs.sources,
      ),
    };
  }

  async getTimeline(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<TimelineResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const evidence = await this.timeline(workload, range, clusters);
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      events: evidence.timeline.events,
      correlation: evidence.timeline.correlation,
      sources: evidence.sources,
    };
  }

  async getAlerts(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<AlertsResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const [located, alerts] = await Promise.all([
      this.located(workload, clusters),
      this.alerts(workload, range, clusters),
    ]);
    return {
      entityRef: workload.entityRef,
      range: describeRange(range),
      alerts: alerts.alerts,
      truncated: alerts.truncated,
      queries: alerts.queries,
      sources: mergeSources(
        clusters.statuses,
        located.map(l => l.kubernetes),
        alerts.sources,
      ),
    };
  }

  async getDiagnosis(
    query: EvidenceQuery,
    options: IncidentRequestOptions,
  ): Promise<DiagnosisResponse> {
    const { workload, range, clusters } = await this.prepare(query, options);
    const [evidence, forensics, lookback, alerts] = await Promise.all([
      this.timeline(workload, range, clusters),
      this.forensicsEvidence(workload.entityRef, range),
      this.memoryLookback(workload, range, clusters),
      this.alerts(workload, range, clusters),
    ]);
    // The same cached evidence (the timeline stands for it), alerts and
    // look-back, with the same forensics verdict and range, give the same
    // diagnosis.
    const inputs = JSON.stringify([
      evidence.sources,
      forensics ?? null,
      range.startSeconds,
      range.endSeconds,
    ]);
    const known = this.diagnoses.get(evidence.timeline);
    const { hypotheses, recommendation, memoryLookback } =
      known &&
      known.alerts === alerts &&
      known.lookback === lookback &&
      known.inputs === inputs
        ? known.result
        : remember(this.diagnoses, evidence.timeline, {
            alerts,
            lookback,
            inputs,
            result: diagnose(
              {
                replicas: evidence.replicas.replicas,
                events: evidence.replicas.events,
                nodes: evidence.replicas.nodes,
                metrics: evidence.metrics,
                logGroups: evidence.logs.groups,
                timeline: evidence.timeline,
                sources: evidence.sources,
                // Noted, never weighed; a failing alert source leaves them out.
                alerts: alerts.alerts,
                ...(forensics ? { forensics } : {}),
                ...(lookback ? { lookback } : {}),
              },
              {
                now: new Date(range.endSeconds * 1000),
                start: new Date(range.startSeconds * 1000),
              },
            ),
          }).result;
    return {
      entityRef: workload.entityRef,
      hypotheses,
      ...(recommendation ? { recommendation } : {}),
      ...(memoryLookback ? { memoryLookback } : {}),
      sources: evidence.sources,
    };
  }

  /**
   * The working set, limits and restarts over the look-back; none when
   * the range is as long, or when Prometheus did not answer for it (the
   * diagnosis then reads the range alone).
   */
  private async memoryLookback(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ): Promise<MemoryLookback | undefined> {
    const lookback = lookbackRange(range);
    if (!lookback) return undefined;
    const collected = await this.cache.get(
      `lookback:${JSON.stringify(workload)}:${rangeKey(lookback)}:${
        clusters.credentialsKey
      }`,
      () =>
        collectMetrics(
          this.speculated(workload, clusters),
          lookback,
          ['workingSet', 'memoryLimit', 'restarts'],
          this.speculationOptions(),
        ),
    );
    if (collected.sources.some(s => s.status !== 'ok')) return undefined;
    // One object while its metrics are cached, so a diagnosis made with it
    // is known again.
    return (
      this.lookbacks.get(collected) ??
      remember(this.lookbacks, collected, {
        startMs: lookback.startSeconds * 1000,
        endMs: lookback.endSeconds * 1000,
        stepSeconds: lookback.stepSeconds,
        metrics: { memory: collected.memory, restarts: collected.restarts },
      })
    );
  }

  /**
   * The verdict of the entity's newest node-forensics run that succeeded
   * within the range; none when forensics is off or the store fails (the
   * rest of the diagnosis stands without it).
   */
  private async forensicsEvidence(
    entityRef: string,
    range: ResolvedRange,
  ): Promise<ForensicsEvidence | undefined> {
    if (!this.deps.forensicsRuns) return undefined;
    try {
      const runs = await this.deps.forensicsRuns.listForEntity(entityRef);
      const run = runs.find(r => {
        const finished = r.finishedAt ? Date.parse(r.finishedAt) / 1000 : NaN;
        return (
          r.status === 'succeeded' &&
          r.verdict &&
          finished >= range.startSeconds &&
          finished <= range.endSeconds
        );
      });
      return run?.verdict && run.finishedAt
        ? { pod: run.pod, finishedAt: run.finishedAt, verdict: run.verdict }
        : undefined;
    } catch (error) {
      this.deps.logger.warn(
        `The node-forensics runs of ${entityRef} could not be read for the diagnosis: ${
          (error as Error).message
        }`,
      );
      return undefined;
    }
  }

  /**
   * The entity's pods in one of its clusters, listed as the evidence lists
   * them and under the same namespace rules (for node forensics, which
   * runs only on these).
   */
  async getEntityPods(
    entityRef: string,
    cluster: string,
    options: IncidentRequestOptions,
  ): Promise<EntityPods> {
    const { workload, owner, clusters } = await this.claimedWorkload(
      entityRef,
      options,
    );
    const connection = clusters.connections.find(c => c.name === cluster);
    if (!connection) {
      throw new InputError(
        `${workload.entityRef} has no pods in cluster ${cluster}: ${
          clusters.connections.length
            ? `its clusters are ${clusters.connections
                .map(c => c.name)
                .join(', ')}`
            : clusters.statuses[0]?.error ?? 'no cluster is configured'
        }`,
      );
    }
    const located = await locatePods(
      connection,
      workload,
      this.deps.config.limits.scopes,
    );
    if (located.kubernetes.status !== 'ok') {
      throw new Error(
        located.kubernetes.error ??
          `The pods of ${workload.entityRef} could not be listed`,
      );
    }
    if (
      !workload.namespace &&
      this.namespaces.configured &&
      !options.allNamespaces
    ) {
      this.checkClaim(
        workload,
        owner,
        cluster,
        new Set(located.pods.map(pod => pod.metadata?.namespace ?? '')),
      );
    }
    return {
      entityRef: workload.entityRef,
      namespace: workload.namespace,
      pods: located.pods,
    };
  }

  private async prepare(query: EvidenceQuery, options: IncidentRequestOptions) {
    const range = resolveRange(query, this.deps.now?.() ?? Date.now());
    const { workload, owner, clusters } = await this.claimedWorkload(
      query.entityRef,
      options,
    );
    // Pods found in every namespace: each namespace they are in must be
    // the owner's, unless the caller may read all namespaces.
    if (
      !workload.namespace &&
      this.namespaces.configured &&
      !options.allNamespaces
    ) {
      for (const { connection, pods } of await this.located(
        workload,
        clusters,
      )) {
        this.checkClaim(
          workload,
          owner,
          connection.name,
          new Set(pods.map(pod => pod.metadata?.namespace ?? '')),
        );
      }
    }
    return { workload, range, clusters };
  }

  // Each piece of evidence is cached by what it depends on, so the five
  // endpoints of one tab share one set of upstream calls; read with the
  // user's own Kubernetes credentials, it is shared only with requests that
  // carry the same ones.
  private located(
    workload: ResolvedWorkload,
    clusters: RequestClusters,
  ): Promise<LocatedWorkload[]> {
    return this.cache.get(
      `pods:${JSON.stringify(workload)}:${clusters.credentialsKey}`,
      () =>
        Promise.all(
          clusters.connections.map(connection =>
            locatePods(connection, workload, this.deps.config.limits.scopes),
          ),
        ),
      // The connections are shared, not held by the entry.
      located =>
        approximateSize(located.map(({ pods, scopes }) => ({ pods, scopes }))),
    );
  }

  /**
   * The entity's workload in each cluster while its pods are listed:
   * Prometheus and Loki are asked at once about the scopes of the pods it
   * had when last listed, else about the pods its annotations point to
   * (see `speculativeScope`), and the answers narrowed to the listed pods,
   * so evidence waits for one upstream round trip, not two.
   */
  private speculated(
    workload: ResolvedWorkload,
    clusters: RequestClusters,
  ): SpeculatedWorkload[] {
    const located = this.located(workload, clusters);
    const guess = speculativeScope(workload);
    return clusters.connections.map((connection, i) => {
      const key = `${JSON.stringify(workload)}:${connection.name}:${
        clusters.credentialsKey
      }`;
      const speculative =
        this.listedScopes.recall(key) ?? (guess ? [guess] : undefined);
      return {
        connection,
        ...(speculative ? { speculative } : {}),
        located: located.then(all => {
          const found =
            all.find(l => l.connection.name === connection.name) ?? all[i];
          if (found?.kubernetes.status === 'ok') {
            this.listedScopes.remember(key, found.scopes);
          }
          return found;
        }),
      };
    });
  }

  private speculationOptions() {
    return {
      maxSeries: this.deps.config.limits.seriesPerQuery,
      counters: this.deps.speculation,
    };
  }

  private replicas(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ) {
    return this.cache.get(
      `replicas:${JSON.stringify(workload)}:${range.endSeconds}:${
        clusters.credentialsKey
      }`,
      () => {
        // Events and nodes are asked for with the pods, as Prometheus is.
        const nodesKey = (cluster: string) =>
          `${JSON.stringify(workload)}:${cluster}:${clusters.credentialsKey}`;
        return collectReplicas(
          this.speculated(workload, clusters),
          workload,
          range.endSeconds,
          {
            ...this.speculationOptions(),
            speculation: cluster => ({
              namespace: workload.namespace,
              nodes: this.listedNodes.recall(nodesKey(cluster)),
            }),
            // Nodes are the cluster's, not the workload's: a read is shared
            // with every entity whose pods run there, for the cache's TTL.
            readNode: (connection, name) =>
              this.cache.get(
                `node:${connection.name}:${name}:${clusters.credentialsKey}`,
                () => connection.kubernetes.readNode(name),
              ),
            onLocated: located => {
              if (located.kubernetes.status !== 'ok') return;
              this.listedNodes.remember(nodesKey(located.connection.name), [
                ...new Set(
                  located.pods.flatMap(pod =>
                    pod.spec?.nodeName ? [pod.spec.nodeName] : [],
                  ),
                ),
              ]);
            },
          },
        );
      },
    );
  }

  private metrics(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ) {
    return this.cache.get(
      `metrics:${JSON.stringify(workload)}:${rangeKey(range)}:${
        clusters.credentialsKey
      }`,
      () =>
        collectMetrics(
          this.speculated(workload, clusters),
          range,
          undefined,
          this.speculationOptions(),
        ),
    );
  }

  private logs(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ) {
    return this.cache.get(
      `logs:${JSON.stringify(workload)}:${rangeKey(range)}:${
        clusters.credentialsKey
      }`,
      () =>
        collectLogs(this.speculated(workload, clusters), range, {
          lokiSelector: workload.lokiSelector,
          maxLines: this.deps.config.limits.logLines,
          counters: this.deps.speculation,
        }),
    );
  }

  private alerts(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ) {
    return this.cache.get(
      `alerts:${JSON.stringify(workload)}:${rangeKey(range)}:${
        clusters.credentialsKey
      }`,
      () =>
        collectAlerts(
          this.speculated(workload, clusters),
          range,
          (this.deps.now?.() ?? Date.now()) / 1000,
          this.speculationOptions(),
        ),
    );
  }

  private async timeline(
    workload: ResolvedWorkload,
    range: ResolvedRange,
    clusters: RequestClusters,
  ) {
    const [replicas, metrics, logs] = await Promise.all([
      this.replicas(workload, range, clusters),
      this.metrics(workload, range, clusters),
      this.logs(workload, range, clusters),
    ]);
    const known = this.timelines.get(metrics);
    const timeline =
      known &&
      known.replicas === replicas &&
      known.logs === logs &&
      known.stepSeconds === range.stepSeconds
        ? known.timeline
        : remember(this.timelines, metrics, {
            replicas,
            logs,
            stepSeconds: range.stepSeconds,
            timeline: buildTimeline({
              metrics,
              logEntries: logs.entries,
              replicas: replicas.replicas,
              stepSeconds: range.stepSeconds,
            }),
          }).timeline;
    return {
      replicas,
      metrics,
      logs,
      timeline,
      sources: mergeSources(
        clusters.statuses,
        replicas.sources,
        metrics.sources,
        logs.sources,
      ),
    };
  }
}
