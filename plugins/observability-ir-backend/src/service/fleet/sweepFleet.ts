import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import {
  NearOomFinding,
  RANGE_PRESETS,
  RangePreset,
  SilentOutageFinding,
  SilentOutagesResponse,
  SourceStatus,
  TopRestarter,
} from '@observability-ir/plugin-observability-ir-common';
import pLimit from 'p-limit';
import { PrometheusClient } from '../../clients/PrometheusClient';
import { UpstreamError } from '../../clients/UpstreamError';
import { shortenText } from '../../clients/upstreamText';
import { FleetOwnership } from './FleetOwnership';
import { FLEET_MAX_PAGES, FleetPodPager, PodPage } from './FleetPodPager';
import {
  abnormalLastTerminations,
  restartsWithin,
  workingSetShareAtLeast,
} from './fleetQueries';
import { ContainerRecord, containerKey, containerRecords } from './podRecords';

/** The most findings, near-OOM containers and top restarters kept. */
export const FLEET_LIMITS = {
  findings: 1000,
  nearOom: 200,
  topRestarters: 20,
} as const;

/** Clusters swept at once. */
const CLUSTER_CONCURRENCY = 4;

/** What the sweep reads from, with the plugin's own credentials. */
export interface SweepSources {
  clusters(): Promise<ClusterDetails[]>;
  /** The plugin's own credential for a cluster (no user's). */
  credential(cluster: ClusterDetails): Promise<KubernetesCredential>;
  /** The cluster's Prometheus, where one is configured. */
  prometheus(cluster: string): PrometheusClient | undefined;
  /** The catalog entities that claim pods, read with the plugin's credentials. */
  ownership(): Promise<FleetOwnership>;
  /** Pages of a cluster's pods (the default reads the API server). */
  pager?(cluster: ClusterDetails): { pages(): AsyncGenerator<PodPage, any> };
}

/** How the sweep runs. */
export interface SweepOptions {
  ranges: readonly RangePreset[];
  nearOomShare: number;
  timeoutMs: number;
  maxBodyBytes: number;
  pageSize?: number;
  logger: LoggerService;
  signal?: AbortSignal;
  now?: () => number;
}

/** What kube-state-metrics and cAdvisor said of one cluster. */
interface PrometheusView {
  /** Last abnormal termination reason, by container key. */
  lastReasons: Map<string, string>;
  /** Restarts within each range, by container key; only those above 0. */
  restarts: Map<RangePreset, Map<string, number>>;
  /** Working set / limit, by container key; only those at the share. */
  nearOom: Map<string, number>;
}

interface ClusterSweep {
  name: string;
  podsScanned: number;
  records: Map<string, ContainerRecord>;
  prometheus?: PrometheusView;
  statuses: SourceStatus[];
}

function keyOf(metric: Record<string, string>): string | undefined {
  const { namespace, pod, container } = metric;
  return namespace && pod && container
    ? containerKey({ namespace, pod, container })
    : undefined;
}

function failed(
  cluster: string,
  source: SourceStatus['source'],
  error: unknown,
  logger: LoggerService,
): SourceStatus {
  const detail =
    error instanceof UpstreamError ? error.detail : (error as Error).message;
  logger.warn(`Fleet sweep: ${source} of cluster ${cluster} failed: ${detail}`);
  return {
    cluster,
    source,
    status: 'error',
    error:
      error instanceof UpstreamError
        ? error.message
        : shortenText((error as Error).message, 300),
  };
}

/**
 * Whether a query failed because its connection was closed under it, e.g.
 * a kept-alive connection the server closed as the query went out: asked
 * again once, as it changes nothing.
 */
function connectionReset(error: unknown) {
  return (
    error instanceof UpstreamError &&
    error.status === undefined &&
    /: unreachable: (ECONNRESET|EPIPE|UND_ERR_SOCKET)\b/.test(error.message)
  );
}

