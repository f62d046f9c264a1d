import { LoggerService } from '@backstage/backend-plugin-api';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { ForensicsSettings } from '../../config/readForensicsConfig';
import type { ExpectedPort } from './expectedPorts';
import { ForensicsJobClient } from './ForensicsJobClient';
import {
  FORENSICS_CONTAINER_NAME,
  FORENSICS_JOB_LABELS,
  FORENSICS_KEYS,
} from './jobSpec';
import { readForensicsReport } from './report';
import type { ForensicsRunChanges } from './ForensicsRunChanges';
import type {
  ForensicsRun,
  ForensicsRunPatch,
  ForensicsRunStore,
} from './store';

/** How often and how long the runner looks, and how long a lease lasts. */
export interface ForensicsRunnerTiming {
  /** A run's lease; renewed on every look, at most {@link maxWaitMs} apart. */
  leaseMs: number;
  /** The longest wait between two looks at a Job, even without a change. */
  maxWaitMs: number;
  /** The first and the longest pause when the watch is not available. */
  pollMinMs: number;
  pollMaxMs: number;
  /**
   * Time beyond `activeDeadlineSeconds` the runner waits for Kubernetes to
   * stop the Job, before it gives up on it itself.
   */
  graceMs: number;
}

/** The defaults of {@link ForensicsRunnerTiming}. */
export const FORENSICS_RUNNER_TIMING: ForensicsRunnerTiming = {
  leaseMs: 60_000,
  maxWaitMs: 5_000,
  pollMinMs: 500,
  pollMaxMs: 10_000,
  graceMs: 30_000,
};

/** The Job clients of the clusters, with the backend's own credentials. */
export interface ForensicsClusters {
  /** A client for the cluster, or `undefined` when no locator finds it. */
  client(cluster: string): Promise<ForensicsJobClient | undefined>;
  /** Clients for every cluster, for the cleanup. */
  all(): Promise<ForensicsJobClient[]>;
}

/** How a run ended. */
type Ending =
  | { status: 'succeeded'; patch: ForensicsRunPatch }
  | { status: 'failed'; reason: string; rawOutput?: string };

type Look =
  | { final: Ending }
  | { final?: undefined; running: boolean; resourceVersion?: string };

function condition(job: V1Job, type: string) {
  return job.status?.conditions?.find(
    c => c.type === type && c.status === 'True',
  );
}

/** The expected ports the Job was created with (an annotation of it). */
function expectedPortsOf(job: V1Job | undefined): ExpectedPort[] {
  const text = job?.metadata?.annotations?.[FORENSICS_KEYS.expectedPorts];
  if (!text) return [];
  try {
    const ports = JSON.parse(text);
    return Array.isArray(ports)
      ? ports.filter(
          (p): p is ExpectedPort =>
            Number.isInteger(p?.port) && Array.isArray(p?.uses),
        )
      : [];
  } catch {
    return [];
  }
}

/** The newest of a Job's pods. */
function newestPod(pods: V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) =>
    String(b.metadata?.creationTimestamp ?? '').localeCompare(
      String(a.metadata?.creationTimestamp ?? ''),
    ),
  )[0];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * Follows node-forensics runs from their Job to a stored result: watches
 * the Job (falling back to polling with backoff when the watch is not
 * available), reads its pod's log, parses it against the expected ports,
 * stores the report and deletes the Job. A Job past its deadline, a Job
 * that disappears and a node that vanishes end the run as `failed`, with
 * the reason in one sentence.
 *
 * Each run is followed by the instance that holds its lease in the store;
 * {@link ForensicsRunner.resumeStale} takes over runs whose lease expired
 * (a backend that stopped or crashed), so several replicas never follow
 * one run twice and a restart loses none.
 */
export class ForensicsRunner {
  private readonly following = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly timing: ForensicsRunnerTiming;

  constructor(
    private readonly deps: {
      store: ForensicsRunStore;
      settings: ForensicsSettings;
      clusters: ForensicsClusters;
      logger: LoggerService;
      /** This backend instance, as the owner of leases. */
      instanceId: string;
      /** Told of each status change stored, for requests waiting on one. */
      changes?: ForensicsRunChanges;
      now?: () => Date;
      timing?: Partial<ForensicsRunnerTiming>;
    },
  ) {
    this.timing = { ...FORENSICS_RUNNER_TIMING, ...deps.timing };
  }

