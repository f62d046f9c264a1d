import fs from 'node:fs';
import { startSandbox, Sandbox } from '../sandbox';

/** Where the backend's Job puts the script, the CRI socket and the cgroup tree. */
const SCRIPT = '/opt/observability-ir/node-forensics.sh';
const CRI_SOCKET = '/run/observability-ir/cri.sock';
const CGROUP_ROOT = '/host/sys/fs/cgroup';

interface Target {
  namespace: string;
  pod: string;
  node: string;
  podUid: string;
  containerId?: string;
}

/** A forensics Job as the backend builds it (jobSpec.ts). */
function forensicsJob(
  name: string,
  target: Target,
  options: {
    spec?: Record<string, unknown>;
    command?: string[];
    args?: string[];
  } = {},
) {
  const args = options.args ?? [
    ...(target.containerId ? ['--container-id', target.containerId] : []),
    '--container-name',
    'checkout-api',
    '--pod-uid',
    target.podUid,
    '--pod-name',
    target.pod,
    '--pod-namespace',
    target.namespace,
    '--runtime-endpoint',
    `unix://${CRI_SOCKET}`,
    '--cgroup-root',
    CGROUP_ROOT,
    '--command-timeout',
    '15',
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'observability-ir-backend' },
      annotations: {
        'observability-ir.io/target-pod': `${target.namespace}/${target.pod}`,
        'observability-ir.io/target-container': 'checkout-api',
      },
    },
    spec: {
      backoffLimit: 0,
      ...options.spec,
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/managed-by': 'observability-ir-backend',
          },
        },
        spec: {
          nodeName: target.node,
          hostPID: true,
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'node-forensics',
              image: `registry.example.com/node-forensics@sha256:${'a'.repeat(
                64,
              )}`,
              command: options.command ?? ['/bin/sh', SCRIPT],
              args,
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: {
                  drop: ['ALL'],
                  add: ['SYS_ADMIN', 'SYS_PTRACE'],
                },
              },
              volumeMounts: [
                { name: 'cri-socket', mountPath: CRI_SOCKET, readOnly: true },
                { name: 'host-cgroup', mountPath: CGROUP_ROOT, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            {
              name: 'cri-socket',
              hostPath: {
                path: '/run/containerd/containerd.sock',
                type: 'Socket',
              },
            },
            {
              name: 'host-cgroup',
              hostPath: { path: '/sys/fs/cgroup', type: 'Directory' },
            },
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
          ],
        },
      },
    },
  };
}

/** The script's sections (`=== section: NAME ===` … `=== end: NAME exit=N ===`). */
function sections(log: string): Map<string, { body: string; exit: number }> {
  const found = new Map<string, { body: string; exit: number }>();
  const pattern =
    /^=== section: (\S+) ===\n([\s\S]*?)^=== end: \1 exit=(\d+) ===$/gm;
  for (const m of log.matchAll(pattern)) {
    found.set(m[1], { body: m[2], exit: Number(m[3]) });
  }
  return found;
}

