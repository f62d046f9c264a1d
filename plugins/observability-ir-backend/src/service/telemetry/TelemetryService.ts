import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import {
  SourceStatus,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { statusOf } from '../../clients/KubernetesClient';
import { UpstreamError } from '../../clients/UpstreamError';
import {
  anyOfPatterns,
  customSelectorFromAnnotation,
  escapeLabelValue,
  memoryWorkingSet,
  PodScope,
  renderMatchers,
  streamSelector,
  withPrefix,
} from '../../queries';
import { prometheusScopeMatchers } from '../../queries/scope';
import {
  ClusterConnection,
  ClusterConnections,
} from '../fanout/ClusterConnections';
import { scopesOfPods } from '../fanout/locatePods';
import { failedSource } from '../fanout/sourceStatus';
import type { IncidentRequestOptions } from '../IncidentService';
import type { EntityServiceDeps } from '../entityServiceDeps';
import { normalizeEntityRef } from '../workload/entityRefs';
import {
  ResolvedWorkload,
  resolveEntityWorkload,
} from '../workload/resolveEntityWorkload';
import { auditLogs } from './auditLogs';
import { auditMetrics, Known } from './auditMetrics';
import { authorizeIncidentRead } from '../authorizeIncidentRead';
import { ServiceMonitorObject } from './selection';

/** How far back the logs audit looks. */
const LOG_WINDOW_SECONDS = 3600;

export const SERVICE_MONITOR_KIND = {
  group: 'monitoring.coreos.com',
  version: 'v1',
  plural: 'servicemonitors',
};

function unknownOf(error: unknown): { unknown: string } {
  return { unknown: (error as Error).message };
}

/**
 * The telemetry pipeline audit of catalog entities: per cluster, whether
 * Prometheus scrapes the entity's pods through a Service and a
 * ServiceMonitor, and whether Loki has their logs with Kubernetes labels.
 * Read under the entity's incident read permission and the same namespace
 * rules as its evidence.
 */
export class TelemetryService {
  private readonly connections: ClusterConnections;

  constructor(private readonly deps: EntityServiceDeps) {
    this.connections = new ClusterConnections({
      access: deps.clusterAccess,
      config: deps.config,
      logger: deps.logger,
    });
  }

  /** `GET /v1/telemetry`: the entity's pipeline audit in each cluster. */
  async getTelemetry(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<TelemetryResponse> {
    const authorized = await authorizeIncidentRead(
      this.deps.permissions,
      entityRef,
      options,
    );
    const ref = normalizeEntityRef(entityRef);
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
    const audits = await Promise.all(
      clusters.connections.map(c => this.auditCluster(c, workload, authorized)),
    );
    return {
      entityRef: workload.entityRef,
      metrics: audits.map(a => a.metrics),
      logs: audits.map(a => a.logs),
      sources: [...clusters.statuses, ...audits.flatMap(a => a.sources)],
    };
  }

  private async auditCluster(
    connection: ClusterConnection,
    workload: ResolvedWorkload,
    options: IncidentRequestOptions,
  ) {
    const cluster = connection.name;
    const nowMs = this.deps.now?.() ?? Date.now();
    const sources: SourceStatus[] = [];
    let pods: V1Pod[] = [];
    let kubernetes: SourceStatus = {
      cluster,
      source: 'kubernetes',
      status: 'ok',
    };
    try {
      pods = (
        await this.deps.pods.getEntityPods(workload.entityRef, cluster, options)
      ).pods;
    } catch (error) {
      if (error instanceof NotAllowedError) throw error;
      kubernetes = failedSource(connection, 'kubernetes', error);
    }
    const namespaces = [
      ...new Set(pods.map(p => p.metadata?.namespace ?? '').filter(Boolean)),
    ];
    if (namespaces.length === 0 && workload.namespace) {
      namespaces.push(workload.namespace);
    }
    const kubernetesDown =
      kubernetes.status !== 'ok'
        ? {
            known: {
              unknown: kubernetes.error ?? 'The Kubernetes API did not answer.',
            },
          }
        : undefined;
    const scopes = scopesOfPods(pods, workload.extraPrometheusMatchers);

    const [services, serviceMonitors, targets, series, logs] =
      await Promise.all([
        kubernetesDown ?? this.services(connection, namespaces),
        kubernetesDown ?? this.serviceMonitors(connection),
        this.targets(connection),
        this.series(connection, scopes, nowMs),
        this.logs(connection, workload, scopes, pods, nowMs),
      ]);
    for (const answer of [services, serviceMonitors]) {
      if ('error' in answer && answer.error && kubernetes.status === 'ok') {
        kubernetes = failedSource(connection, 'kubernetes', answer.error);
      }
    }
    sources.push(kubernetes);
    sources.push(
      this.sourceStatus(connection, 'prometheus', [targets, series]),
      this.sourceStatus(connection, 'loki', [logs.status]),
    );
    return {
      metrics: auditMetrics({
        cluster,
        pods,
        services: services.known,
        serviceMonitors: serviceMonitors.known,
        targets: targets.known,
        series: series.known,
      }),
      logs: auditLogs({ ...logs.inputs, cluster, pods, nowMs }),
      sources,
    };
  }

  private sourceStatus(
    connection: ClusterConnection,
    source: 'prometheus' | 'loki',
    results: Array<{ error?: unknown }>,
  ): SourceStatus {
    if (!connection[source]) {
      return {
        cluster: connection.name,
        source,
        status: 'not-configured',
        error: `No ${source} is configured for cluster ${connection.name} (observabilityIr.clusters)`,
      };
    }
    const failed = results.find(r => r.error);
    return failed
      ? failedSource(connection, source, failed.error)
      : { cluster: connection.name, source, status: 'ok' };
  }

  private async services(
    connection: ClusterConnection,
    namespaces: string[],
  ): Promise<{ known: Known<V1Service[]>; error?: unknown }> {
    try {
      const lists = await Promise.all(
        namespaces.map(ns => connection.kubernetes.listServices(ns)),
      );
      return { known: { value: lists.flat() } };
    } catch (error) {
      return { known: unknownOf(error), error };
    }
  }

  private async serviceMonitors(
    connection: ClusterConnection,
  ): Promise<{ known: Known<ServiceMonitorObject[]>; error?: unknown }> {
    try {
      const items = await connection.kubernetes.listCustomObjects(
        SERVICE_MONITOR_KIND,
      );
      return { known: { value: items as ServiceMonitorObject[] } };
    } catch (error) {
      const status =
        error instanceof UpstreamError ? error.status : statusOf(error);
      if (status === 404) {
        // Not a failure of the API: the Prometheus Operator is not there.
        return {
          known: {
            unknown: `The ServiceMonitor CRD (monitoring.coreos.com/v1) is not installed in cluster ${connection.name}: the API answered 404 for servicemonitors, so the Prometheus Operator cannot be scraping the Service.`,
          },
        };
      }
      return { known: unknownOf(error), error };
    }
  }

  private async targets(connection: ClusterConnection) {
    const prometheus = connection.prometheus;
    if (!prometheus) {
      return {
        known: {
          unknown: `No Prometheus is configured for cluster ${connection.name}.`,
        },
      };
    }
    try {
      return { known: { value: await prometheus.activeTargets() } };
    } catch (error) {
      return { known: unknownOf(error), error };
    }
  }

  private async series(
    connection: ClusterConnection,
    scopes: PodScope[],
    nowMs: number,
  ): Promise<{
    known: Known<{ up: boolean; workingSet: boolean }>;
    error?: unknown;
  }> {
    const prometheus = connection.prometheus;
    if (!prometheus) {
      return {
        known: {
          unknown: `No Prometheus is configured for cluster ${connection.name}.`,
        },
      };
    }
    if (scopes.length === 0) {
      return { known: { value: { up: false, workingSet: false } } };
    }
    try {
      const at = nowMs / 1000;
      const answers = await Promise.all(
        scopes.flatMap(scope => [
          prometheus.query(
            `up${renderMatchers(prometheusScopeMatchers(scope))}`,
            at,
          ),
          prometheus.query(memoryWorkingSet(scope), at),
        ]),
      );
      return {
        known: {
          value: {
            up: answers.some((a, i) => i % 2 === 0 && a.data.length > 0),
            workingSet: answers.some(
              (a, i) => i % 2 === 1 && a.data.length > 0,
            ),
          },
        },
      };
    } catch (error) {
      return { known: unknownOf(error), error };
    }
  }

  private async logs(
    connection: ClusterConnection,
    workload: ResolvedWorkload,
    scopes: PodScope[],
    pods: V1Pod[],
    nowMs: number,
  ) {
    const loki = connection.loki;
    const selectors = scopes.map(scope =>
      workload.lokiSelector
        ? customSelectorFromAnnotation(workload.lokiSelector, scope)
        : streamSelector(scope),
    );
    const selector = selectors.join(' or ') || '(no pods)';
    const inputs = {
      selector,
      streams: { unknown: '' } as Known<Array<Record<string, string>>>,
      fileStreams: undefined as
        | Known<Array<Record<string, string>>>
        | undefined,
      newestEntryMs: { value: undefined } as Known<number | undefined>,
    };
    if (!loki) {
      inputs.streams = {
        unknown: `No Loki is configured for cluster ${connection.name}.`,
      };
      return { inputs, status: {} };
    }
    const range = {
      startSeconds: Math.floor(nowMs / 1000) - LOG_WINDOW_SECONDS,
      endSeconds: Math.ceil(nowMs / 1000),
    };
    try {
      const streams = (
        await Promise.all(selectors.map(s => loki.series(s, range)))
      ).flat();
      inputs.streams = { value: streams };
      let found = selectors;
      if (streams.length === 0 && pods.length > 0) {
        // The pods' container log files, as the kubelet names them. Loki
        // takes a lone regex matcher that cannot match the empty string.
        const file = `{filename=~"${escapeLabelValue(
          anyOfPatterns(
            pods.map(p =>
              withPrefix(
                `/var/log/containers/${p.metadata?.name}_${p.metadata?.namespace}_`,
              ),
            ),
          ),
        )}"}`;
        const fileStreams = await loki.series(file, range);
        inputs.fileStreams = { value: fileStreams };
        found = fileStreams.length ? [file] : [];
      }
      const newest = await Promise.all(
        found.map(s => loki.queryRange(s, { ...range, limit: 1 })),
      );
      const times = newest
        .flatMap(r => r.streams)
        .flatMap(s => s.values.map(([ns]) => Number(BigInt(ns) / 1_000_000n)));
      inputs.newestEntryMs = {
        value: times.length ? Math.max(...times) : undefined,
      };
      return { inputs, status: {} };
    } catch (error) {
      if ('unknown' in inputs.streams) inputs.streams = unknownOf(error);
      else inputs.newestEntryMs = unknownOf(error);
      return { inputs, status: { error } };
    }
  }
}