  /** The lease a new run starts with: the creator follows it. */
  newLease(): { owner: string; expiresAt: Date } {
    return {
      owner: this.deps.instanceId,
      expiresAt: new Date(this.now().getTime() + this.timing.leaseMs),
    };
  }

  /**
   * Follows a run this instance holds the lease of, in the background,
   * with the client it was dispatched with (the user's credentials when
   * the cluster takes them).
   */
  follow(run: ForensicsRun, client: ForensicsJobClient): void {
    if (this.following.has(run.id) || this.stopping.signal.aborted) return;
    const followed = this.followRun(run, client)
      .catch(error =>
        this.deps.logger.error(
          `Node forensics run ${run.id}: following its Job failed: ${
            (error as Error).message
          }`,
        ),
      )
      .finally(() => this.following.delete(run.id));
    this.following.set(run.id, followed);
  }

  /** Resolves once the run is no longer followed here (for tests). */
  async settled(id: string): Promise<void> {
    await this.following.get(id);
  }

  /**
   * Claims the runs in flight whose lease expired (their backend stopped
   * or crashed) and follows them with the backend's own credentials.
   */
  async resumeStale(limit = 20): Promise<number> {
    const runs = await this.deps.store.claimStale(
      this.deps.instanceId,
      this.now(),
      this.timing.leaseMs,
      limit,
    );
    for (const run of runs) {
      this.deps.logger.info(
        `Node forensics run ${run.id}: resuming Job ${run.jobName} in cluster ${run.cluster}`,
      );
      const client = await this.deps.clusters.client(run.cluster);
      if (!client) {
        await this.end(run, {
          status: 'failed',
          reason: `The cluster ${run.cluster} is no longer among the configured clusters, so its Job could not be followed`,
        });
        continue;
      }
      this.follow(run, client);
    }
    return runs.length;
  }

  /**
   * Deletes the forensics Jobs left in every cluster (ours by their labels)
   * that are older than the deadline plus the time to live, and the stored
   * runs that finished before `retainSince`.
   */
  async cleanup(retainSince: Date): Promise<{ jobs: number; runs: number }> {
    const { settings, logger } = this.deps;
    const selector = Object.entries(FORENSICS_JOB_LABELS)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const oldest =
      this.now().getTime() -
      (settings.activeDeadlineSeconds + settings.ttlSecondsAfterFinished) *
        1000;
    let jobs = 0;
    for (const client of await this.deps.clusters.all()) {
      try {
        for (const job of await client.listJobs(settings.namespace, selector)) {
          const created = Date.parse(
            String(job.metadata?.creationTimestamp ?? ''),
          );
          const name = job.metadata?.name;
          if (!name || !(created < oldest)) continue;
          if (await client.deleteJob(settings.namespace, name)) {
            jobs += 1;
            logger.info(
              `Node forensics: deleted the leftover Job ${name} in cluster ${client.clusterName}`,
            );
          }
        }
      } catch (error) {
        logger.warn(
          `Node forensics: the leftover Jobs of cluster ${
            client.clusterName
          } could not be cleaned up: ${(error as Error).message}`,
        );
      }
    }
    const runs = await this.deps.store.deleteFinishedBefore(retainSince);
    if (runs) {
      logger.info(
        `Node forensics: deleted ${runs} stored run(s) that finished before ${retainSince.toISOString()}`,
      );
    }
    return { jobs, runs };
  }