function keyValues(body: string): Record<string, string> {
  return Object.fromEntries(
    body
      .split('\n')
      .map(line => /^([a-z-]+): (.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(m => [m[1], m[2]]),
  );
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('node forensics Jobs', () => {
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

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: body
        ? { 'Content-Type': contentType, Authorization: 'Bearer anything' }
        : { Authorization: 'Bearer anything' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
  };

  const target = async (pod: string, node?: string): Promise<Target> => {
    const object = (
      await request('GET', `/api/v1/namespaces/finance/pods/${pod}`)
    ).json();
    return {
      namespace: 'finance',
      pod,
      node: node ?? object.spec.nodeName,
      podUid: object.metadata.uid,
      containerId: object.status.containerStatuses[0].containerID,
    };
  };

  const createJob = async (job: Record<string, any>) => {
    const created = await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      job,
    );
    expect(created.status).toBe(201);
    return created.json();
  };

  const jobPod = async (job: string) => {
    const pods = (
      await request(
        'GET',
        `/api/v1/namespaces/finance/pods?labelSelector=${encodeURIComponent(
          `job-name=${job}`,
        )}`,
      )
    ).json().items;
    expect(pods).toHaveLength(1);
    return pods[0];
  };

  const jobStatus = async (job: string) =>
    (
      await request('GET', `/apis/batch/v1/namespaces/finance/jobs/${job}`)
    ).json().status;

  /** Moves simulated time on while the script runs on this machine. */
  async function runToCompletion(job: string) {
    for (let i = 0; i < 300; i++) {
      sandbox.advance(1_000);
      const status = await jobStatus(job);
      if (status.succeeded || status.failed) return status;
      await sleep(100);
    }
    throw new Error(`job ${job} did not finish`);
  }

  const podLog = async (job: string) => {
    const pod = await jobPod(job);
    return (
      await request(
        'GET',
        `/api/v1/namespaces/finance/pods/${pod.metadata.name}/log`,
      )
    ).text;
  };

  it('runs the script Pending -> Running -> Succeeded: the OOM-looping JVM listens on nothing, the cgroup counts its OOM kills', async () => {
    const abc = await target('checkout-api-v1-abc');
    expect(abc.node).toBe('worker-1');
    const job = forensicsJob('forensics-oom', abc);
    expect((await createJob(job)).metadata.uid).toBeTruthy();
    expect(
      (await request('POST', '/apis/batch/v1/namespaces/finance/jobs', job))
        .status,
    ).toBe(409);

    sandbox.advance(500);
    const pending = await jobPod('forensics-oom');
    expect(pending.metadata.name).toMatch(/^forensics-oom-[a-z0-9]{5}$/);
    expect(pending.status.phase).toBe('Pending');
    expect(pending.spec.nodeName).toBe('worker-1');
    expect(pending.spec.hostPID).toBe(true);
    sandbox.advance(1_600);
    expect((await jobPod('forensics-oom')).status.phase).toBe('Running');
    expect((await jobStatus('forensics-oom')).active).toBe(1);

    const status = await runToCompletion('forensics-oom');
    expect(status.succeeded).toBe(1);
    expect(status.conditions.map((c: any) => c.type)).toContain('Complete');
    const pod = await jobPod('forensics-oom');
    expect(pod.status.phase).toBe('Succeeded');
    expect(pod.status.containerStatuses[0].state.terminated.exitCode).toBe(0);

    const log = await podLog('forensics-oom');
    expect(log).toMatch(/^=== node-forensics format=1 ===$/m);
    expect(log.trimEnd().endsWith('=== done ===')).toBe(true);
    const s = sections(log);
    const id = abc.containerId!.replace('containerd://', '');
    expect(keyValues(s.get('meta')!.body)).toMatchObject({
      'container-id': id,
      'pod-uid': abc.podUid,
      'pod-name': 'checkout-api-v1-abc',
    });
    const inspect = JSON.parse(
      s.get('crictl-inspect')!.body.replace(/^\$.*\n/, ''),
    );
    expect(inspect.status).toMatchObject({
      id,
      state: 'CONTAINER_RUNNING',
      metadata: { name: 'checkout-api', attempt: 45 },
    });
    const t = keyValues(s.get('target')!.body);
    expect(t).toMatchObject({
      'container-id': id,
      'found-by': 'crictl',
      state: 'running',
    });
    expect(Number(t.pid)).toBe(inspect.info.pid);
    expect(s.get('ip-addr')!.body).toMatch(
      /^2: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 .* state UP /m,
    );
    expect(s.get('ip-addr')!.body).toMatch(
      /^ {4}inet 10\.244\.2\.\d+\/24 brd 10\.244\.2\.255 scope global eth0$/m,
    );
    // Nothing listens while the JVM starts and dies before it is Ready.
    expect(s.get('ss-ltnp')).toEqual({
      body: `$ nsenter -t ${t.pid} -n -- ss -ltnp\nState Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n`,
      exit: 0,
    });
    expect(keyValues(s.get('cgroup')!.body)).toMatchObject({ version: '2' });
    expect(s.get('proc-cgroup')!.body).toMatch(
      /^0::\/kubepods\.slice\/kubepods-burstable\.slice\/kubepods-burstable-pod[0-9a-f_]+\.slice\/cri-containerd-[0-9a-f]{64}\.scope$/m,
    );
    expect(s.get('cgroup/container/memory.max')!.body).toBe('536870912\n');
    const podEvents = s.get('cgroup/pod/memory.events')!.body;
    expect(
      Number(/^oom_kill (\d+)$/m.exec(podEvents)![1]),
    ).toBeGreaterThanOrEqual(45);
    expect(s.get('cgroup/container/memory.events')!.body).toMatch(
      /^oom_kill 0$/m,
    );

    // The attempt's folder (the node's files, the stand-ins) is gone.
    const hostProc = keyValues(s.get('meta')!.body)['host-proc'];
    expect(hostProc).toMatch(/sandbox-forensics-[^/]+\/host\/proc$/);
    expect(fs.existsSync(hostProc.replace(/\/host\/proc$/, ''))).toBe(false);
  }, 60_000);

  it('shows the listener of a healthy app once the memory limit is raised', async () => {
    const patched = await request(
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
      'application/strategic-merge-patch+json',
    );
    expect(patched.status).toBe(200);
    sandbox.advance(6 * 60_000);
    const pods = (
      await request(
        'GET',
        '/api/v1/namespaces/finance/pods?labelSelector=app%3Dcheckout&fieldSelector=spec.nodeName%3Dworker-1',
      )
    ).json().items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.name).not.toBe('checkout-api-v1-abc');
    await createJob(
      forensicsJob('forensics-fixed', await target(pods[0].metadata.name)),
    );
    expect((await runToCompletion('forensics-fixed')).succeeded).toBe(1);
    const s = sections(await podLog('forensics-fixed'));
    const pid = keyValues(s.get('target')!.body).pid;
    expect(s.get('ss-ltnp')!.body).toMatch(
      new RegExp(
        `^LISTEN 0 {6}100 {16}\\*:8080 {12}\\*:\\* {4}users:\\(\\("checkout-api",pid=${pid},fd=12\\)\\)$`,
        'm',
      ),
    );
    expect(s.get('cgroup/container/memory.max')!.body).toBe('1073741824\n');
    expect(s.get('cgroup/pod/memory.events')!.body).toMatch(/^oom_kill 0$/m);
  }, 60_000);

  it('reads cgroup v1 on worker-2 with the cgroupfs layout', async () => {
    const xyz = await target('checkout-api-v1-xyz');
    expect(xyz.node).toBe('worker-2');
    await createJob(forensicsJob('forensics-v1', xyz));
    expect((await runToCompletion('forensics-v1')).succeeded).toBe(1);
    const s = sections(await podLog('forensics-v1'));
    const cgroup = keyValues(s.get('cgroup')!.body);
    expect(cgroup.version).toBe('1');
    expect(cgroup.pod).toMatch(
      new RegExp(
        `/host/sys/fs/cgroup/memory/kubepods/burstable/pod${xyz.podUid}$`,
      ),
    );
    expect(s.get('cgroup/pod/memory.oom_control')!.body).toBe(
      'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    );
    expect(s.get('cgroup/pod/memory.limit_in_bytes')!.body).toBe('536870912\n');
  }, 60_000);

  it('reports an unknown container when pinned to another node than the pod', async () => {
    const abc = await target('checkout-api-v1-abc', 'worker-2');
    await createJob(forensicsJob('forensics-wrong-node', abc));
    expect((await runToCompletion('forensics-wrong-node')).succeeded).toBe(1);
    const s = sections(await podLog('forensics-wrong-node'));
    expect(s.get('crictl-inspect')!.exit).toBe(1);
    expect(s.get('crictl-inspect')!.body).toContain('code = NotFound');
    expect(keyValues(s.get('target')!.body)).toMatchObject({
      'found-by': 'none',
      pid: 'none',
    });
  }, 60_000);

  it('refuses anything but node-forensics.sh with its documented flags', async () => {
    const abc = await target('checkout-api-v1-abc');
    await createJob(
      forensicsJob('forensics-shell', abc, {
        command: ['/bin/sh', '-c', 'crictl ps'],
        args: [],
      }),
    );
    await createJob(
      forensicsJob('forensics-flag', abc, {
        args: ['--pod-uid', abc.podUid, '--exec', 'id'],
      }),
    );
    for (const name of ['forensics-shell', 'forensics-flag']) {
      const status = await runToCompletion(name);
      expect(status.failed).toBe(1);
      expect(
        status.conditions.find((c: any) => c.type === 'Failed'),
      ).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
      const pod = await jobPod(name);
      expect(pod.status.phase).toBe('Failed');
      expect(pod.status.containerStatuses[0].state.terminated.exitCode).toBe(2);
    }
    expect(await podLog('forensics-shell')).toBe(
      `sandbox: refused to run the Job's command: the container runs "/bin/sh -c", not node-forensics.sh; only node-forensics.sh with its documented flags runs on a sandbox node\n`,
    );
    expect(await podLog('forensics-flag')).toContain(
      `sandbox: refused to run the Job's command: "--exec" is not a documented flag of node-forensics.sh`,
    );
  }, 60_000);

  it('fails with the script own message on an invalid value', async () => {
    const abc = await target('checkout-api-v1-abc');
    await createJob(
      forensicsJob('forensics-bad-uid', abc, {
        args: ['--container-name', 'checkout-api', '--pod-uid', 'NOT-A-UID'],
      }),
    );
    expect((await runToCompletion('forensics-bad-uid')).failed).toBe(1);
    expect(await podLog('forensics-bad-uid')).toContain(
      'node-forensics: invalid --pod-uid: expected a lowercase UUID',
    );
  }, 60_000);

  it('honours activeDeadlineSeconds and ttlSecondsAfterFinished', async () => {
    const abc = await target('checkout-api-v1-abc');
    // The pod starts 2.1 s after the Job: a 2 s deadline passes first.
    await createJob(
      forensicsJob('forensics-deadline', abc, {
        spec: { activeDeadlineSeconds: 2 },
      }),
    );
    await createJob(
      forensicsJob('forensics-ttl', abc, {
        spec: { ttlSecondsAfterFinished: 30 },
      }),
    );
    const deadline = await runToCompletion('forensics-deadline');
    expect(
      deadline.conditions.find((c: any) => c.type === 'Failed'),
    ).toMatchObject({ reason: 'DeadlineExceeded' });
    expect((await runToCompletion('forensics-ttl')).succeeded).toBe(1);
    sandbox.advance(35_000);
    const gone = await request(
      'GET',
      '/apis/batch/v1/namespaces/finance/jobs/forensics-ttl',
    );
    expect(gone.status).toBe(404);
    expect(gone.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'jobs.batch "forensics-ttl" not found',
    });
    expect(
      (
        await request(
          'GET',
          '/api/v1/namespaces/finance/pods?labelSelector=job-name%3Dforensics-ttl',
        )
      ).json().items,
    ).toHaveLength(0);
  }, 60_000);

  it('streams watch events until the Job completes and deletes it', async () => {
    await createJob(
      forensicsJob('forensics-watch', await target('checkout-api-v1-abc')),
    );
    const controller = new AbortController();
    const response = await fetch(
      `${api}/apis/batch/v1/namespaces/finance/jobs?watch=true&fieldSelector=metadata.name%3Dforensics-watch`,
      { signal: controller.signal },
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: Array<{ type: string; object: any }> = [];
    let buffer = '';
    const ticker = setInterval(() => sandbox.advance(1_000), 50);
    try {
      while (!events.some(e => e.object.status?.succeeded === 1)) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          events.push(JSON.parse(line));
        }
      }
    } finally {
      clearInterval(ticker);
      controller.abort();
    }
    expect(events[0].type).toBe('ADDED');
    expect(events.slice(1).every(e => e.type === 'MODIFIED')).toBe(true);
    expect(
      events[events.length - 1].object.status.conditions.map(
        (c: any) => c.type,
      ),
    ).toContain('Complete');
    const deleted = await request(
      'DELETE',
      '/apis/batch/v1/namespaces/finance/jobs/forensics-watch?propagationPolicy=Background',
    );
    expect(deleted.status).toBe(200);
    expect(
      (
        await request(
          'GET',
          '/apis/batch/v1/namespaces/finance/jobs/forensics-watch',
        )
      ).status,
    ).toBe(404);
  }, 60_000);

  it('rejects invalid Jobs with 422 Status objects', async () => {
    const bad = await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'x' },
        spec: { template: { spec: { containers: [] } } },
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.json()).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
    });
    expect(bad.json().details.causes.map((c: any) => c.field)).toContain(
      'spec.template.spec.containers',
    );
  });
});
