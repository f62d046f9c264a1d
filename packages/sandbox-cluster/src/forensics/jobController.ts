import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterWorld, JobStore, SimNode, SimPod } from '../world/cluster';
import { ContainerModel } from '../world/containerModel';
import { LogRecord } from '../world/logs';
import { ContainerRun, ContainerTimeline } from '../world/timeline';
import { fromK8sContainer } from '../world/k8sContainer';
import {
  ApiError,
  alreadyExists,
  invalid,
  notFound,
} from '../kubernetes/status';
import { k8sTime } from '../kubernetes/time';
import { nameSuffix, uidFor } from '../util/random';
import {
  FORENSICS_SCRIPT_NAME,
  nodePathFor,
  readForensicsCommand,
  scriptArguments,
} from './forensicsCommand';
import { writeNodeSnapshot } from './nodeSnapshot';
import { RunningScript, runScript } from './scriptRunner';
import { writeStandIns } from './standIns';

/** Time from pod creation to the container starting (image pull), by default. */
const START_DELAY_MS = 2_000;
/** A log larger than this is cut (the kubelet rotates at 10Mi). */
const MAX_LOG_BYTES = 1024 * 1024;
/** A script still running after this much wall-clock time is stopped. */
const RUN_TIMEOUT_MS = 60_000;
/** The directories of the Job container's PATH after the stand-in tools. */
const SYSTEM_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of the Jobs of a cluster. */
export interface JobControllerOptions {
  /**
   * The node-forensics script to run; defaults to the backend plugin
   * package's `forensics/node-forensics.sh`.
   */
  forensicsScript?: string;
  /**
   * Time from a Job pod's creation to its container starting: the image
   * pull and container start of a real node. Default 2 s; a long one
   * makes a Job outlive its `activeDeadlineSeconds` while its pod is
   * still `Pending`, as on a node that cannot pull the image.
   */
  startDelayMs?: number;
}

function defaultForensicsScript(): string | undefined {
  try {
    return path.join(
      path.dirname(
        require.resolve(
          '@observability-ir/plugin-observability-ir-backend/package.json',
        ),
      ),
      'forensics',
      'node-forensics.sh',
    );
  } catch {
    return undefined;
  }
}

interface Attempt {
  pod: SimPod;
  /** The pod's container run: it ends when the script exits. */
  run: ContainerRun;
  startMs: number;
  endMs?: number;
  exitCode?: number;
  records: LogRecord[];
  script?: RunningScript;
}

interface StoredJob {
  object: Record<string, any>;
  createdMs: number;
  attempts: Attempt[];
  /** When it was deleted through the API. */
  deletedMs?: number;
  /** When its pods were deleted with it. */
  podsDeletedMs?: number;
  /** When ttlSecondsAfterFinished removes it. */
  expiresMs?: number;
}

interface Finished {
  atMs: number;
  outcome: 'Complete' | 'Failed';
  reason?: string;
  message?: string;
}

/**
 * Runs batch/v1 Jobs on the simulated nodes. A Job's pod runs the real
 * node-forensics script on this machine, with stand-in `crictl`, `ctr`,
 * `nsenter`, `ip`, `ss` and `netstat` that answer from what the pod's node
 * sees of its containers when the pod starts, and a folder standing for
 * the node's `/proc` and cgroup tree. The pod's log is the script's
 * output; its exit code, the script's.
 */
export class JobController implements JobStore {
  private readonly jobs: StoredJob[] = [];
  private readonly forensicsScript?: string;
  private readonly startDelayMs: number;

  constructor(
    private readonly cluster: ClusterWorld,
    options: JobControllerOptions = {},
  ) {
    this.forensicsScript = options.forensicsScript ?? defaultForensicsScript();
    this.startDelayMs = options.startDelayMs ?? START_DELAY_MS;
  }

  private deadlineMs(stored: StoredJob): number {
    const deadline = stored.object.spec.activeDeadlineSeconds;
    return deadline !== undefined
      ? stored.createdMs + Number(deadline) * 1000
      : Infinity;
  }

