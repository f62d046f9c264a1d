import { SimContainer, SimPod } from '../world/cluster';
import { ContainerRun } from '../world/timeline';
import { hashString } from '../util/random';
import { k8sTime } from './time';

/** The container id the runtime would assign to a run. */
export function containerId(pod: SimPod, container: string, run: ContainerRun) {
  const parts = [0, 1, 2, 3, 4, 5, 6, 7].map(i =>
    hashString(`${pod.uid}/${container}/${run.index}/${i}`)
      .toString(16)
      .padStart(8, '0'),
  );
  return parts.join('');
}

function terminated(pod: SimPod, c: SimContainer, run: ContainerRun) {
  return {
    exitCode: run.outcome.exitCode,
    reason: run.outcome.reason,
    startedAt: k8sTime(run.startMs),
    finishedAt: k8sTime(run.endMs!),
    containerID: `containerd://${containerId(pod, c.model.name, run)}`,
  };
}

/** What the kubelet reports for one container at a moment. */
export function containerStatus(pod: SimPod, c: SimContainer, ms: number) {
  const image = c.model.image;
  const base = {
    name: c.model.name,
    image,
    imageID: `${image.split(':')[0]}@sha256:${hashString(image)
      .toString(16)
      .padStart(8, '0')
      .repeat(8)}`,
  };
  const evicted = pod.evictedMs !== undefined && ms >= pod.evictedMs;
  const at = evicted ? pod.evictedMs! - 1 : ms;
  const moment = c.timeline.at(at);
  if (!moment) {
    return {
      ...base,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      started: false,
    };
  }
  const { run, running, previous } = moment;
  const sinceStart = at - run.startMs;
  if (evicted) {
    return {
      ...base,
      state: {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message:
            'The container could not be located when the pod was terminated',
          startedAt: k8sTime(run.startMs),
          finishedAt: k8sTime(pod.evictedMs!),
        },
      },
      lastState: previous ? { terminated: terminated(pod, c, previous) } : {},
      ready: false,
      restartCount: moment.restartCount,
      started: false,
    };
  }
  if (running) {
    return {
      ...base,
      containerID: `containerd://${containerId(pod, c.model.name, run)}`,
      state: { running: { startedAt: k8sTime(run.startMs) } },
      lastState: previous ? { terminated: terminated(pod, c, previous) } : {},
      ready: c.model.readyAt(run.index, sinceStart),
      restartCount: moment.restartCount,
      started: true,
    };
  }
  if (pod.restartPolicy === 'Never' || run.nextStartMs === undefined) {
    return {
      ...base,
      containerID: `containerd://${containerId(pod, c.model.name, run)}`,
      state: { terminated: terminated(pod, c, run) },
      lastState: previous ? { terminated: terminated(pod, c, previous) } : {},
      ready: false,
      restartCount: moment.restartCount,
      started: false,
    };
  }
  const backoff = Math.round((run.nextStartMs - run.endMs!) / 1000);
  const backoffText =
    backoff >= 60
      ? `${Math.floor(backoff / 60)}m${backoff % 60}s`
      : `${backoff}s`;
  return {
    ...base,
    containerID: `containerd://${containerId(pod, c.model.name, run)}`,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${backoffText} restarting failed container=${c.model.name} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
      },
    },
    lastState: { terminated: terminated(pod, c, run) },
    ready: false,
    restartCount: moment.restartCount + 1,
    started: false,
  };
}

/** The pod phase at a moment. */
export function podPhase(pod: SimPod, ms: number): string {
  if (pod.evictedMs !== undefined && ms >= pod.evictedMs) {
    return 'Failed';
  }
  const moments = pod.containers.map(c => c.timeline.at(ms));
  if (moments.some(m => !m)) {
    return 'Pending';
  }
  if (pod.restartPolicy === 'Never') {
    const done = moments.every(m => !m!.running);
    if (done) {
      return moments.every(m => m!.run.outcome.exitCode === 0)
        ? 'Succeeded'
        : 'Failed';
    }
  }
  return 'Running';
}

/** Full pod status as the API server returns it. */
export function podStatus(pod: SimPod, ms: number) {
  const phase = podPhase(pod, ms);
  const statuses = pod.containers.map(c => containerStatus(pod, c, ms));
  const allReady = statuses.every(s => s.ready);
  const started = pod.containers.map(c => c.timeline.firstStartMs);
  const scheduled = pod.createdMs + 50;
  const initialized = Math.min(...started) - 1_000;
  // Readiness last changed when the current container run started.
  const runStarts = pod.containers
    .map(c => c.timeline.at(ms)?.run.startMs)
    .filter((t): t is number => t !== undefined);
  const transition = k8sTime(
    runStarts.length ? Math.max(...runStarts) : pod.createdMs,
  );
  // The Ready and ContainersReady conditions are reported alike.
  const readiness = {
    status: allReady ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: transition,
    ...(allReady
      ? {}
      : {
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${statuses
            .filter(s => !s.ready)
            .map(s => s.name)
            .join(' ')}]`,
        }),
  };
  const conditions: Array<Record<string, unknown>> = [
    {
      type: 'PodReadyToStartContainers',
      status: phase === 'Pending' ? 'False' : 'True',
      lastProbeTime: null,
      lastTransitionTime: k8sTime(initialized),
    },
    {
      type: 'Initialized',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: k8sTime(Math.max(scheduled, initialized)),
    },
    { type: 'Ready', ...readiness },
    { type: 'ContainersReady', ...readiness },
    {
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: k8sTime(scheduled),
    },
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: pod.hostIP,
    hostIPs: [{ ip: pod.hostIP }],
    podIP: pod.podIP,
    podIPs: [{ ip: pod.podIP }],
    startTime: k8sTime(scheduled),
    containerStatuses: statuses,
    qosClass: qosClass(pod),
  };
  if (pod.evictedMs !== undefined && ms >= pod.evictedMs) {
    const c = pod.containers[0];
    status.reason = 'Evicted';
    status.message = `The node was low on resource: memory. Threshold quantity: 100Mi, available: 86432Ki. Container ${
      c.model.name
    } was using ${Math.round(
      c.model.memoryAt(0, 600_000) / 1048576,
    )}Mi, request is ${Math.round(
      (c.model.memoryRequest ?? 0) / 1048576,
    )}Mi, has larger consumption of memory. `;
    conditions.push({
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: k8sTime(pod.evictedMs),
      reason: 'TerminationByKubelet',
      message: 'The node was low on resource: memory.',
    });
  }
  return status;
}

function qosClass(pod: SimPod): string {
  const models = pod.containers.map(c => c.model);
  if (
    models.every(
      m =>
        m.memoryLimit === undefined &&
        m.cpuLimit === undefined &&
        m.memoryRequest === undefined &&
        m.cpuRequest === undefined,
    )
  ) {
    return 'BestEffort';
  }
  const guaranteed = models.every(
    m =>
      m.memoryLimit !== undefined &&
      m.cpuLimit !== undefined &&
      (m.memoryRequest ?? m.memoryLimit) === m.memoryLimit &&
      (m.cpuRequest ?? m.cpuLimit) === m.cpuLimit,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
