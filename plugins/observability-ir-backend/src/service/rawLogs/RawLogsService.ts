import {
  InputError,
  isError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { V1Pod } from '@kubernetes/client-node';
import {
  PreviousLogsQuery,
  PreviousLogsResponse,
  RAW_LOGS_LIMITS,
  RawLogLine,
  RawLogsQuery,
  RawLogsResponse,
  RawLogsTruncation,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { UpstreamError } from '../../clients/UpstreamError';
import { shortenText } from '../../clients/upstreamText';
import { kubectlPreviousLogsCommand, podLogLines } from '../../queries';
import { authorizeIncidentRead } from '../authorizeIncidentRead';
import type { EntityPods } from '../DefaultIncidentService';
import {
  ClusterConnection,
  ClusterConnections,
} from '../fanout/ClusterConnections';
import { failedSource } from '../fanout/sourceStatus';
import type { IncidentRequestOptions } from '../IncidentService';
import type { EntityServiceDeps } from '../entityServiceDeps';
import { normalizeEntityRef } from '../workload/entityRefs';
import {
  ResolvedWorkload,
  resolveEntityWorkload,
} from '../workload/resolveEntityWorkload';

/**
 * Bytes asked of the Kubernetes API for the previous instance's log
 * (`limitBytes`): room for the last lines of the tail, from which the
 * answer keeps at most `RAW_LOGS_LIMITS.maxBytes`.
 */
export const PREVIOUS_LOG_READ_BYTES = 4 * 1024 * 1024;

/** The kubelet's answer when a container has no previous instance. */
const NO_PREVIOUS = /previous terminated container .* not found/;

/** Errors of the pod listing that answer the request as they are. */
const REFUSALS = new Set([
  'InputError',
  'NotAllowedError',
  'NotFoundError',
  'AuthenticationError',
]);

/** One line read, with its time in nanoseconds for ordering. */
interface Entry {
  ns: bigint;
  line: string;
  container?: string;
}

/** The pod of the entity a request is about, and where to read it. */
interface ResolvedPod {
  entityRef: string;
  workload: ResolvedWorkload;
  connection: ClusterConnection;
  pod: V1Pod;
  namespace: string;
  name: string;
  container?: string;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') + 1;
}

function isoOfNanos(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** `2024-05-01T10:00:00.123456789Z line` as the kubelet writes it. */
function splitTimestamp(text: string): RawLogLine {
  const match =
    /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) (.*)$/s.exec(
      text,
    );
  if (!match) {
    return { line: text };
  }
  const fraction = (match[2] ?? '.000').slice(0, 4).padEnd(4, '0');
  const ms = Date.parse(`${match[1]}${fraction}${match[3]}`);
  return Number.isNaN(ms)
    ? { line: text }
    : { timestamp: new Date(ms).toISOString(), line: match[4] };
}

/**
 * Raw log lines of one of an entity's pods: from Loki in a bounded window
 * around a moment, and the previous instance of a container from the
 * Kubernetes API. Read under the entity's incident read permission and the
 * same namespace rules as its evidence; the pod must be one the server
 * lists for the entity, so no request reads an arbitrary pod. Every answer
 * is capped in lines and bytes and says when it was.
 */
export class RawLogsService {
  private readonly connections: ClusterConnections;

  constructor(private readonly deps: EntityServiceDeps) {
    this.connections = new ClusterConnections({
      access: deps.clusterAccess,
      config: deps.config,
      logger: deps.logger,
    });
  }

  /** `GET /v1/logs/raw`. */
  async getRawLogs(
    query: RawLogsQuery,
    options: IncidentRequestOptions,
  ): Promise<RawLogsResponse> {
    const target = await this.resolve(query, options);
    const { connection } = target;
    const atMs = query.at
      ? Date.parse(query.at)
      : this.deps.now?.() ?? Date.now();
    const atSeconds = Math.floor(atMs / 1000);
    const before = query.before ?? RAW_LOGS_LIMITS.defaultBeforeSeconds;
    const after = query.after ?? RAW_LOGS_LIMITS.defaultAfterSeconds;
    const window = {
      start: new Date((atSeconds - before) * 1000).toISOString(),
      at: new Date(atMs).toISOString(),
      end: new Date((atSeconds + after) * 1000).toISOString(),
    };
    const logql = podLogLines(
      {
        namespace: target.namespace,
        pods: { names: [target.name] },
        ...(target.container ? { container: target.container } : {}),
      },
      {
        selectorAnnotation: target.workload.lokiSelector,
        search: query.search,
      },
    );
    const base = {
      entityRef: target.entityRef,
      cluster: connection.name,
      namespace: target.namespace,
      pod: target.name,
      ...(target.container ? { container: target.container } : {}),
      window,
      ...(query.search !== undefined ? { search: query.search } : {}),
      limits: {
        lines: RAW_LOGS_LIMITS.maxLines,
        bytes: RAW_LOGS_LIMITS.maxBytes,
      },
      query: { name: 'raw log lines', cluster: connection.name, query: logql },
    };
    const kubernetes: SourceStatus = {
      cluster: connection.name,
      source: 'kubernetes',
      status: 'ok',
    };
    const loki = connection.loki;
    if (!loki) {
      return {
        ...base,
        lines: [],
        sources: [
          kubernetes,
          {
            cluster: connection.name,
            source: 'loki',
            status: 'not-configured',
            error: `No loki is configured for cluster ${connection.name} (observabilityIr.clusters)`,
          },
        ],
      };
    }
    const limit = RAW_LOGS_LIMITS.maxLines + 1;
    try {
      const [older, newer] = await Promise.all([
        before > 0
          ? loki.queryRange(logql, {
              startSeconds: atSeconds - before,
              endSeconds: atSeconds,
              limit,
              direction: 'backward',
            })
          : undefined,
        after > 0
          ? loki.queryRange(logql, {
              startSeconds: atSeconds,
              endSeconds: atSeconds + after,
              limit,
              direction: 'forward',
            })
          : undefined,
      ]);
      const atNs = BigInt(atSeconds) * 1_000_000_000n;
      const entries = (answer: typeof older) =>
        (answer?.streams ?? []).flatMap(s =>
          s.values.map(
            ([ns, line]): Entry => ({
              ns: BigInt(ns),
              line,
              container: s.stream.container,
            }),
          ),
        );
      const kept = nearest(
        entries(older).filter(e => e.ns < atNs),
        entries(newer).filter(e => e.ns >= atNs),
        atNs,
      );
      const warnings = [...(older?.warnings ?? []), ...(newer?.warnings ?? [])];
      return {
        ...base,
        lines: kept.entries.map(e => ({
          timestamp: isoOfNanos(e.ns),
          ...(e.container ? { container: e.container } : {}),
          line: e.line,
        })),
        ...(kept.truncated ? { truncated: kept.truncated } : {}),
        sources: [
          kubernetes,
          {
            cluster: connection.name,
            source: 'loki',
            status: 'ok',
            ...(warnings.length ? { warnings } : {}),
          },
        ],
      };
    } catch (error) {
      return {
        ...base,
        lines: [],
        sources: [kubernetes, failedSource(connection, 'loki', error)],
      };
    }
  }

  /** `GET /v1/logs/previous`. */
  async getPreviousLogs(
    query: PreviousLogsQuery,
    options: IncidentRequestOptions,
  ): Promise<PreviousLogsResponse> {
    const target = await this.resolve(query, options);
    const { connection, namespace, name } = target;
    const container =
      target.container ?? target.pod.spec?.containers?.[0]?.name;
    if (!container) {
      throw new InputError(`Pod ${name} has no container`);
    }
    const tailLines = RAW_LOGS_LIMITS.maxLines;
    const base = {
      entityRef: target.entityRef,
      cluster: connection.name,
      namespace,
      pod: name,
      container,
      limits: {
        lines: RAW_LOGS_LIMITS.maxLines,
        bytes: RAW_LOGS_LIMITS.maxBytes,
      },
      kubectlCommand: kubectlPreviousLogsCommand({
        cluster: connection.name,
        namespace,
        pod: name,
        container,
        tailLines,
      }),
    };
    let text: string;
    try {
      text = await connection.kubernetes.readPodLog(namespace, name, {
        container,
        previous: true,
        timestamps: true,
        // One more than kept, to know whether there were more.
        tailLines: tailLines + 1,
        limitBytes: PREVIOUS_LOG_READ_BYTES,
      });
    } catch (error) {
      const ok: SourceStatus = {
        cluster: connection.name,
        source: 'kubernetes',
        status: 'ok',
      };
      if (
        error instanceof UpstreamError &&
        error.status === 400 &&
        NO_PREVIOUS.test(error.detail)
      ) {
        return {
          ...base,
          lines: [],
          unavailable: `Container ${container} of pod ${name} has no previous instance to read: it has not restarted since the pod started, or its kubelet has already removed the old container. The Kubernetes API answered 400: ${shortenText(
            error.message.replace(/^.*?answered 400: /, ''),
            300,
          )}`,
          sources: [ok],
        };
      }
      return {
        ...base,
        lines: [],
        sources: [failedSource(connection, 'kubernetes', error)],
      };
    }
    const maxLineLength = this.deps.config.limits.logLineLength;
    let lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let truncated: RawLogsTruncation | undefined;
    if (lines.length > tailLines) {
      lines = lines.slice(lines.length - tailLines);
      truncated = 'lines';
    }
    const parsed = lines.map(splitTimestamp).map(l => ({
      ...l,
      line:
        l.line.length > maxLineLength
          ? `${l.line.slice(0, maxLineLength)}…`
          : l.line,
    }));
    // Keep the end of the log within the byte cap.
    let bytes = 0;
    let first = parsed.length;
    while (first > 0) {
      const size = utf8Bytes(parsed[first - 1].line);
      if (bytes + size > RAW_LOGS_LIMITS.maxBytes) {
        truncated = 'bytes';
        break;
      }
      bytes += size;
      first--;
    }
    return {
      ...base,
      lines: parsed.slice(first),
      ...(truncated ? { truncated } : {}),
      sources: [
        { cluster: connection.name, source: 'kubernetes', status: 'ok' },
      ],
    };
  }

  /**
   * The entity's pod the query names, as the server lists the entity's
   * pods: refused with 404 when it is not one of them.
   */
  private async resolve(
    query: PreviousLogsQuery,
    options: IncidentRequestOptions,
  ): Promise<ResolvedPod> {
    const authorized = await authorizeIncidentRead(
      this.deps.permissions,
      query.entityRef,
      options,
    );
    const ref = normalizeEntityRef(query.entityRef);
    const entity = await this.deps.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${ref} in the catalog`);
    }
    const workload = resolveEntityWorkload(entity);
    const clusters = await this.connections.forRequest(
      workload.cluster,
      options.kubernetesAuth,
    );
    const names = clusters.connections.map(c => c.name);
    let connection: ClusterConnection | undefined;
    if (query.cluster) {
      connection = clusters.connections.find(c => c.name === query.cluster);
      if (!connection) {
        throw new InputError(
          `${workload.entityRef} is not read from cluster ${query.cluster}: ${
            names.length
              ? `its clusters are ${names.join(', ')}`
              : clusters.statuses[0]?.error ?? 'no cluster is configured'
          }`,
        );
      }
    } else if (clusters.connections.length === 1) {
      connection = clusters.connections[0];
    } else {
      throw new InputError(
        names.length
          ? `Say which cluster the pod runs in (cluster): ${
              workload.entityRef
            } is read from ${names.join(', ')}`
          : clusters.statuses[0]?.error ?? 'No cluster is configured',
      );
    }
    let entityPods: EntityPods;
    try {
      entityPods = await this.deps.pods.getEntityPods(
        workload.entityRef,
        connection.name,
        authorized,
      );
    } catch (error) {
      if (isError(error) && REFUSALS.has(error.name)) throw error;
      // Without the list, nothing says the pod is the entity's.
      throw new ServiceUnavailableError(
        `The pods of ${
          workload.entityRef
        } could not be listed, so no log is read: ${(error as Error).message}`,
      );
    }
    const matching = entityPods.pods.filter(
      p =>
        p.metadata?.name === query.pod &&
        (!query.namespace || p.metadata?.namespace === query.namespace),
    );
    if (matching.length === 0) {
      throw new NotFoundError(
        `Pod ${shortenText(query.pod, 100)}${
          query.namespace ? ` in namespace ${query.namespace}` : ''
        } is not one of the pods of ${workload.entityRef} in cluster ${
          connection.name
        }`,
      );
    }
    if (matching.length > 1) {
      throw new InputError(
        `Say which namespace (namespace): pods named ${query.pod} of ${
          workload.entityRef
        } run in ${matching.map(p => p.metadata?.namespace).join(', ')}`,
      );
    }
    const pod = matching[0];
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []),
    ].map(c => c.name);
    if (query.container && !containers.includes(query.container)) {
      throw new InputError(
        `Pod ${query.pod} has no container ${shortenText(
          query.container,
          70,
        )}: its containers are ${containers.join(', ') || 'none'}`,
      );
    }
    return {
      entityRef: workload.entityRef,
      workload,
      connection,
      pod,
      namespace: pod.metadata!.namespace!,
      name: pod.metadata!.name!,
      container: query.container,
    };
  }
}

/**
 * The lines nearest the moment, taking from either side by distance until
 * a cap is reached; oldest first. `older` is newest first, `newer` oldest
 * first, as Loki answered them.
 */
function nearest(
  older: Entry[],
  newer: Entry[],
  atNs: bigint,
): { entries: Entry[]; truncated?: RawLogsTruncation } {
  const seen = new Set<string>();
  const kept: Entry[] = [];
  let bytes = 0;
  let i = 0;
  let j = 0;
  let truncated: RawLogsTruncation | undefined;
  while (i < older.length || j < newer.length) {
    const takeOlder =
      j >= newer.length ||
      (i < older.length && atNs - older[i].ns <= newer[j].ns - atNs);
    const entry = takeOlder ? older[i++] : newer[j++];
    const key = `${entry.ns}\u0000${entry.container ?? ''}\u0000${entry.line}`;
    if (seen.has(key)) continue;
    if (kept.length >= RAW_LOGS_LIMITS.maxLines) {
      truncated = 'lines';
      break;
    }
    const size = utf8Bytes(entry.line);
    if (bytes + size > RAW_LOGS_LIMITS.maxBytes) {
      truncated = 'bytes';
      break;
    }
    seen.add(key);
    bytes += size;
    kept.push(entry);
  }
  kept.sort((a, b) => Number(a.ns - b.ns));
  return { entries: kept, ...(truncated ? { truncated } : {}) };
}