async function readPrometheus(
  client: PrometheusClient,
  options: SweepOptions,
  atSeconds: number,
): Promise<{ view: PrometheusView; warnings: string[] }> {
  const warnings: string[] = [];
  const query = (promql: string) =>
    client
      .query(promql, atSeconds)
      .catch(error =>
        connectionReset(error)
          ? client.query(promql, atSeconds)
          : Promise.reject(error),
      );
  const [reasons, nearOom, ...restarts] = await Promise.all([
    query(abnormalLastTerminations()),
    query(workingSetShareAtLeast(options.nearOomShare)),
    ...options.ranges.map(range => query(restartsWithin(RANGE_PRESETS[range]))),
  ]);
  const view: PrometheusView = {
    lastReasons: new Map(),
    restarts: new Map(),
    nearOom: new Map(),
  };
  for (const { metric } of reasons.data) {
    const key = keyOf(metric);
    if (key && metric.reason) view.lastReasons.set(key, metric.reason);
  }
  for (const { metric, value } of nearOom.data) {
    const key = keyOf(metric);
    if (key && Number.isFinite(value[1])) view.nearOom.set(key, value[1]);
  }
  options.ranges.forEach((range, i) => {
    const byKey = new Map<string, number>();
    for (const { metric, value } of restarts[i].data) {
      const key = keyOf(metric);
      const count = Math.round(value[1]);
      if (key && count > 0) byKey.set(key, count);
    }
    view.restarts.set(range, byKey);
  });
  for (const answer of [reasons, nearOom, ...restarts]) {
    warnings.push(...answer.warnings);
  }
  return { view, warnings: [...new Set(warnings)] };
}

/** A container the pod status alone does not make a finding of. */
interface Undecided {
  record: ContainerRecord;
  labels?: Readonly<Record<string, string>>;
}

/**
 * Keeps, of one page, only the containers a finding can come from: an
 * abnormal termination within the longest range, any restart, or a mention
 * by Prometheus. While Prometheus has not answered yet, the containers
 * only it could name are set aside in `undecided`, to be kept or dropped
 * once it has. The page itself is dropped by the caller.
 */
function keepFromPage(
  page: PodPage,
  cluster: string,
  ownership: FleetOwnership,
  prometheus: PrometheusView | undefined | 'pending',
  sinceMs: number,
  into: Map<string, ContainerRecord>,
  undecided: Map<string, Undecided>,
) {
  for (const pod of page.pods) {
    let owner: ReturnType<FleetOwnership['ownerOf']> | null = null;
    for (const record of containerRecords(pod)) {
      const key = containerKey(record);
      const byStatus =
        (record.kill && record.kill.finishedAtMs >= sinceMs) ||
        record.restartCount > 0;
      if (!byStatus && prometheus === 'pending') {
        undecided.set(key, { record, labels: pod.metadata?.labels });
        continue;
      }
      const view = prometheus === 'pending' ? undefined : prometheus;
      const relevant =
        byStatus || view?.lastReasons.has(key) || view?.nearOom.has(key);
      if (!relevant) continue;
      if (owner === null) {
        owner = ownership.ownerOf({
          cluster,
          namespace: record.namespace,
          labels: pod.metadata?.labels,
        });
      }
      into.set(key, owner ? { ...record, owner } : record);
    }
  }
}

/** Keeps the set-aside containers Prometheus names. */
function keepNamedByPrometheus(
  undecided: Map<string, Undecided>,
  cluster: string,
  ownership: FleetOwnership,
  prometheus: PrometheusView | undefined,
  into: Map<string, ContainerRecord>,
) {
  if (!prometheus) return;
  for (const [key, { record, labels }] of undecided) {
    if (!prometheus.lastReasons.has(key) && !prometheus.nearOom.has(key)) {
      continue;
    }
    const owner = ownership.ownerOf({
      cluster,
      namespace: record.namespace,
      labels,
    });
    into.set(key, owner ? { ...record, owner } : record);
  }
}

