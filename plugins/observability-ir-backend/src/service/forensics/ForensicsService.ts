import {
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ForensicsRequest,
  ForensicsRun as ApiForensicsRun,
  ForensicsRunStatus,
  ForensicsRunsResponse,
  incidentReadAllNamespacesPermission,
  incidentReadPermission,
  observabilityIrForensicsRunPermission,
} from '@observability-ir/plugin-observability-ir-common';
import type { V1Pod } from '@kubernetes/client-node';
import { ClusterAccess } from '../../clusters/ClusterAccess';
import { ForensicsSettings } from '../../config/readForensicsConfig';
import {
  TooManyRequestsError,
  UserRateLimiter,
} from '../../rateLimit/UserRateLimiter';
import type { EntityPods } from '../DefaultIncidentService';
import type { IncidentRequestOptions } from '../IncidentService';
import type { EntityPodLister } from '../entityServiceDeps';
import { normalizeEntityRef } from '../workload/entityRefs';
import { toApiRun } from './apiRun';
import { expectedPortsFromPod } from './expectedPorts';
import { ForensicsClusters, ForensicsRunner } from './ForensicsRunner';
import { ForensicsRunChanges } from './ForensicsRunChanges';
import { ForensicsJobClient } from './ForensicsJobClient';
import { buildForensicsJob, ForensicsJobTarget } from './jobSpec';
import type {
  ForensicsRun,
  ForensicsRunStore,
  ForensicsRunTarget,
} from './store';
import { callerOf } from '../../rateLimit/callerOf';

/** What `POST /v1/forensics` answers: a new run, or the one already there. */
export interface ForensicsStart {
  run: ApiForensicsRun;
  /** An existing run for the same pod and container was answered (200). */
  existing: boolean;
}

/** A read of a run that waits until its status is another one. */
export interface ForensicsRunWait {
  /** Answer once the run's status is no longer this (at once if it is not). */
  afterStatus: ForensicsRunStatus;
  /** Ends the wait early, e.g. when the caller went away. */
  signal?: AbortSignal;
}

/**
 * How reads that wait for a change are bounded: the longest wait, how
 * often the store is read meanwhile (for runs that another backend
 * instance follows, whose changes send no news here), and how many waits
 * one caller may hold at once; past that, reads answer at once.
 */
export const FORENSICS_RUN_WAIT = {
  maxMs: 20_000,
  recheckMs: 1_000,
  perCaller: 4,
};

/**
 * Node forensics on the pods of catalog entities: start a run, read one
 * (or wait for its next status), list an entity's runs.
 */
