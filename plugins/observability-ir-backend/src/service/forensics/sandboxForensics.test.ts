import type { V1Pod } from '@kubernetes/client-node';
import { startSandbox, Sandbox } from '@observability-ir/sandbox-cluster';
import {
  FORENSICS_DEFAULTS,
  ForensicsSettings,
} from '../../config/readForensicsConfig';
import { expectedPortsFromPod } from './expectedPorts';
import { buildForensicsJob } from './jobSpec';
import { readForensicsReport } from './report';

const SETTINGS: ForensicsSettings = {
  ...FORENSICS_DEFAULTS,
  // A namespace of the scenario.
  namespace: 'monitoring',
  image: `registry.example.com/node-forensics@sha256:${'0'.repeat(64)}`,
};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * The Job the backend builds, run by the sandbox: the real script with
 * stand-in tools answering from the simulated node; its log read with the
 * backend's parser and verdict.
 */
describe('node forensics in the sandbox', () => {
  let sandbox: Sandbox;
  let api: string;

  beforeEach(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    api = sandbox.clusters[0].kubernetesUrl;
  }, 60_000);

  afterEach(() => sandbox.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${sandbox.token}`,
        ...(body
          ? {
              'Content-Type':
                method === 'PATCH'
                  ? 'application/strategic-merge-patch+json'
                  : 'application/json',
            }
          : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${text}`);
    return text;
  };

  async function forensics(podName: string) {
    const pod: V1Pod = JSON.parse(
      await call('GET', `/api/v1/namespaces/finance/pods/${podName}`),
    );
    const expected = expectedPortsFromPod(pod, {
      containerName: 'checkout-api',
    });
    const job = buildForensicsJob(
      SETTINGS,
      {
        cluster: sandbox.clusters[0].name,
        namespace: 'finance',
        podName,
        podUid: pod.metadata!.uid!,
        nodeName: pod.spec!.nodeName!,
        containerName: 'checkout-api',
        containerId: pod.status!.containerStatuses![0].containerID,
        expectedPorts: expected,
        entityRef: 'component:default/checkout-api',
        requestedBy: 'user:default/jane',
      },
      new Date(sandbox.now()),
    );
    const name = job.metadata!.name!;
    await call('POST', '/apis/batch/v1/namespaces/monitoring/jobs', job);
    for (let i = 0; i < 300; i++) {
      sandbox.advance(1_000);
      const status = JSON.parse(
        await call('GET', `/apis/batch/v1/namespaces/monitoring/jobs/${name}`),
      ).status;
      if (status.succeeded) break;
      if (status.failed)
        throw new Error(`the Job failed: ${JSON.stringify(status)}`);
      await sleep(100);
    }
    const jobPod = JSON.parse(
      await call(
        'GET',
        `/api/v1/namespaces/monitoring/pods?labelSelector=job-name%3D${name}`,
      ),
    ).items[0];
    const log = await call(
      'GET',
      `/api/v1/namespaces/monitoring/pods/${jobPod.metadata.name}/log`,
    );
    return readForensicsReport(log, expected);
  }

  it("finds nothing listening on 8080 in checkout-api-v1-abc's namespace and the OOM kills of its cgroup", async () => {
    const report = await forensics('checkout-api-v1-abc');
    expect(report.complete).toBe(true);
    expect(report.findings.target).toMatchObject({
      foundBy: 'crictl',
      state: 'running',
    });
    expect(report.findings.listening).toEqual([]);
    expect(report.findings.cgroup.version).toBe(2);
    expect(report.verdict.kind).toBe('oom-before-ready');
    expect(report.verdict.sentence).toMatch(
      /^Nothing listens on 8080 in the pod's network namespace while the spec expects it; the cgroup recorded \d+ OOM kills: the process dies before it is Ready, consistent with the memory limit \(512Mi\)$/,
    );
    expect(report.verdict.oomKills).toBeGreaterThanOrEqual(1);
    expect(report.verdict.memoryLimitBytes).toBe(512 * 1024 * 1024);
  }, 60_000);

  it('shows the listener of the app once its memory limit is raised', async () => {
    await call(
      'PATCH',
      '/apis/apps/v1/namespaces/finance/deployments/checkout-api',
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'checkout-api',
                  resources: { limits: { memory: '1Gi' } },
                },
              ],
            },
          },
        },
      },
    );
    sandbox.advance(6 * 60_000);
    const pods = JSON.parse(
      await call(
        'GET',
        '/api/v1/namespaces/finance/pods?labelSelector=app%3Dcheckout&fieldSelector=spec.nodeName%3Dworker-1',
      ),
    ).items;
    const report = await forensics(pods[0].metadata.name);
    expect(report.findings.listening).toEqual([
      expect.objectContaining({
        port: 8080,
        address: '*',
        loopbackOnly: false,
      }),
    ]);
    expect(report.verdict.kind).toBe('listening');
    expect(report.verdict.sentence).toMatch(
      /^The app listens on 8080 and the interface is up \(10\.244\.2\.\d+\): look at the network path/,
    );
  }, 60_000);
});
