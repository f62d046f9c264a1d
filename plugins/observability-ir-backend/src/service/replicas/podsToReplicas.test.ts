import type { V1ContainerStatus } from '@kubernetes/client-node';
import {
  deploymentPod,
  kubernetesNode,
  podEvent,
} from '../../__testUtils__/kubernetesObjects';
import { eventsOfPods, nodeSummary, podsToReplicas } from './podsToReplicas';

const MI = 2 ** 20;

/** The lab's app container: OOMKilled 45 times, now in CrashLoopBackOff. */
const crashingApp: V1ContainerStatus = {
  name: 'checkout-api',
  image: 'checkout-api:1.4.2',
  imageID: 'sha256:1',
  ready: false,
  restartCount: 45,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: {
    terminated: {
      reason: 'OOMKilled',
      exitCode: 137,
      startedAt: new Date('2026-11-25T13:59:38Z'),
      finishedAt: new Date('2026-11-25T14:02:08Z'),
    },
  },
};

const healthySidecar: V1ContainerStatus = {
  name: 'istio-proxy',
  image: 'proxyv2:1.22',
  imageID: 'sha256:2',
  ready: true,
  restartCount: 0,
  state: { running: { startedAt: new Date('2026-11-22T10:00:00Z') } },
};

describe('podsToReplicas', () => {
  it('gives one row per container with its restarts, last termination, resources and readiness', () => {
    const pod = deploymentPod('finance', 'checkout-api', 'abcde', {
      node: 'worker-2',
      containers: [
        {
          name: 'checkout-api',
          resources: {
            requests: { memory: '384Mi', cpu: '250m' },
            limits: { memory: '512Mi', cpu: '1' },
          },
        },
        { name: 'istio-proxy' },
      ],
      // The API server does not promise the spec's order.
      statuses: [healthySidecar, crashingApp],
    });

    const [app, sidecar] = podsToReplicas('eu', [pod]);

    expect(app).toEqual({
      cluster: 'eu',
      namespace: 'finance',
      pod: 'checkout-api-5d8f7c9b4-abcde',
      container: 'checkout-api',
      node: 'worker-2',
      phase: 'Running',
      podReason: undefined,
      podMessage: undefined,
      ready: false,
      restartCount: 45,
      lastTermination: {
        reason: 'OOMKilled',
        exitCode: 137,
        startedAt: '2026-11-25T13:59:38.000Z',
        finishedAt: '2026-11-25T14:02:08.000Z',
      },
      current: { state: 'waiting', reason: 'CrashLoopBackOff' },
      requests: { memoryBytes: 384 * MI, cpuCores: 0.25 },
      limits: { memoryBytes: 512 * MI, cpuCores: 1 },
    });
    expect(sidecar).toMatchObject({
      container: 'istio-proxy',
      ready: true,
      restartCount: 0,
      lastTermination: undefined,
      current: { state: 'running', since: '2026-11-22T10:00:00.000Z' },
      requests: { memoryBytes: undefined, cpuCores: undefined },
      limits: { memoryBytes: undefined, cpuCores: undefined },
    });
  });

  it('reads dates the API gave as strings, and a termination without a reason as Unknown', () => {
    const pod = deploymentPod('finance', 'checkout-api', 'abcde', {
      statuses: [
        {
          ...crashingApp,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              finishedAt: '2026-11-25T14:04:00Z' as unknown as Date,
            },
          },
          lastState: { terminated: { exitCode: 143 } },
        },
      ],
    });

    const [replica] = podsToReplicas('eu', [pod]);

    expect(replica.current).toEqual({
      state: 'terminated',
      reason: 'Completed',
      since: '2026-11-25T14:04:00.000Z',
    });
    expect(replica.lastTermination).toEqual({
      reason: 'Unknown',
      exitCode: 143,
      startedAt: undefined,
      finishedAt: undefined,
    });
  });

  it('shows a pod that never started as not ready, with the reason it is pending', () => {
    const pod = deploymentPod('finance', 'checkout-api', 'pend1', {
      phase: 'Pending',
    });
    pod.spec!.nodeName = undefined;
    pod.status = {
      phase: 'Pending',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    };

    const [replica] = podsToReplicas('eu', [pod]);

    expect(replica).toMatchObject({
      node: undefined,
      phase: 'Pending',
      podReason: 'Unschedulable',
      podMessage: '0/3 nodes are available: 3 Insufficient memory.',
      ready: false,
      restartCount: 0,
      current: { state: 'unknown' },
    });
    expect(replica.lastTermination).toBeUndefined();
  });

  it('leaves out a resource amount that is not a quantity instead of failing the table', () => {
    const pod = deploymentPod('finance', 'checkout-api', 'abcde', {
      containers: [
        {
          name: 'checkout-api',
          resources: {
            requests: { memory: 'lots', cpu: '100m' },
            limits: { memory: '1Gi', cpu: 'two' },
          },
        },
      ],
    });

    const [replica] = podsToReplicas('eu', [pod]);

    expect(replica.requests).toEqual({
      memoryBytes: undefined,
      cpuCores: 0.1,
    });
    expect(replica.limits).toEqual({
      memoryBytes: 1024 * MI,
      cpuCores: undefined,
    });
  });

  it('lists every pod of every namespace', () => {
    const replicas = podsToReplicas('eu', [
      deploymentPod('finance', 'checkout-api', 'abcde'),
      deploymentPod('shop', 'checkout-api', 'fghij'),
    ]);

    expect(replicas.map(r => [r.namespace, r.pod])).toEqual([
      ['finance', 'checkout-api-5d8f7c9b4-abcde'],
      ['shop', 'checkout-api-5d8f7c9b4-fghij'],
    ]);
  });
});