async function sweepCluster(
  details: ClusterDetails,
  sources: SweepSources,
  ownership: FleetOwnership,
  options: SweepOptions,
  nowMs: number,
): Promise<ClusterSweep> {
  const name = details.name;
  const longest = Math.max(...options.ranges.map(r => RANGE_PRESETS[r]));
  // Prometheus and the pages at once: the containers Prometheus names are
  // kept from the pages read before it answered once it has.
  let prometheus: PrometheusView | undefined | 'pending';
  const client = sources.prometheus(name);
  let prometheusRead: Promise<void> = Promise.resolve();
  const prometheusStatuses: SourceStatus[] = [];
  if (!client) {
    prometheusStatuses.push({
      cluster: name,
      source: 'prometheus',
      status: 'not-configured',
      error: `No prometheus is configured for cluster ${name} (observabilityIr.clusters): kills between two reads of the pods, near-OOM containers and exact restart counts are not swept there`,
    });
  } else {
    prometheus = 'pending';
    prometheusRead = readPrometheus(
      client,
      options,
      Math.floor(nowMs / 1000),
    ).then(
      ({ view, warnings }) => {
        prometheus = view;
        prometheusStatuses.push({
          cluster: name,
          source: 'prometheus',
          status: 'ok',
          ...(warnings.length ? { warnings } : {}),
        });
      },
      error => {
        prometheus = undefined;
        prometheusStatuses.push(
          failed(name, 'prometheus', error, options.logger),
        );
      },
    );
  }

  const records = new Map<string, ContainerRecord>();
  const undecided = new Map<string, Undecided>();
  let podsScanned = 0;
  const kubernetesStatuses: SourceStatus[] = [];
  try {
    const pager =
      sources.pager?.(details) ??
      new FleetPodPager({
        cluster: details,
        credential: () => sources.credential(details),
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        pageSize: options.pageSize,
      });
    const pages = pager.pages();
    let next = await pages.next();
    while (!next.done) {
      options.signal?.throwIfAborted();
      podsScanned += next.value.pods.length;
      keepFromPage(
        next.value,
        name,
        ownership,
        prometheus,
        nowMs - longest * 1000,
        records,
        undecided,
      );
      next = await pages.next();
    }
    kubernetesStatuses.push({
      cluster: name,
      source: 'kubernetes',
      status: 'ok',
      ...(next.value?.truncated
        ? {
            warnings: [
              `More than ${FLEET_MAX_PAGES} pages of pods: only the first ${podsScanned} pods were swept`,
            ],
          }
        : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) {
      await prometheusRead;
      throw error;
    }
    kubernetesStatuses.push(failed(name, 'kubernetes', error, options.logger));
  }
  await prometheusRead;
  const view = prometheus === 'pending' ? undefined : prometheus;
  keepNamedByPrometheus(undecided, name, ownership, view, records);
  undecided.clear();
  const statuses = [...prometheusStatuses, ...kubernetesStatuses];
  return { name, podsScanned, records, prometheus: view, statuses };
}

/**
 * Restarts within the range as far as the pod status tells: all of them
 * when the pod started within it, else at least the one whose end falls in
 * it.
 */
function restartsFromStatus(record: ContainerRecord, sinceMs: number) {
  if (record.podStartMs !== undefined && record.podStartMs >= sinceMs) {
    return record.restartCount;
  }
  return record.kill && record.kill.finishedAtMs >= sinceMs ? 1 : 0;
}

function splitKey(key: string) {
  const [namespace, pod, container] = key.split('/');
  return { namespace, pod, container };
}

function forRange(
  range: RangePreset,
  clusters: ClusterSweep[],
  options: SweepOptions,
  nowMs: number,
): Omit<SilentOutagesResponse, 'sources' | 'podsScanned' | 'sweptAt'> {
  const sinceMs = nowMs - RANGE_PRESETS[range] * 1000;
  const findings: SilentOutageFinding[] = [];
  const nearOom: NearOomFinding[] = [];
  const restarters: TopRestarter[] = [];
  for (const cluster of clusters) {
    const promRestarts = cluster.prometheus?.restarts.get(range);
    const restartsOf = (key: string, record?: ContainerRecord) => {
      if (promRestarts) return promRestarts.get(key) ?? 0;
      return record ? restartsFromStatus(record, sinceMs) : 0;
    };
    const keys = new Set([
      ...cluster.records.keys(),
      ...(cluster.prometheus?.lastReasons.keys() ?? []),
    ]);
    for (const key of keys) {
      const record = cluster.records.get(key);
      const where = record ?? splitKey(key);
      const restartsInRange = restartsOf(key, record);
      const owner = record?.owner ? { owner: record.owner } : {};
      const base = {
        cluster: cluster.name,
        namespace: where.namespace,
        pod: where.pod,
        container: where.container,
      };
      if (record?.kill && record.kill.finishedAtMs >= sinceMs) {
        findings.push({
          ...base,
          reason: record.kill.reason,
          exitCode: record.kill.exitCode,
          restartsInRange: Math.max(restartsInRange, 1),
          restartCount: record.restartCount,
          lastKilledAt: new Date(record.kill.finishedAtMs).toISOString(),
          ...(record.memoryLimitBytes !== undefined
            ? { memoryLimitBytes: record.memoryLimitBytes }
            : {}),
          source: 'kubernetes',
          ...owner,
        });
      } else {
        const reason = cluster.prometheus?.lastReasons.get(key);
        // Kube-state-metrics saw the container restart within the range
        // after an abnormal end the pod status no longer shows.
        if (reason && restartsInRange > 0) {
          findings.push({
            ...base,
            reason,
            restartsInRange,
            restartCount: record?.restartCount ?? restartsInRange,
            ...(record?.memoryLimitBytes !== undefined
              ? { memoryLimitBytes: record.memoryLimitBytes }
              : {}),
            source: 'prometheus',
            ...owner,
          });
        }
      }
      if (restartsInRange > 0) {
        restarters.push({
          ...base,
          restartsInRange,
          restartCount: record?.restartCount ?? restartsInRange,
          ...owner,
        });
      }
    }
    for (const [key, share] of cluster.prometheus?.nearOom ?? []) {
      const record = cluster.records.get(key);
      if (record?.memoryLimitBytes === undefined) continue;
      nearOom.push({
        cluster: cluster.name,
        namespace: record.namespace,
        pod: record.pod,
        container: record.container,
        workingSetBytes: Math.round(share * record.memoryLimitBytes),
        memoryLimitBytes: record.memoryLimitBytes,
        share,
        ...(record.owner ? { owner: record.owner } : {}),
      });
    }
  }
  const byPlace = (
    a: { cluster: string; namespace: string; pod: string; container: string },
    b: typeof a,
  ) =>
    a.cluster.localeCompare(b.cluster) ||
    a.namespace.localeCompare(b.namespace) ||
    a.pod.localeCompare(b.pod) ||
    a.container.localeCompare(b.container);
  findings.sort(
    (a, b) =>
      (b.lastKilledAt ?? '').localeCompare(a.lastKilledAt ?? '') ||
      b.restartsInRange - a.restartsInRange ||
      byPlace(a, b),
  );
  nearOom.sort((a, b) => b.share - a.share || byPlace(a, b));
  restarters.sort(
    (a, b) =>
      b.restartsInRange - a.restartsInRange ||
      b.restartCount - a.restartCount ||
      byPlace(a, b),
  );
  return {
    range,
    findings: findings.slice(0, FLEET_LIMITS.findings),
    nearOom: nearOom.slice(0, FLEET_LIMITS.nearOom),
    nearOomShare: options.nearOomShare,
    topRestarters: restarters.slice(0, FLEET_LIMITS.topRestarters),
  };
}

/**
 * One sweep of every cluster: the pods of every namespace a page at a
 * time, kube-state-metrics and cAdvisor where Prometheus is configured,
 * the catalog for ownership; one answer per range. A failing cluster or
 * source is a status, never a failed sweep.
 */
export async function sweepFleet(
  sources: SweepSources,
  options: SweepOptions,
): Promise<Record<RangePreset, SilentOutagesResponse>> {
  const nowMs = (options.now ?? Date.now)();
  const [clusterList, ownership] = await Promise.all([
    sources.clusters(),
    sources.ownership(),
  ]);
  for (const { entityRef, error } of ownership.invalid) {
    options.logger.debug(`Fleet sweep: ${entityRef} claims no pods: ${error}`);
  }
  const limit = pLimit(CLUSTER_CONCURRENCY);
  const clusters = await Promise.all(
    clusterList.map(details =>
      limit(() => sweepCluster(details, sources, ownership, options, nowMs)),
    ),
  );
  const sources_: SourceStatus[] =
    clusterList.length > 0
      ? clusters.flatMap(c => c.statuses)
      : [
          {
            cluster: '(none configured)',
            source: 'kubernetes',
            status: 'not-configured',
            error:
              'No Kubernetes cluster is configured: add one to kubernetes.clusterLocatorMethods',
          },
        ];
  const podsScanned = clusters.reduce((n, c) => n + c.podsScanned, 0);
  const sweptAt = new Date(nowMs).toISOString();
  const result = {} as Record<RangePreset, SilentOutagesResponse>;
  for (const range of options.ranges) {
    result[range] = {
      sweptAt,
      podsScanned,
      ...forRange(range, clusters, options, nowMs),
      sources: sources_,
    };
  }
  return result;
}