  private makeAttempt(stored: StoredJob, createdMs: number): Attempt {
    const job = stored.object;
    const index = stored.attempts.length;
    const templateSpec = job.spec.template.spec;
    const nodeName: string =
      templateSpec.nodeName ??
      this.cluster.nodes.find(n => !n.spec.name.includes('control-plane'))?.spec
        .name ??
      this.cluster.nodes[0].spec.name;
    const node = this.cluster.node(nodeName);
    const startMs = createdMs + this.startDelayMs;
    const name = `${job.metadata.name}-${nameSuffix(
      5,
      job.metadata.uid,
      index,
    )}`;
    const k8sContainer = templateSpec.containers[0];
    const behavior = {
      type: 'steady' as const,
      cpuCores: 0.01,
      startupSeconds: 0,
      logs: { intervalSeconds: 3600 },
      memory: '8Mi',
      networkUnreachable: false,
    };
    const model = new ContainerModel(
      fromK8sContainer(k8sContainer, behavior),
      behavior,
      name,
    );
    const run: ContainerRun = {
      index: 0,
      startMs,
      outcome: { exitCode: 0, reason: 'Completed' },
    };
    const labels = {
      ...(job.spec.template.metadata?.labels ?? {}),
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
      'batch.kubernetes.io/job-name': job.metadata.name,
      'controller-uid': job.metadata.uid,
      'job-name': job.metadata.name,
    };
    const records: LogRecord[] = [];
    const pod: SimPod = {
      namespace: job.metadata.namespace,
      name,
      uid: uidFor(this.cluster.name, 'jobpod', name),
      labels,
      annotations: { ...(job.spec.template.metadata?.annotations ?? {}) },
      nodeName,
      podIP: node
        ? `10.244.${node.index + 1}.${200 + (this.jobs.length % 50)}`
        : '',
      hostIP: node?.spec.internalIP ?? '',
      createdMs,
      owner: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: job.metadata.name,
        uid: job.metadata.uid,
      },
      restartPolicy: 'Never',
      extraSpec: {
        ...(templateSpec.hostPID ? { hostPID: true } : {}),
        ...(templateSpec.hostNetwork ? { hostNetwork: true } : {}),
        ...(templateSpec.volumes ? { volumes: templateSpec.volumes } : {}),
        ...(templateSpec.tolerations
          ? { tolerations: templateSpec.tolerations }
          : {}),
      },
      containers: [
        {
          model,
          timeline: ContainerTimeline.fixed(model, run),
          spec: k8sContainer,
        },
      ],
      logOverride: () => records,
    };
    this.cluster.standalonePods.push(pod);
    const attempt: Attempt = { pod, run, startMs, records };
    stored.attempts.push(attempt);
    this.launch(stored, attempt, node);
    return attempt;
  }

  /** Starts the attempt's script; its exit ends the attempt. */
  private launch(stored: StoredJob, attempt: Attempt, node?: SimNode) {
    let lastMs = attempt.startMs;
    const log = (line: string, elapsedMs: number) => {
      lastMs = Math.max(
        lastMs,
        attempt.startMs + elapsedMs,
        this.cluster.clock.now(),
      );
      attempt.records.push({ ms: lastMs, lines: [line] });
    };
    const end = (exitCode: number, durationMs: number) =>
      this.endAttempt(stored, attempt, exitCode, durationMs);
    if (!node) {
      end(1, 0);
      return;
    }
    const podSpec = stored.object.spec.template.spec;
    const command = readForensicsCommand(podSpec.containers[0]);
    if ('refused' in command) {
      log(`sandbox: refused to run the Job's command: ${command.refused}`, 0);
      end(2, 0);
      return;
    }
    const scriptPath = this.forensicsScript;
    if (!scriptPath || !fs.existsSync(scriptPath)) {
      log(
        `sandbox: ${FORENSICS_SCRIPT_NAME} not found${
          scriptPath ? ` at ${scriptPath}` : ''
        }; give startSandbox the forensicsScript option`,
        0,
      );
      end(127, 0);
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-forensics-'));
    try {
      writeNodeSnapshot(dir, this.cluster, node, attempt.startMs);
      const bin = writeStandIns(dir);
      const roots = {
        node: path.join(dir, 'host'),
        container: path.join(dir, 'container'),
      };
      fs.mkdirSync(roots.container);
      attempt.script = runScript({
        scriptPath,
        args: scriptArguments(command.flags, podSpec, roots),
        cwd: dir,
        env: {
          PATH: `${bin}:${SYSTEM_PATH}`,
          LANG: 'C',
          SANDBOX_FORENSICS_DIR: dir,
          SANDBOX_PROC: nodePathFor('/proc', podSpec, roots),
        },
        maxOutputBytes: MAX_LOG_BYTES,
        timeoutMs: RUN_TIMEOUT_MS,
        onLine: log,
      });
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      log(`sandbox: could not prepare the node: ${String(error)}`, 0);
      end(1, 0);
      return;
    }
    attempt.script.done.then(({ exitCode, durationMs }) => {
      fs.rmSync(dir, { recursive: true, force: true });
      end(exitCode, durationMs);
    });
  }

  /**
   * Records how an attempt ended: a run of `durationMs` after its start,
   * but never earlier than now, so nothing already observed changes.
   */
  private endAttempt(
    stored: StoredJob,
    attempt: Attempt,
    exitCode: number,
    durationMs: number,
  ) {
    attempt.script = undefined;
    const lastRecord = attempt.records[attempt.records.length - 1]?.ms ?? 0;
    const endMs = Math.max(
      attempt.startMs + Math.max(1, Math.round(durationMs)),
      this.cluster.clock.now() + 1,
      lastRecord,
    );
    attempt.endMs = endMs;
    attempt.exitCode = exitCode;
    attempt.run.endMs = endMs;
    attempt.run.outcome = {
      durationMs: endMs - attempt.startMs,
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
    };
    const backoffLimit = Number(stored.object.spec.backoffLimit ?? 6);
    const retryMs = endMs + 10_000 * 2 ** (stored.attempts.length - 1);
    if (
      exitCode !== 0 &&
      stored.attempts.length <= backoffLimit &&
      stored.deletedMs === undefined &&
      retryMs < this.deadlineMs(stored)
    ) {
      this.makeAttempt(stored, retryMs);
    }
    this.settle(stored);
    this.cluster.touch();
  }

  /**
   * When the Job and its pods go away: a pod still running at the
   * deadline is killed then, and ttlSecondsAfterFinished removes all once
   * the Job finished.
   */
  private settle(stored: StoredJob) {
    const deadlineMs = this.deadlineMs(stored);
    const finished = this.finish(stored, -Infinity);
    const ttl = stored.object.spec.ttlSecondsAfterFinished;
    stored.expiresMs =
      finished && ttl !== undefined
        ? finished.atMs + Number(ttl) * 1000
        : undefined;
    for (const a of stored.attempts) {
      const times = [
        stored.podsDeletedMs ?? Infinity,
        stored.expiresMs ?? Infinity,
        a.endMs === undefined || a.endMs > deadlineMs
          ? deadlineMs + 1_000
          : Infinity,
      ];
      const deletedMs = Math.min(...times);
      a.pod.deletedMs = Number.isFinite(deletedMs) ? deletedMs : undefined;
    }
  }

  create(namespace: string, body: Record<string, any>): Record<string, any> {
    const ms = this.cluster.clock.now();
    if (body?.kind && body.kind !== 'Job') {
      throw new ApiError(
        400,
        'BadRequest',
        `the API version in the data (${body.apiVersion}) does not match the expected API version (batch/v1)`,
      );
    }
    const meta = body?.metadata ?? {};
    let name: string | undefined = meta.name;
    if (!name && meta.generateName) {
      name = `${meta.generateName}${nameSuffix(
        5,
        meta.generateName,
        ms,
        this.jobs.length,
      )}`;
    }
    if (!name) {
      throw invalid(
        'Job',
        '',
        [
          {
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ],
        'batch',
      );
    }
    const containers = body?.spec?.template?.spec?.containers;
    const problems: Array<{ field: string; message: string }> = [];
    if (!Array.isArray(containers) || containers.length === 0) {
      problems.push({
        field: 'spec.template.spec.containers',
        message: 'Required value',
      });
    } else if (!containers[0].image) {
      problems.push({
        field: 'spec.template.spec.containers[0].image',
        message: 'Required value',
      });
    }
    const policy = body?.spec?.template?.spec?.restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure') {
      problems.push({
        field: 'spec.template.spec.restartPolicy',
        message: `Required value: valid values: "OnFailure", "Never"`,
      });
    }
    if (problems.length) {
      throw invalid('Job', name, problems, 'batch');
    }
    if (
      this.jobs.some(
        j =>
          j.object.metadata.namespace === namespace &&
          j.object.metadata.name === name &&
          !this.gone(j, ms),
      )
    ) {
      throw alreadyExists('jobs', name, 'batch');
    }
    const uid = uidFor(this.cluster.name, 'job', namespace, name, ms);
    const object = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...meta,
        name,
        namespace,
        uid,
        generation: 1,
        creationTimestamp: k8sTime(ms),
        labels: { ...(meta.labels ?? {}) },
      },
      spec: {
        parallelism: 1,
        completions: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        manualSelector: false,
        ...body.spec,
        selector: {
          matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
        },
      },
    };
    delete object.metadata.generateName;
    const stored: StoredJob = { object, createdMs: ms, attempts: [] };
    this.jobs.push(stored);
    this.makeAttempt(stored, ms + 100);
    this.settle(stored);
    this.cluster.touch();
    return this.render(stored, ms);
  }

  /**
   * When and how the Job finishes, as far as known at `ms`: undefined
   * while an attempt runs (or a retry waits) before the deadline.
   */
  private finish(stored: StoredJob, ms: number): Finished | undefined {
    const deadlineMs = this.deadlineMs(stored);
    const { attempts } = stored;
    const success = attempts.find(a => a.exitCode === 0);
    if (success && success.endMs! <= deadlineMs) {
      return { atMs: success.endMs!, outcome: 'Complete' };
    }
    const last = attempts[attempts.length - 1];
    const lastFailed = last.exitCode !== undefined && last.exitCode !== 0;
    const backoffLimit = Number(stored.object.spec.backoffLimit ?? 6);
    const exhausted = lastFailed && attempts.length > backoffLimit;
    if (!success && exhausted && last.endMs! <= deadlineMs) {
      return {
        atMs: last.endMs!,
        outcome: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    }
    // Otherwise the deadline decides: once it passed, once an attempt ran
    // past it, or once the next retry would start after it.
    const outlived = attempts.some(
      a => a.endMs !== undefined && a.endMs > deadlineMs,
    );
    if (
      Number.isFinite(deadlineMs) &&
      (ms >= deadlineMs || outlived || (lastFailed && !exhausted))
    ) {
      return {
        atMs: deadlineMs,
        outcome: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    }
    return undefined;
  }

  private gone(stored: StoredJob, ms: number) {
    return [stored.deletedMs, stored.expiresMs].some(
      at => at !== undefined && ms >= at,
    );
  }

  private render(stored: StoredJob, ms: number): Record<string, any> {
    const finished = this.finish(stored, ms);
    const started = stored.attempts.filter(a => a.pod.createdMs <= ms);
    const ended = (a: Attempt) => a.endMs !== undefined && ms >= a.endMs;
    const active = started.filter(
      a => !ended(a) && (a.pod.deletedMs === undefined || ms < a.pod.deletedMs),
    ).length;
    const failed = started.filter(a => ended(a) && a.exitCode !== 0).length;
    const succeeded = started.filter(a => ended(a) && a.exitCode === 0).length;
    const status: Record<string, any> = {
      startTime: k8sTime(stored.createdMs),
      ...(active ? { active } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ready: started.filter(a => ms >= a.startMs && !ended(a)).length,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    if (finished && ms >= finished.atMs) {
      const at = k8sTime(finished.atMs);
      if (finished.outcome === 'Complete') {
        status.completionTime = at;
        status.conditions = [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            lastProbeTime: at,
            lastTransitionTime: at,
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
          {
            type: 'Complete',
            status: 'True',
            lastProbeTime: at,
            lastTransitionTime: at,
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
        ];
      } else {
        status.conditions = [
          {
            type: 'FailureTarget',
            status: 'True',
            lastProbeTime: at,
            lastTransitionTime: at,
            reason: finished.reason,
            message: finished.message,
          },
          {
            type: 'Failed',
            status: 'True',
            lastProbeTime: at,
            lastTransitionTime: at,
            reason: finished.reason,
            message: finished.message,
          },
        ];
      }
      delete status.active;
    }
    return {
      ...stored.object,
      metadata: {
        ...stored.object.metadata,
        resourceVersion: this.cluster.resourceVersion(ms),
      },
      status,
    };
  }

  list(ms: number): Array<Record<string, any>> {
    for (const stored of this.jobs) {
      // The Job controller kills a pod still running at the deadline.
      if (ms >= this.deadlineMs(stored)) {
        stored.attempts.forEach(a => a.script?.kill());
      }
    }
    return this.jobs
      .filter(j => j.createdMs <= ms && !this.gone(j, ms))
      .map(j => this.render(j, ms));
  }

  remove(
    namespace: string,
    name: string,
    propagation: string,
  ): Record<string, any> {
    const ms = this.cluster.clock.now();
    const stored = this.jobs.find(
      j =>
        j.object.metadata.namespace === namespace &&
        j.object.metadata.name === name &&
        !this.gone(j, ms),
    );
    if (!stored) {
      throw notFound('jobs', name, 'batch');
    }
    stored.deletedMs = ms;
    if (propagation !== 'Orphan') {
      stored.podsDeletedMs = ms;
      stored.attempts.forEach(a => a.script?.kill());
    }
    this.settle(stored);
    this.cluster.touch();
    const rendered = this.render(stored, ms);
    rendered.metadata.deletionTimestamp = k8sTime(ms);
    return rendered;
  }

  /** Stops every script still running (their folders go with them). */
  close() {
    for (const stored of this.jobs) {
      stored.attempts.forEach(a => a.script?.kill());
    }
  }
}