describe('eventsOfPods', () => {
  const pods = [
    deploymentPod('finance', 'checkout-api', 'abcde'),
    deploymentPod('finance', 'checkout-api', 'fghij'),
  ];
  const [abc, xyz] = pods.map(p => p.metadata!.name!);

  it("keeps the entity's pods' events, newest first, each pod known by namespace and name", () => {
    const events = eventsOfPods(
      'eu',
      [
        podEvent('finance', abc, 'BackOff', '2026-11-25T14:00:00Z', {
          count: 21,
        }),
        podEvent(
          'finance',
          'payments-7c9b4-qwert',
          'BackOff',
          '2026-11-25T14:04:00Z',
        ),
        podEvent('finance', xyz, 'Unhealthy', '2026-11-25T14:03:00Z'),
        // Another workload's pod of the same name, in another namespace.
        podEvent('shop', abc, 'OOMKilling', '2026-11-25T14:04:10Z'),
        {
          ...podEvent(
            'finance',
            abc,
            'ScalingReplicaSet',
            '2026-11-25T14:04:30Z',
          ),
          involvedObject: {
            kind: 'Deployment',
            namespace: 'finance',
            name: abc,
          },
        },
      ],
      pods,
    );

    expect(events).toEqual([
      {
        cluster: 'eu',
        namespace: 'finance',
        pod: xyz,
        type: 'Warning',
        reason: 'Unhealthy',
        message: `Unhealthy of ${xyz}`,
        count: 1,
        lastSeen: '2026-11-25T14:03:00.000Z',
      },
      {
        cluster: 'eu',
        namespace: 'finance',
        pod: abc,
        type: 'Warning',
        reason: 'BackOff',
        message: `BackOff of ${abc}`,
        count: 21,
        lastSeen: '2026-11-25T14:00:00.000Z',
      },
    ]);
  });

  it('dates an event without a last timestamp by its event time, then by when it was first seen', () => {
    const events = eventsOfPods(
      'eu',
      [
        podEvent('finance', abc, 'Scheduled', '2026-11-25T13:00:00Z', {
          lastTimestamp: undefined,
          firstTimestamp: new Date('2026-11-25T13:00:00Z'),
        }),
        podEvent('finance', abc, 'Pulled', '2026-11-25T13:01:00Z', {
          lastTimestamp: undefined,
          eventTime: new Date('2026-11-25T13:01:00Z'),
        }),
      ],
      pods,
    );

    expect(events.map(e => [e.reason, e.lastSeen])).toEqual([
      ['Pulled', '2026-11-25T13:01:00.000Z'],
      ['Scheduled', '2026-11-25T13:00:00.000Z'],
    ]);
  });
});

describe('nodeSummary', () => {
  it("shows a node's memory pressure", () => {
    expect(nodeSummary('eu', kubernetesNode('worker-1', true))).toEqual({
      cluster: 'eu',
      name: 'worker-1',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: undefined,
        },
        {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: undefined,
        },
      ],
    });
  });
});