  /**
   * Stops following runs and lets their leases end now, so another
   * instance (or this one, restarted) takes them over at once.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    const ids = [...this.following.keys()];
    await Promise.all(this.following.values());
    const { leaseMs } = this.timing;
    for (const id of ids) {
      // Renewed as of one lease ago: it ends now.
      await this.deps.store
        .renewLease(
          id,
          this.deps.instanceId,
          new Date(this.now().getTime() - leaseMs),
          leaseMs,
        )
        .catch(() => false);
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async followRun(
    initial: ForensicsRun,
    client: ForensicsJobClient,
  ): Promise<void> {
    const { store, settings, logger, instanceId } = this.deps;
    const signal = this.stopping.signal;
    const namespace = settings.namespace;
    const giveUpAt =
      Date.parse(initial.createdAt) +
      settings.activeDeadlineSeconds * 1000 +
      this.timing.graceMs;
    let run = initial;
    let pause = this.timing.pollMinMs;

    while (!signal.aborted) {
      const now = this.now();
      if (
        !(await store.renewLease(run.id, instanceId, now, this.timing.leaseMs))
      ) {
        logger.info(
          `Node forensics run ${run.id}: no longer held by this instance (finished or taken over); stopped following it`,
        );
        return;
      }
      let look: Look;
      try {
        look = await this.look(run, client);
      } catch (error) {
        logger.warn(
          `Node forensics run ${run.id}: reading Job ${run.jobName} failed: ${
            (error as Error).message
          }`,
        );
        if (now.getTime() > giveUpAt) {
          await this.end(run, {
            status: 'failed',
            reason: `The Job could not be read within its deadline: ${
              (error as Error).message
            }`,
          });
          return;
        }
        await sleep(pause, signal);
        pause = Math.min(pause * 2, this.timing.pollMaxMs);
        continue;
      }
      if (look.final) {
        await this.end(run, look.final, client);
        return;
      }
      if (look.running && run.status === 'pending') {
        run = await store.update(run.id, { status: 'running' });
        this.deps.changes?.changed(run.id);
        logger.info(
          `Node forensics run ${run.id}: Job ${run.jobName} is running on node ${run.node}`,
        );
      }
      if (now.getTime() > giveUpAt) {
        await this.end(
          run,
          (await this.nodeGone(run, client)) ?? {
            status: 'failed',
            reason: `The Job did not finish within its deadline of ${settings.activeDeadlineSeconds} s (activeDeadlineSeconds) and Kubernetes did not stop it either`,
          },
          client,
        );
        return;
      }
      const wait = Math.max(
        1,
        Math.min(this.timing.maxWaitMs, giveUpAt - now.getTime() + 1),
      );
      const outcome = await Promise.race([
        client.waitForJobChange(
          namespace,
          run.jobName,
          look.resourceVersion,
          wait,
        ),
        sleep(wait + 1000, signal).then(() => ({ kind: 'timeout' as const })),
      ]);
      if (outcome.kind === 'unavailable') {
        // Polling instead, with backoff.
        await sleep(pause, signal);
        pause = Math.min(pause * 2, this.timing.pollMaxMs);
      } else {
        pause = this.timing.pollMinMs;
      }
    }
  }

  /** One look at the Job and its pod: finished, running, or not yet. */
  private async look(
    run: ForensicsRun,
    client: ForensicsJobClient,
  ): Promise<Look> {
    const { settings } = this.deps;
    const namespace = settings.namespace;
    const job = await client.readJob(namespace, run.jobName);
    if (!job) {
      return {
        final: (await this.nodeGone(run, client)) ?? {
          status: 'failed',
          reason: `The Job ${run.jobName} was deleted before it finished`,
        },
      };
    }
    const pods = await client.listJobPods(namespace, job);
    const pod = newestPod(pods);
    if (condition(job, 'Complete')) {
      return { final: await this.report(run, client, job, pod) };
    }
    const failed = condition(job, 'Failed');
    if (failed) {
      const output = pod
        ? await this.log(client, pod).catch(() => undefined)
        : undefined;
      if (failed.reason === 'DeadlineExceeded') {
        return {
          final: {
            status: 'failed',
            reason: `The Job ran longer than its deadline of ${settings.activeDeadlineSeconds} s (activeDeadlineSeconds) and Kubernetes stopped it`,
            ...(output ? { rawOutput: output } : {}),
          },
        };
      }
      const gone = await this.nodeGone(run, client, pod);
      if (gone) return { final: gone };
      const exitCode =
        pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
      return {
        final: {
          status: 'failed',
          reason: `The node-forensics script failed${
            exitCode !== undefined ? ` (exit ${exitCode})` : ''
          }: ${failed.message ?? failed.reason ?? 'the Job failed'}`,
          ...(output ? { rawOutput: output } : {}),
        },
      };
    }
    // Not finished: a pod that lost its node never finishes.
    if (!pod || pod.status?.phase === 'Failed') {
      const gone = await this.nodeGone(run, client, pod);
      if (gone) return { final: gone };
    }
    const phase = pod?.status?.phase;
    return {
      running: phase === 'Running' || phase === 'Succeeded',
      resourceVersion: job.metadata?.resourceVersion,
    };
  }

