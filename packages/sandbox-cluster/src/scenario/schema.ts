import { z } from 'zod';
import { isQuantity, parseDuration } from '../util/quantity';

/**
 * The scenario file format. Every scenario describes one or more clusters:
 * their nodes, namespaces, workloads (with the behaviour of each container
 * over time), services and ServiceMonitors. See the package README for a
 * field by field reference.
 */

const name = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a lowercase RFC 1123 name',
  );
const quantity = z
  .union([z.string(), z.number()])
  .refine(isQuantity, 'must be a Kubernetes quantity such as 512Mi or 250m');
const relativeTime = z
  .string()
  .refine(
    v => /^-?([0-9]+(ms|s|m|h|d))+$/.test(v),
    'must be a duration relative to scenario start such as -30m or 2h',
  );
const duration = z.string().refine(v => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a duration such as 15s or 5m');
const labels = z.record(z.string(), z.string());

const resources = z
  .object({
    requests: z
      .object({ cpu: quantity.optional(), memory: quantity.optional() })
      .strict()
      .optional(),
    limits: z
      .object({ cpu: quantity.optional(), memory: quantity.optional() })
      .strict()
      .optional(),
  })
  .strict();

const probe = z
  .object({
    httpGet: z
      .object({
        path: z.string(),
        port: z.union([z.number().int(), z.string()]),
      })
      .strict()
      .optional(),
    tcpSocket: z
      .object({ port: z.union([z.number().int(), z.string()]) })
      .strict()
      .optional(),
    initialDelaySeconds: z.number().int().min(0).default(0),
    periodSeconds: z.number().int().min(1).default(10),
    timeoutSeconds: z.number().int().min(1).default(1),
    failureThreshold: z.number().int().min(1).default(3),
  })
  .strict();

/** Runtimes whose log formats the sandbox writes (see runtimes/). */
export const RUNTIMES = [
  'java',
  'python',
  'go',
  'node',
  'dotnet',
  'rust',
] as const;
export type Runtime = (typeof RUNTIMES)[number];

const logs = z
  .object({
    intervalSeconds: z.number().positive().default(20),
    lines: z.array(z.string()).min(1).optional(),
  })
  .strict();

const common = {
  cpuCores: z.number().min(0).default(0.1),
  startupSeconds: z.number().min(0).default(20),
  logs: logs.default({}),
  /**
   * The container's `runtime`, which the loader copies here so that every
   * pod built from the container (after a rollout, with per-pod overrides)
   * writes that runtime's logs. Set `runtime` on the container.
   */
  runtime: z.enum(RUNTIMES).optional(),
};

/** How a container behaves over time; the root cause lives here. */
export const behaviorSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('steady'),
      ...common,
      memory: quantity.default('256Mi'),
      /** Probes time out because the pod network drops traffic. */
      networkUnreachable: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.literal('memory-leak'),
      ...common,
      baselineMemory: quantity,
      demandMemory: quantity,
      rampSeconds: z.number().positive(),
      /**
       * The runtime's own heap cap (JVM -Xmx, Node --max-old-space-size,
       * .NET GCHeapHardLimit, an address-space rlimit): reached before
       * limits.memory, the process fails with its memory error instead of
       * being OOMKilled.
       */
      heapLimit: quantity.optional(),
      restartDelaySeconds: z.number().min(0).default(10),
    })
    .strict(),
  z
    .object({
      type: z.literal('crash-loop'),
      ...common,
      memory: quantity.default('200Mi'),
      crashAfterSeconds: z.number().positive().default(8),
      /** Defaults to the exit code of the runtime's crash (1 for java). */
      exitCode: z.number().int().min(1).max(255).optional(),
      error: z.enum(['null-pointer', 'missing-config']).default('null-pointer'),
    })
    .strict(),
]);

/**
 * Per container name, fields of its behaviour that differ in one pod; merged
 * over the container's behaviour (same type) and validated like it.
 */
const behaviorOverrides = z.record(name, z.record(z.string(), z.unknown()));

const container = z
  .object({
    name,
    image: z.string().min(1),
    ports: z
      .array(
        z
          .object({
            name: z.string().optional(),
            containerPort: z.number().int().min(1).max(65535),
          })
          .strict(),
      )
      .default([]),
    resources: resources.default({}),
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    /** Which runtime's log formats the container writes; java if absent. */
    runtime: z.enum(RUNTIMES).optional(),
    behavior: behaviorSchema,
  })
  .strict()
  .transform(c =>
    c.runtime === undefined
      ? c
      : { ...c, behavior: { ...c.behavior, runtime: c.runtime } },
  );

