import { startSandbox, Sandbox } from '../sandbox';
import { WORKLOADS_SCENARIO } from './workloadsScenario.fixture';

const MiB = 1024 * 1024;

describe('workloads defined by a scenario', () => {
  jest.setTimeout(60_000);
  let sandbox: Sandbox;
  let api: string;

  beforeEach(async () => {
    sandbox = await startSandbox({
      scenario: WORKLOADS_SCENARIO,
      speed: 0,
      kubeconfigPath: false,
    });
    api = sandbox.clusters[0].kubernetesUrl;
  }, 60_000);

  afterEach(() => sandbox.close());

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${api}${path}`, init);
    return { status: response.status, body: (await response.json()) as any };
  };
  const pod = async (namespace: string, name: string) =>
    (await call(`/api/v1/namespaces/${namespace}/pods/${name}`)).body;
  const promQuery = async (query: string) => {
    const response = await fetch(
      `${
        sandbox.clusters[0].prometheusUrl
      }/api/v1/query?query=${encodeURIComponent(query)}`,
    );
    return ((await response.json()) as any).data.result as Array<{
      metric: Record<string, string>;
      value: [number, string];
    }>;
  };
  const events = async (podName: string) =>
    (
      await call(
        `/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3D${podName}`,
      )
    ).body.items.map((e: any) => e.message as string);

  it('OOM-kills only the replica whose pod overrides the memory demand', async () => {
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map(x => pod('shop', `checkout-api-v1-${x}`)),
    );
    const status = (p: any) => p.status.containerStatuses[0];
    expect(status(b).lastState.terminated).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
    });
    expect(status(b).restartCount).toBeGreaterThanOrEqual(12);
    for (const healthy of [a, c]) {
      expect(status(healthy).restartCount).toBe(0);
      expect(status(healthy).lastState).toEqual({});
    }
    // The override changes behaviour, not the pod spec.
    expect(b.spec.containers[0].resources).toEqual(
      a.spec.containers[0].resources,
    );
    const memory = await promQuery(
      'container_memory_working_set_bytes{namespace="shop",container="checkout-api"}',
    );
    const byPod = Object.fromEntries(
      memory.map(s => [s.metric.pod, Number(s.value[1])]),
    );
    expect(byPod['checkout-api-v1-a']).toBeLessThan(410 * MiB);
    expect(byPod['checkout-api-v1-c']).toBeLessThan(410 * MiB);
  });

  it('renders probe failures on numeric ports and missing named ports as the kubelet does', async () => {
    const numeric = await pod('shop', 'probe-numeric-v1-a');
    const ip = numeric.status.podIP;
    expect(ip).toMatch(/^10\.244\.\d+\.\d+$/);
    const numericEvents = await events('probe-numeric-v1-a');
    expect(numericEvents).toContain(
      `Readiness probe failed: Get "http://${ip}:9090/ready": dial tcp ${ip}:9090: connect: connection refused`,
    );
    expect(numericEvents).toContain(
      `Liveness probe failed: dial tcp ${ip}:9191: connect: connection refused`,
    );
    expect(numericEvents).toContain(
      'Container app failed liveness probe, will be restarted',
    );
    const named = await events('probe-named-v1-a');
    expect(named).toContain(
      'Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "metrics": invalid syntax',
    );
    expect(named).toContain(
      'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "admin": invalid syntax',
    );
    for (const message of [...numericEvents, ...named]) {
      expect(message).not.toMatch(/undefined|:0\b/);
    }
  });

  it('runs StatefulSet pods with ordinal names, owner and labels, in Prometheus and Loki', async () => {
    const list = (await call('/apis/apps/v1/namespaces/shop/statefulsets'))
      .body;
    expect(list.kind).toBe('StatefulSetList');
    expect(list.items).toHaveLength(1);
    const sts = list.items[0];
    expect(sts.metadata.name).toBe('orders-db');
    expect(sts.spec).toMatchObject({
      replicas: 2,
      serviceName: 'orders-db',
      selector: { matchLabels: { app: 'orders-db' } },
    });
    expect(sts.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    const pods = (
      await call('/api/v1/namespaces/shop/pods?labelSelector=app%3Dorders-db')
    ).body.items;
    expect(pods.map((p: any) => p.metadata.name)).toEqual([
      'orders-db-0',
      'orders-db-1',
    ]);
    for (const [i, p] of pods.entries()) {
      expect(p.metadata.ownerReferences[0]).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'orders-db',
        uid: sts.metadata.uid,
        controller: true,
      });
      expect(p.metadata.labels).toMatchObject({
        'controller-revision-hash': sts.status.updateRevision,
        'statefulset.kubernetes.io/pod-name': `orders-db-${i}`,
      });
      expect(p.spec.hostname).toBe(`orders-db-${i}`);
      expect(p.status.phase).toBe('Running');
    }
    expect(pods[0].spec.nodeName).toBe('worker-1');
    expect(pods[1].spec.nodeName).toBe('worker-2');

    const memory = await promQuery(
      'container_memory_working_set_bytes{namespace="shop",pod=~"orders-db-.*",container="postgres"}',
    );
    const byPod = Object.fromEntries(
      memory.map(s => [s.metric.pod, Number(s.value[1])]),
    );
    // The working set wobbles by up to 2% around the behaviour's memory.
    const near = (value: number, mib: number) =>
      expect(Math.abs(value / MiB - mib) / mib).toBeLessThan(0.03);
    near(byPod['orders-db-0'], 500);
    near(byPod['orders-db-1'], 700);

    const end = sandbox.now();
    const loki = await fetch(
      `${
        sandbox.clusters[0].lokiUrl
      }/loki/api/v1/query_range?${new URLSearchParams({
        query: '{namespace="shop", pod="orders-db-1"} |= "checkpoint"',
        start: String((end - 600_000) * 1e6),
        end: String(end * 1e6),
      })}`,
    );
    const streams = ((await loki.json()) as any).data.result;
    expect(streams).toHaveLength(1);
    expect(streams[0].stream).toMatchObject({
      pod: 'orders-db-1',
      container: 'postgres',
      statefulset_kubernetes_io_pod_name: 'orders-db-1',
    });
    expect(streams[0].values.length).toBeGreaterThan(5);
    expect(streams[0].values[0][1]).toMatch(
      /checkpoint complete: wrote \d+ buffers/,
    );
  });

  it('runs one DaemonSet pod per node', async () => {
    const ds = (
      await call('/apis/apps/v1/namespaces/monitoring/daemonsets/node-exporter')
    ).body;
    expect(ds.kind).toBe('DaemonSet');
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 2,
    });
    const pods = (
      await call(
        '/api/v1/namespaces/monitoring/pods?labelSelector=app%3Dnode-exporter',
      )
    ).body.items;
    expect(pods.map((p: any) => p.spec.nodeName).sort()).toEqual([
      'worker-1',
      'worker-2',
    ]);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^node-exporter-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences[0]).toMatchObject({
        kind: 'DaemonSet',
        name: 'node-exporter',
        uid: ds.metadata.uid,
      });
      expect(p.metadata.labels['controller-revision-hash']).toMatch(
        /^[a-z0-9]+$/,
      );
    }
    const cpu = await promQuery(
      'container_cpu_usage_seconds_total{namespace="monitoring",container="node-exporter"}',
    );
    expect(cpu.map(s => s.metric.pod).sort()).toEqual(
      pods.map((p: any) => p.metadata.name).sort(),
    );
  });

  it('serves HPAs with a status computed from the target pods, and CronJobs', async () => {
    const hpa = (
      await call(
        '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/orders-db',
      )
    ).body;
    expect(hpa).toMatchObject({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      spec: {
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: 'orders-db',
        },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'memory',
              target: { type: 'Utilization', averageUtilization: 50 },
            },
          },
        ],
      },
    });
    const memory = await promQuery(
      'sum(container_memory_working_set_bytes{namespace="shop",pod=~"orders-db-.*",container="postgres"})',
    );
    const expected = (Number(memory[0].value[1]) / (2 * 1024 * MiB)) * 100;
    const current = hpa.status.currentMetrics[0].resource.current;
    expect(Math.abs(current.averageUtilization - expected)).toBeLessThan(2);
    expect(hpa.status.currentReplicas).toBe(2);
    expect(hpa.status.desiredReplicas).toBe(
      Math.min(5, Math.ceil((current.averageUtilization / 50) * 2)),
    );

    const cronJobs = (await call('/apis/batch/v1/cronjobs')).body;
    expect(cronJobs.kind).toBe('CronJobList');
    expect(cronJobs.items).toHaveLength(1);
    expect(cronJobs.items[0]).toMatchObject({
      metadata: { name: 'nightly-report', namespace: 'shop' },
      spec: {
        schedule: '0 2 * * *',
        suspend: false,
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'OnFailure',
                containers: [
                  {
                    name: 'report',
                    image: 'registry.example.com/shop/report:2.1.0',
                    args: ['--since', '24h'],
                  },
                ],
              },
            },
          },
        },
      },
    });
    expect(
      (await call('/apis/batch/v1/namespaces/shop/cronjobs/nope')).status,
    ).toBe(404);
  });

  it('rolls a patched StatefulSet memory limit out pod by pod, keeping the names', async () => {
    const before = await pod('shop', 'orders-db-1');
    const patched = await call(
      '/apis/apps/v1/namespaces/shop/statefulsets/orders-db',
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'postgres',
                    resources: { limits: { memory: '3Gi' } },
                  },
                ],
              },
            },
          },
        }),
      },
    );
    expect(patched.status).toBe(200);
    expect(
      patched.body.spec.template.spec.containers[0].resources.limits.memory,
    ).toBe('3Gi');
    expect(patched.body.status.updateRevision).not.toBe(
      patched.body.status.currentRevision,
    );
    // Highest ordinal first: orders-db-0 still runs the old spec.
    const first = await pod('shop', 'orders-db-0');
    expect(first.metadata.uid).toBe(
      (await pod('shop', 'orders-db-0')).metadata.uid,
    );
    expect(first.spec.containers[0].resources.limits.memory).toBe('2Gi');
    sandbox.advance(10 * 60_000);
    const sts = (
      await call('/apis/apps/v1/namespaces/shop/statefulsets/orders-db')
    ).body;
    expect(sts.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
    });
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    const after = await pod('shop', 'orders-db-1');
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.spec.containers[0].resources.limits.memory).toBe('3Gi');
    expect(after.metadata.labels['controller-revision-hash']).toBe(
      sts.status.updateRevision,
    );
    const controllerEvents = (
      await call(
        '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.kind%3DStatefulSet',
      )
    ).body.items;
    const messages = controllerEvents.map((e: any) => e.message);
    for (const name of ['orders-db-0', 'orders-db-1']) {
      expect(messages).toContain(
        `delete Pod ${name} in StatefulSet orders-db successful`,
      );
      expect(messages).toContain(
        `create Pod ${name} in StatefulSet orders-db successful`,
      );
    }
    const deletedAt = (name: string) =>
      Date.parse(
        controllerEvents.find(
          (e: any) =>
            e.message ===
            `delete Pod ${name} in StatefulSet orders-db successful`,
        ).lastTimestamp,
      );
    expect(deletedAt('orders-db-1')).toBeLessThan(deletedAt('orders-db-0'));
    expect(controllerEvents[0]).toMatchObject({
      involvedObject: { apiVersion: 'apps/v1', name: 'orders-db' },
      source: { component: 'statefulset-controller' },
    });
  });

  it('gives pods of a later rollout the template behaviour, without the per-pod override', async () => {
    const patched = await call(
      '/apis/apps/v1/namespaces/shop/deployments/checkout-api',
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'checkout-api',
                    image: 'registry.example.com/shop/checkout-api:2.0.2',
                  },
                ],
              },
            },
          },
        }),
      },
    );
    expect(patched.status).toBe(200);
    sandbox.advance(30 * 60_000);
    const pods = (
      await call('/api/v1/namespaces/shop/pods?labelSelector=app%3Dcheckout')
    ).body.items;
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).not.toMatch(/^checkout-api-v1-/);
      expect(p.status.containerStatuses[0]).toMatchObject({
        restartCount: 0,
        ready: true,
        lastState: {},
      });
    }
  });

  it('refuses to start a scenario whose pod overrides a behaviour field badly', async () => {
    const bad = JSON.parse(JSON.stringify(WORKLOADS_SCENARIO));
    bad.clusters[0].deployments[0].pods[1].behavior = {
      'checkout-api': { demandMemory: 'a lot' },
    };
    await expect(
      startSandbox({ scenario: bad, speed: 0, kubeconfigPath: false }),
    ).rejects.toThrow(
      /clusters\[0\]\.deployments\[0\]\.pods\[1\]\.behavior\.checkout-api\.demandMemory: must be a Kubernetes quantity/,
    );
  });
});
