import { ClusterWorld, JobStore, SimPod } from '../world/cluster';
import { ContainerModel } from '../world/containerModel';
import { LogRecord } from '../world/logs';
import { ContainerTimeline } from '../world/timeline';
import { fromK8sContainer } from '../world/k8sContainer';
import {
  ApiError,
  alreadyExists,
  invalid,
  notFound,
} from '../kubernetes/status';
import { k8sTime } from '../kubernetes/time';
import { nameSuffix, uidFor } from '../util/random';
import { runScript, TargetView } from './nodeTools';

/** Annotations naming what a forensics Job inspects. */
export const TARGET_POD_ANNOTATION = 'observability-ir.io/target-pod';
export const TARGET_CONTAINER_ANNOTATION =
  'observability-ir.io/target-container';

/** Time from pod creation to the container starting (image pull). */
const START_DELAY_MS = 2_000;
/** How long the forensics script runs. */
const RUN_MS = 2_500;

interface Attempt {
  pod: SimPod;
  startMs: number;
  endMs: number;
  exitCode: number;
  output: string;
}

interface StoredJob {
  object: Record<string, any>;
  createdMs: number;
  attempts: Attempt[];
  deletedMs?: number;
}

/**
 * Runs batch/v1 Jobs on the simulated nodes. A Job's pod executes its
 * shell script against what the node can see of the target container, so
 * `crictl`, `ip addr`, `netstat` and `ss` print the container's true state.
 */
export class JobController implements JobStore {
  private readonly jobs: StoredJob[] = [];

  constructor(private readonly cluster: ClusterWorld) {}