const pod = z
  .object({
    name,
    node: name,
    /** Restart count of every container at scenario start. */
    restarts: z.number().int().min(0).default(0),
    /** When the pod was created, relative to scenario start. */
    createdAt: relativeTime.optional(),
    /** When the kubelet evicted the pod, relative to scenario start. */
    evictedAt: relativeTime.optional(),
    /** Per container name, behaviour fields that differ in this pod. */
    behavior: behaviorOverrides.optional(),
  })
  .strict();

/** A replica of a StatefulSet or DaemonSet (its name is derived). */
const workloadPod = z
  .object({
    node: name,
    restarts: z.number().int().min(0).default(0),
    createdAt: relativeTime.optional(),
    behavior: behaviorOverrides.optional(),
  })
  .strict();

const statefulSet = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    /** The governing headless Service (defaults to the StatefulSet's name). */
    serviceName: name.optional(),
    /** One entry per replica, in ordinal order: <name>-0, <name>-1, ... */
    pods: z.array(workloadPod).min(1),
    containers: z.array(container).min(1),
  })
  .strict();

const daemonSet = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    /** One pod per entry, at most one per node; default one on every node. */
    pods: z.array(workloadPod).min(1).optional(),
    containers: z.array(container).min(1),
  })
  .strict();

const horizontalPodAutoscaler = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    scaleTargetRef: z
      .object({
        kind: z.enum(['Deployment', 'StatefulSet']),
        name,
      })
      .strict(),
    minReplicas: z.number().int().min(1).default(1),
    maxReplicas: z.number().int().min(1),
    metrics: z
      .array(
        z
          .object({
            resource: z.enum(['cpu', 'memory']),
            averageUtilization: z.number().int().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .refine(h => h.minReplicas <= h.maxReplicas, {
    message: 'must be greater than or equal to minReplicas',
    path: ['maxReplicas'],
  });

const cronJob = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    schedule: z
      .string()
      .refine(
        v => v.trim().split(/\s+/).length === 5 || /^@[a-z]+$/.test(v),
        'must be a cron schedule such as "0 2 * * *" or @hourly',
      ),
    timeZone: z.string().optional(),
    suspend: z.boolean().default(false),
    containers: z
      .array(
        z
          .object({
            name,
            image: z.string().min(1),
            command: z.array(z.string()).optional(),
            args: z.array(z.string()).optional(),
            resources: resources.default({}),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const deployment = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    /** Name of the current ReplicaSet; pod names usually start with it. */
    replicaSet: name,
    pods: z.array(pod).min(1),
    containers: z.array(container).min(1),
    /**
     * The labels of the pods' Loki streams: `kubernetes` (Fluent Bit's
     * kubernetes filter adds namespace, pod, container, node and the pod's
     * labels) or `file` (the records miss the filter, so the streams carry
     * only `job` and `filename`). Default `kubernetes`.
     */
    logLabels: z.enum(['kubernetes', 'file']).optional(),
  })
  .strict();

const service = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    selector: labels,
    ports: z
      .array(
        z
          .object({
            name: z.string(),
            port: z.number().int().min(1).max(65535),
            targetPort: z.union([z.number().int(), z.string()]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const serviceMonitor = z
  .object({
    name,
    namespace: name,
    labels: labels.default({}),
    selector: labels,
    namespaceSelector: z
      .object({
        any: z.boolean().optional(),
        matchNames: z.array(z.string()).optional(),
      })
      .strict()
      .default({ any: true }),
    endpoints: z
      .array(
        z
          .object({
            port: z.string(),
            interval: duration.default('30s'),
            path: z.string().default('/metrics'),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const node = z
  .object({
    name,
    internalIP: z.string().ip({ version: 'v4' }),
    capacity: z
      .object({ cpu: quantity.default('4'), memory: quantity.default('16Gi') })
      .strict()
      .default({}),
    /** The node reports MemoryPressure=True from this time on. */
    memoryPressureSince: relativeTime.optional(),
  })
  .strict();

/** One Kubernetes cluster with its own API, Prometheus and Loki. */
export const clusterSchema = z
  .object({
    name,
    nodes: z.array(node).min(1),
    namespaces: z.array(name).min(1),
    deployments: z.array(deployment).default([]),
    services: z.array(service).default([]),
    serviceMonitors: z.array(serviceMonitor).default([]),
    statefulSets: z.array(statefulSet).optional(),
    daemonSets: z.array(daemonSet).optional(),
    horizontalPodAutoscalers: z.array(horizontalPodAutoscaler).optional(),
    cronJobs: z.array(cronJob).optional(),
  })
  .strict();

/** Parameters of the generated `scale` scenario. */
export const scaleParamsSchema = z
  .object({
    clusters: z.number().int().min(1).max(10).default(1),
    namespaces: z.number().int().min(1).max(1000).default(5),
    podsPerNamespace: z.number().int().min(1).max(1000).default(4),
    nodesPerCluster: z.number().int().min(1).max(500).default(3),
    oomPercent: z.number().min(0).max(100).default(3),
  })
  .strict();

const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a valid label name');

/**
 * One alerting rule, as in a Prometheus rule file. Recording rules (`record`)
 * are not evaluated by the sandbox and are refused.
 */
const alertRule = z
  .object({
    alert: z.string().min(1, 'must not be empty'),
    expr: z.string().min(1, 'must not be empty'),
    for: duration.default('0s'),
    labels: z.record(labelName, z.string()).default({}),
    annotations: z.record(labelName, z.string()).default({}),
    record: z
      .unknown()
      .refine(
        v => v === undefined,
        'recording rules are not evaluated by the sandbox; only alerting rules (alert)',
      )
      .optional(),
  })
  .strict();

/** A Prometheus rule group: rules evaluated together at one interval. */
const alertRuleGroup = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    /** Evaluation interval; Prometheus's default evaluation_interval, 1m. */
    interval: duration.default('1m'),
    rules: z.array(alertRule).min(1),
  })
  .strict();

/** A complete scenario file. */
export const scenarioSchema = z
  .object({
    name,
    description: z.string().default(''),
    seed: z.number().int().default(1),
    historyHours: z.number().positive().max(48).default(6),
    scrapeIntervalSeconds: z.number().int().min(1).default(15),
    clusters: z.array(clusterSchema).optional(),
    /** Alerting rule groups every cluster's Prometheus evaluates. */
    alertRules: z.array(alertRuleGroup).optional(),
    /** Generate the clusters from parameters instead of listing them. */
    generate: z
      .object({
        kind: z.literal('scale'),
        params: scaleParamsSchema.default({}),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine(s => Boolean(s.clusters) !== Boolean(s.generate), {
    message: 'exactly one of "clusters" or "generate" must be given',
    path: ['clusters'],
  });

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export type ClusterSpec = z.infer<typeof clusterSchema>;
export type DeploymentSpec = z.infer<typeof deployment>;
export type ContainerSpec = z.infer<typeof container>;
export type PodSpecEntry = z.infer<typeof pod>;
export type WorkloadPodEntry = z.infer<typeof workloadPod>;
export type BehaviorOverrides = z.infer<typeof behaviorOverrides>;
export type StatefulSetSpec = z.infer<typeof statefulSet>;
export type DaemonSetSpec = z.infer<typeof daemonSet>;
export type HorizontalPodAutoscalerSpec = z.infer<
  typeof horizontalPodAutoscaler
>;
export type CronJobSpec = z.infer<typeof cronJob>;
export type ProbeSpec = z.infer<typeof probe>;
export type BehaviorSpec = z.infer<typeof behaviorSchema>;
export type ServiceSpec = z.infer<typeof service>;
export type ServiceMonitorSpec = z.infer<typeof serviceMonitor>;
export type NodeSpec = z.infer<typeof node>;
export type ScaleParams = z.infer<typeof scaleParamsSchema>;
export type AlertRuleSpec = z.infer<typeof alertRule>;
export type AlertRuleGroupSpec = z.infer<typeof alertRuleGroup>;

/** A scenario ready to run: clusters are always present. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  historyHours: number;
  scrapeIntervalSeconds: number;
  clusters: ClusterSpec[];
  /** Alerting rule groups each cluster's Prometheus evaluates (none if absent). */
  alertRules?: AlertRuleGroupSpec[];
}