export interface ForensicsService {
  start(
    request: ForensicsRequest,
    options: IncidentRequestOptions,
  ): Promise<ForensicsStart>;
  getRun(
    id: string,
    options: IncidentRequestOptions,
    wait?: ForensicsRunWait,
  ): Promise<ApiForensicsRun>;
  listRuns(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<ForensicsRunsResponse>;
}

/** How long a request that lost the race to create a Job waits for the run. */
const RUN_OF_EXISTING_JOB_WAIT_MS = 3_000;

const DISABLED_MESSAGE =
  'Node forensics is disabled on this Backstage instance: an administrator turns it on with observabilityIr.forensics.enabled (see the observability-ir backend README, "Node forensics")';

/**
 * `observabilityIr.forensics.enabled` is not true: starting or reading a run
 * answers 503; the history answers no run and says why (`disabled`), since
 * every Incident tab asks for it and a 5xx would be logged as an error.
 */
export class DisabledForensicsService implements ForensicsService {
  async start(): Promise<ForensicsStart> {
    throw new ServiceUnavailableError(DISABLED_MESSAGE);
  }
  async getRun(): Promise<ApiForensicsRun> {
    throw new ServiceUnavailableError(DISABLED_MESSAGE);
  }
  async listRuns(entityRef: string): Promise<ForensicsRunsResponse> {
    return { entityRef, runs: [], disabled: DISABLED_MESSAGE };
  }
}

function userOf(credentials: BackstageCredentials): string {
  const { principal } = credentials as BackstageCredentials<
    BackstageUserPrincipal | { type: string }
  >;
  if (principal.type !== 'user') {
    throw new NotAllowedError(
      'Node forensics runs on behalf of a signed-in user only',
    );
  }
  return (principal as BackstageUserPrincipal).userEntityRef;
}

function isFinal(status: ForensicsRunStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Starts node-forensics Jobs on the entity's own pods and answers the runs
 * from the store. Every call is authorized on the entity: starting with
 * `observability-ir.forensics.run`, reading with
 * `observability-ir.incident.read`. The pod must be one the server lists
 * for the entity; its node, UID, container id and expected ports come from
 * Kubernetes, never from the request.
 */
export class DefaultForensicsService implements ForensicsService {
  private readonly rateLimiter: UserRateLimiter;
  private readonly waits: typeof FORENSICS_RUN_WAIT;
  /** Waiting reads held now, per caller. */
  private readonly waiting = new Map<string, number>();

  constructor(
    private readonly deps: {
      settings: ForensicsSettings;
      store: ForensicsRunStore;
      runner: ForensicsRunner;
      pods: EntityPodLister;
      clusterAccess: ClusterAccess;
      permissions: PermissionsService;
      logger: LoggerService;
      /** Bounds each Kubernetes call of a request. */
      timeoutMs: number;
      /** The runner's news of status changes, which wakes waiting reads. */
      changes: ForensicsRunChanges;
      waits?: Partial<typeof FORENSICS_RUN_WAIT>;
      now?: () => Date;
    },
  ) {
    this.waits = { ...FORENSICS_RUN_WAIT, ...deps.waits };
    const { limits } = deps.settings;
    this.rateLimiter = new UserRateLimiter({
      perMinute: limits.userRunsPerHour / 60,
      burst: limits.userBurst,
      now: () => this.now().getTime(),
    });
  }

  async start(
    request: ForensicsRequest,
    options: IncidentRequestOptions,
  ): Promise<ForensicsStart> {
    const { settings, store, runner, logger } = this.deps;
    const requestedBy = userOf(options.credentials);
    const entityRef = normalizeEntityRef(request.entityRef);
    const allNamespaces = await this.authorize(entityRef, options, 'run');
    const entityPods = await this.deps.pods.getEntityPods(
      entityRef,
      request.cluster,
      { ...options, allNamespaces },
    );
    const pod = entityPods.pods.find(
      p =>
        p.metadata?.namespace === request.namespace &&
        p.metadata?.name === request.pod,
    );
    const client = await this.client(request.cluster, options);
    if (!pod) {
      throw await this.refusal(request, entityPods, client);
    }
    const containers = pod.spec?.containers ?? [];
    const container = request.container ?? containers[0]?.name;
    if (!container || !containers.some(c => c.name === container)) {
      throw new InputError(
        `Pod ${request.pod} has no container ${
          container ?? ''
        }: its containers are ${
          containers.map(c => c.name).join(', ') || 'none'
        }`,
      );
    }
    const node = pod.spec?.nodeName;
    if (!node) {
      throw new ConflictError(
        `Pod ${request.pod} is not scheduled on a node yet: there is no node to look at`,
      );
    }
    const target: ForensicsRunTarget = {
      cluster: request.cluster,
      namespace: request.namespace,
      pod: request.pod,
      container,
    };

    const recent = await this.recent(target);
    if (recent) {
      return { run: toApiRun(recent), existing: true };
    }
    this.takeRate(requestedBy);
    const inFlight = await store.countInFlightOnNode(request.cluster, node);
    if (inFlight >= settings.limits.runsPerNode) {
      // A concurrent request for the same pod may have just started it.
      const started = await this.recent(target);
      if (started) {
        return { run: toApiRun(started), existing: true };
      }
      throw new TooManyRequestsError(
        `Node ${node} already has ${inFlight} forensics run${
          inFlight === 1 ? '' : 's'
        } in flight, the most at once (observabilityIr.forensics.limits.runsPerNode is ${
          settings.limits.runsPerNode
        }); try again when it has finished`,
        Math.min(settings.activeDeadlineSeconds, 60),
      );
    }

    const job = buildForensicsJob(
      settings,
      this.jobTarget(pod, container, entityRef, requestedBy, request.cluster),
      this.now(),
    );
    const jobName = job.metadata!.name!;
    try {
      await client.createJob(settings.namespace, job);
    } catch (error) {
      if ((error as { status?: number }).status !== 409) throw error;
      // The same pod and container in the same time bucket: one Job. The
      // request that created it records its run a moment later.
      const waitUntil = Date.now() + RUN_OF_EXISTING_JOB_WAIT_MS;
      while (Date.now() < waitUntil) {
        const existing = await this.recent(target);
        if (existing) {
          return { run: toApiRun(existing), existing: true };
        }
        await sleep(200);
      }
      logger.info(
        `Node forensics: Job ${jobName} exists in cluster ${request.cluster} without a run; following it as a new run`,
      );
    }
    const run = await store.create({
      jobName,
      target,
      node,
      entityRef,
      requestedBy,
      lease: runner.newLease(),
    });
    logger.info(
      `Node forensics run ${run.id}: ${requestedBy} started Job ${jobName} in cluster ${request.cluster} for pod ${request.namespace}/${request.pod} (${container}) on node ${node}`,
    );
    runner.follow(run, client);
    return { run: toApiRun(run), existing: false };
  }

  async getRun(
    id: string,
    options: IncidentRequestOptions,
    wait?: ForensicsRunWait,
  ): Promise<ApiForensicsRun> {
    const { store, changes } = this.deps;
    let run = await store.get(id);
    if (!run) {
      throw new NotFoundError(`No forensics run ${id}`);
    }
    await this.authorize(run.entityRef, options, 'read');
    if (!wait || run.status !== wait.afterStatus || isFinal(run.status)) {
      return toApiRun(run);
    }
    const caller = callerOf(options.credentials);
    const held = this.waiting.get(caller) ?? 0;
    if (held >= this.waits.perCaller) {
      // Enough waits held already: this one answers now, and the caller
      // reads again later.
      return toApiRun(run);
    }
    this.waiting.set(caller, held + 1);
    try {
      const until = Date.now() + this.waits.maxMs;
      while (run.status === wait.afterStatus && !wait.signal?.aborted) {
        const left = until - Date.now();
        if (left <= 0) break;
        await changes.next(
          run.id,
          Math.min(this.waits.recheckMs, left),
          wait.signal,
        );
        run = (await store.get(run.id)) ?? run;
      }
    } finally {
      const count = (this.waiting.get(caller) ?? 1) - 1;
      if (count > 0) this.waiting.set(caller, count);
      else this.waiting.delete(caller);
    }
    return toApiRun(run);
  }

  async listRuns(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<ForensicsRunsResponse> {
    const ref = normalizeEntityRef(entityRef);
    await this.authorize(ref, options, 'read');
    const summaries = await this.deps.store.listForEntity(ref);
    // Succeeded runs with their report (the verdict), without their logs.
    const runs = await Promise.all(
      summaries.map(async summary =>
        summary.status === 'succeeded'
          ? toApiRun((await this.deps.store.get(summary.id)) ?? summary, {
              withRawOutput: false,
            })
          : toApiRun(summary, { withRawOutput: false }),
      ),
    );
    return { entityRef: ref, runs };
  }

  /**
   * Refuses a caller who may not start (or read) forensics on the entity;
   * answers whether they may read every namespace, in the same round trip.
   */
  private async authorize(
    resourceRef: string,
    options: IncidentRequestOptions,
    action: 'run' | 'read',
  ): Promise<boolean> {
    const permission =
      action === 'run'
        ? observabilityIrForensicsRunPermission
        : incidentReadPermission;
    const [decision, allNamespaces] = await this.deps.permissions.authorize(
      [
        { permission, resourceRef },
        { permission: incidentReadAllNamespacesPermission },
      ],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        action === 'run'
          ? `You are not allowed to run node forensics on the pods of ${resourceRef}`
          : `You are not allowed to read the incident data of ${resourceRef}`,
      );
    }
    return allNamespaces.result === AuthorizeResult.ALLOW;
  }

  /** A run in flight, or finished within the dedupe window, for the target. */
  private recent(
    target: ForensicsRunTarget,
  ): Promise<ForensicsRun | undefined> {
    return this.deps.store.findRecent(
      target,
      new Date(this.now().getTime() - this.deps.settings.dedupeWindowMs),
    );
  }

  private takeRate(user: string) {
    const { limits } = this.deps.settings;
    try {
      this.rateLimiter.take(user);
    } catch (error) {
      if (!(error instanceof TooManyRequestsError)) throw error;
      throw new TooManyRequestsError(
        `At most ${limits.userRunsPerHour} node forensics runs per hour per user (${limits.userBurst} at once); try again in ${error.retryAfterSeconds} s`,
        error.retryAfterSeconds,
      );
    }
  }

  /**
   * Why a pod that is not among the entity's own is refused: 403 when it
   * exists (another entity's pod), 400 when there is no such pod.
   */
  private async refusal(
    request: ForensicsRequest,
    entityPods: EntityPods,
    client: ForensicsJobClient,
  ): Promise<Error> {
    const where = `namespace ${request.namespace} of cluster ${request.cluster}`;
    const exists =
      (await client
        .readPod(request.namespace, request.pod)
        .catch(() => undefined)) !== undefined;
    if (exists) {
      return new NotAllowedError(
        `Pod ${request.pod} in ${where} is not one of the pods of ${entityPods.entityRef}: node forensics runs only on the entity's own pods`,
      );
    }
    return new InputError(
      `There is no pod ${request.pod} in ${where} among the pods of ${entityPods.entityRef}`,
    );
  }

  private jobTarget(
    pod: V1Pod,
    container: string,
    entityRef: string,
    requestedBy: string,
    cluster: string,
  ): ForensicsJobTarget {
    const containerId = pod.status?.containerStatuses?.find(
      s => s.name === container,
    )?.containerID;
    return {
      cluster,
      namespace: pod.metadata!.namespace!,
      podName: pod.metadata!.name!,
      podUid: pod.metadata?.uid ?? '',
      nodeName: pod.spec!.nodeName!,
      containerName: container,
      ...(containerId ? { containerId } : {}),
      expectedPorts: expectedPortsFromPod(pod, { containerName: container }),
      entityRef,
      requestedBy,
    };
  }

  /** A Job client for the cluster, with the request's Kubernetes credentials. */
  private async client(
    cluster: string,
    options: IncidentRequestOptions,
  ): Promise<ForensicsJobClient> {
    const details = (await this.deps.clusterAccess.clusters()).find(
      c => c.name === cluster,
    );
    if (!details) {
      throw new InputError(`There is no cluster ${cluster}`);
    }
    return jobClient(
      this.deps.clusterAccess,
      details,
      this.deps.timeoutMs,
      options,
    );
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function jobClient(
  access: ClusterAccess,
  details: ClusterDetails,
  timeoutMs: number,
  options: Pick<IncidentRequestOptions, 'kubernetesAuth'> = {},
): ForensicsJobClient {
  return new ForensicsJobClient({
    cluster: details,
    credential: () => access.credential(details, options.kubernetesAuth ?? {}),
    timeoutMs,
  });
}

/**
 * The clusters as the runner reaches them when no request is at hand
 * (a resumed run, the cleanup): with the backend's own credentials.
 */
export function serviceForensicsClusters(
  access: ClusterAccess,
  timeoutMs: number,
): ForensicsClusters {
  return {
    async client(cluster) {
      const details = (await access.clusters()).find(c => c.name === cluster);
      return details && jobClient(access, details, timeoutMs);
    },
    async all() {
      return (await access.clusters()).map(details =>
        jobClient(access, details, timeoutMs),
      );
    },
  };
}