  /** The report of a complete Job, from its pod's log. */
  private async report(
    run: ForensicsRun,
    client: ForensicsJobClient,
    job: V1Job,
    pod: V1Pod | undefined,
  ): Promise<Ending> {
    if (!pod) {
      return {
        status: 'failed',
        reason: 'The Job completed, but its pod is gone, and with it the log',
      };
    }
    let output: string;
    try {
      output = await this.log(client, pod);
    } catch (error) {
      return {
        status: 'failed',
        reason: `The Job completed, but its pod's log could not be read: ${
          (error as Error).message
        }`,
      };
    }
    const report = readForensicsReport(output, expectedPortsOf(job));
    this.deps.logger.info(
      `Node forensics run ${run.id}: ${report.verdict.kind}: ${report.verdict.sentence}`,
    );
    return {
      status: 'succeeded',
      patch: {
        verdict: report.verdict,
        sections: report.sections,
        rawOutput: output,
      },
    };
  }

  private log(client: ForensicsJobClient, pod: V1Pod): Promise<string> {
    return client.readLog(
      this.deps.settings.namespace,
      pod.metadata?.name ?? '',
      FORENSICS_CONTAINER_NAME,
    );
  }

  /** A failure naming the node, when the run's node is gone or lost. */
  private async nodeGone(
    run: ForensicsRun,
    client: ForensicsJobClient,
    pod?: V1Pod,
  ): Promise<Ending | undefined> {
    const node = run.node ?? pod?.spec?.nodeName;
    if (!node) return undefined;
    if (pod?.status?.reason === 'NodeLost') {
      return {
        status: 'failed',
        reason: `The node ${node} stopped answering while the Job ran on it (NodeLost)`,
      };
    }
    const exists = await client.nodeExists(node).catch(() => true);
    return exists
      ? undefined
      : {
          status: 'failed',
          reason: `The node ${node} is gone: it was removed from the cluster before the Job finished`,
        };
  }

  /** Stores how the run ended and deletes its Job. */
  private async end(
    run: ForensicsRun,
    ending: Ending,
    client?: ForensicsJobClient,
  ): Promise<void> {
    const { store, logger, settings } = this.deps;
    try {
      if (ending.status === 'succeeded') {
        if (run.status === 'pending') {
          // Finished between two looks: it did run.
          await store.update(run.id, { status: 'running' });
        }
        await store.update(run.id, { status: 'succeeded', ...ending.patch });
      } else {
        await store.update(run.id, {
          status: 'failed',
          reason: ending.reason,
          ...(ending.rawOutput !== undefined
            ? { rawOutput: ending.rawOutput }
            : {}),
        });
        logger.info(`Node forensics run ${run.id} failed: ${ending.reason}`);
      }
    } catch (error) {
      // Another instance finished it meanwhile.
      logger.warn(
        `Node forensics run ${run.id}: its result was not stored: ${
          (error as Error).message
        }`,
      );
    }
    // Before the Job is deleted: the user waits for the result, not for that.
    this.deps.changes?.changed(run.id);
    if (!client) return;
    try {
      if (await client.deleteJob(settings.namespace, run.jobName)) {
        logger.info(
          `Node forensics run ${run.id}: deleted Job ${run.jobName} in cluster ${run.cluster}`,
        );
      }
    } catch (error) {
      logger.warn(
        `Node forensics run ${run.id}: Job ${
          run.jobName
        } was not deleted (the cleanup will): ${(error as Error).message}`,
      );
    }
  }
}