  private script(job: Record<string, any>): string {
    const c = job.spec.template.spec.containers[0];
    return [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  }

  /** Works out what one attempt prints and how it exits. */
  private execute(
    job: Record<string, any>,
    nodeName: string,
    atMs: number,
  ): { output: string; exitCode: number } {
    const annotations = job.metadata.annotations ?? {};
    const target = String(annotations[TARGET_POD_ANNOTATION] ?? '');
    const containerName = String(
      annotations[TARGET_CONTAINER_ANNOTATION] ?? '',
    );
    const [namespace, podName] = target.split('/');
    if (!namespace || !podName) {
      return {
        output: `forensics: the Job has no ${TARGET_POD_ANNOTATION} annotation naming <namespace>/<pod>\n`,
        exitCode: 1,
      };
    }
    const pod = this.cluster
      .podsAt(atMs)
      .find(p => p.namespace === namespace && p.name === podName);
    if (!pod) {
      return {
        output: `forensics: target pod ${target} not found on any node\n`,
        exitCode: 1,
      };
    }
    if (pod.nodeName !== nodeName) {
      return {
        output: `forensics: target pod ${target} runs on node ${pod.nodeName}, not on this node (${nodeName}); crictl finds no container "${containerName}" here\n`,
        exitCode: 1,
      };
    }
    const container =
      pod.containers.find(c => c.model.name === containerName) ??
      (containerName ? undefined : pod.containers[0]);
    if (!container) {
      return {
        output: `forensics: pod ${target} has no container named "${containerName}"\n`,
        exitCode: 1,
      };
    }
    const view: TargetView = { pod, container, ms: atMs };
    return runScript(this.script(job), view);
  }

  private makePod(
    stored: StoredJob,
    attempt: number,
    createdMs: number,
  ): Attempt {
    const job = stored.object;
    const templateSpec = job.spec.template.spec;
    const nodeName: string =
      templateSpec.nodeName ??
      this.cluster.nodes.find(n => !n.spec.name.includes('control-plane'))?.spec
        .name ??
      this.cluster.nodes[0].spec.name;
    const node = this.cluster.node(nodeName);
    const startMs = createdMs + START_DELAY_MS;
    const endMs = startMs + RUN_MS;
    const result = node
      ? this.execute(job, nodeName, startMs + 500)
      : { output: '', exitCode: 1 };
    const name = `${job.metadata.name}-${nameSuffix(
      5,
      job.metadata.uid,
      attempt,
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
    const timeline = ContainerTimeline.fixed(model, {
      index: 0,
      startMs,
      endMs,
      outcome: {
        durationMs: RUN_MS,
        exitCode: result.exitCode,
        reason: result.exitCode === 0 ? 'Completed' : 'Error',
      },
    });
    const labels = {
      ...(job.spec.template.metadata?.labels ?? {}),
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
      'batch.kubernetes.io/job-name': job.metadata.name,
      'controller-uid': job.metadata.uid,
      'job-name': job.metadata.name,
    };
    const lines = result.output.replace(/\n$/, '').split('\n');
    const records: LogRecord[] = result.output
      ? lines.map((line, i) => ({ ms: startMs + 400 + i, lines: [line] }))
      : [];
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
      containers: [{ model, timeline, spec: k8sContainer }],
      logOverride: () => records,
    };
    this.cluster.standalonePods.push(pod);
    return {
      pod,
      startMs,
      endMs,
      exitCode: result.exitCode,
      output: result.output,
    };
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
    this.schedule(stored);
    this.cluster.touch();
    return this.render(stored, ms);
  }

  /** Creates the attempt pods up front; their timelines say when they run. */
  private schedule(stored: StoredJob) {
    const backoffLimit = Number(stored.object.spec.backoffLimit ?? 6);
    let at = stored.createdMs + 100;
    for (let attempt = 0; attempt <= backoffLimit; attempt++) {
      const a = this.makePod(stored, attempt, at);
      stored.attempts.push(a);
      if (a.exitCode === 0) {
        break;
      }
      at = a.endMs + 10_000 * 2 ** attempt;
    }
    const deadline = stored.object.spec.activeDeadlineSeconds;
    const finished = this.finish(stored);
    if (deadline !== undefined) {
      const deadlineMs = stored.createdMs + Number(deadline) * 1000;
      for (const a of stored.attempts) {
        if (a.pod.createdMs >= deadlineMs) {
          a.pod.deletedMs = a.pod.createdMs;
        } else if (a.endMs > deadlineMs) {
          a.pod.deletedMs = deadlineMs + 1_000;
        }
      }
    }
    const ttl = stored.object.spec.ttlSecondsAfterFinished;
    if (ttl !== undefined) {
      stored.deletedMs = finished.atMs + Number(ttl) * 1000;
      for (const a of stored.attempts) {
        a.pod.deletedMs = Math.min(
          a.pod.deletedMs ?? Infinity,
          stored.deletedMs,
        );
      }
    }
  }

  /** When and how the Job finishes. */
  private finish(stored: StoredJob): {
    atMs: number;
    outcome: 'Complete' | 'Failed';
    reason?: string;
    message?: string;
  } {
    const deadline = stored.object.spec.activeDeadlineSeconds;
    const deadlineMs =
      deadline !== undefined
        ? stored.createdMs + Number(deadline) * 1000
        : Infinity;
    const success = stored.attempts.find(a => a.exitCode === 0);
    const last = stored.attempts[stored.attempts.length - 1];
    if (success && success.endMs <= deadlineMs) {
      return { atMs: success.endMs, outcome: 'Complete' };
    }
    if (!success && last.endMs <= deadlineMs) {
      return {
        atMs: last.endMs,
        outcome: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    }
    return {
      atMs: deadlineMs,
      outcome: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    };
  }

  private gone(stored: StoredJob, ms: number) {
    return stored.deletedMs !== undefined && ms >= stored.deletedMs;
  }

  private render(stored: StoredJob, ms: number): Record<string, any> {
    const finished = this.finish(stored);
    const started = stored.attempts.filter(a => a.pod.createdMs <= ms);
    const active = started.filter(
      a =>
        ms < a.endMs && (a.pod.deletedMs === undefined || ms < a.pod.deletedMs),
    ).length;
    const failed = started.filter(
      a => ms >= a.endMs && a.exitCode !== 0,
    ).length;
    const succeeded = started.filter(
      a => ms >= a.endMs && a.exitCode === 0,
    ).length;
    const status: Record<string, any> = {
      startTime: k8sTime(stored.createdMs),
      ...(active && ms < finished.atMs ? { active } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ready: started.filter(a => ms >= a.startMs && ms < a.endMs).length,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    if (ms >= finished.atMs) {
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
      for (const a of stored.attempts) {
        a.pod.deletedMs = Math.min(a.pod.deletedMs ?? Infinity, ms);
      }
    }
    this.cluster.touch();
    const rendered = this.render(stored, ms);
    rendered.metadata.deletionTimestamp = k8sTime(ms);
    return rendered;
  }
}
