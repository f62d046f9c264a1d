import { startSandbox, Sandbox } from '../sandbox';

const SCRIPT = [
  'echo "== crictl ps"',
  'crictl ps --name checkout-api',
  'ID=$(crictl ps --name checkout-api -q)',
  'PID=$(crictl inspect $ID | jq .info.pid)',
  'echo "== ip addr"',
  'nsenter -t $PID -n -i -- ip addr',
  'echo "== netstat"',
  'nsenter -t $PID -n -- netstat -plnt',
  'echo "== ss"',
  'nsenter -t $PID -n -- ss -ltnp',
].join('\n');

function forensicsJob(
  name: string,
  target: { namespace: string; pod: string; node: string },
  spec: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'observability-ir' },
      annotations: {
        'observability-ir.io/target-pod': `${target.namespace}/${target.pod}`,
        'observability-ir.io/target-container': 'checkout-api',
      },
    },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        metadata: {
          labels: { 'app.kubernetes.io/managed-by': 'observability-ir' },
        },
        spec: {
          nodeName: target.node,
          hostPID: true,
          restartPolicy: 'Never',
          containers: [
            {
              name: 'forensics',
              image: 'registry.example.com/tools/node-forensics:1.0',
              command: ['/bin/sh', '-c', SCRIPT],
              securityContext: { privileged: true },
            },
          ],
        },
      },
    },
  };
}

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

  async function runToCompletion(job: string) {
    for (let i = 0; i < 20; i++) {
      sandbox.advance(1_000);
      const status = (
        await request('GET', `/apis/batch/v1/namespaces/finance/jobs/${job}`)
      ).json().status;
      if (status.succeeded || status.failed) return status;
    }
    throw new Error(`job ${job} did not finish`);
  }

  it('runs Pending -> Running -> Succeeded and shows no listener while the JVM OOM-loops', async () => {
    const created = await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob('forensics-oom', {
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        node: 'worker-1',
      }),
    );
    expect(created.status).toBe(201);
    expect(created.json().metadata.uid).toBeTruthy();
    expect(
      (
        await request(
          'POST',
          '/apis/batch/v1/namespaces/finance/jobs',
          forensicsJob('forensics-oom', {
            namespace: 'finance',
            pod: 'checkout-api-v1-abc',
            node: 'worker-1',
          }),
        )
      ).status,
    ).toBe(409);

    sandbox.advance(500);
    const pending = await jobPod('forensics-oom');
    expect(pending.metadata.name).toMatch(/^forensics-oom-[a-z0-9]{5}$/);
    expect(pending.status.phase).toBe('Pending');
    expect(pending.spec.nodeName).toBe('worker-1');
    expect(pending.spec.hostPID).toBe(true);
    sandbox.advance(2_000);
    expect((await jobPod('forensics-oom')).status.phase).toBe('Running');
    expect(
      (
        await request(
          'GET',
          '/apis/batch/v1/namespaces/finance/jobs/forensics-oom',
        )
      ).json().status.active,
    ).toBe(1);

    const status = await runToCompletion('forensics-oom');
    expect(status.succeeded).toBe(1);
    expect(status.conditions.map((c: any) => c.type)).toContain('Complete');
    const pod = await jobPod('forensics-oom');
    expect(pod.status.phase).toBe('Succeeded');

    const log = (
      await request(
        'GET',
        `/api/v1/namespaces/finance/pods/${pod.metadata.name}/log`,
      )
    ).text;
    const crictlRow = log.split('\n').find(l => /\scheckout-api\s/.test(l))!;
    expect(crictlRow).toMatch(
      /^[0-9a-f]{13}\s+\S+\s+.+ ago\s+Running\s+checkout-api\s+45\s+[0-9a-f]{13}\s+checkout-api-v1-abc\s+finance$/,
    );
    expect(log).toMatch(/inet 10\.244\.\d+\.\d+\/24 brd .* scope global eth0/);
    const netstat = log.slice(log.indexOf('== netstat'), log.indexOf('== ss'));
    expect(netstat).toContain('Proto Recv-Q Send-Q Local Address');
    expect(netstat).not.toContain(':8080');
    expect(log.slice(log.indexOf('== ss'))).not.toContain(':8080');
  });

  it('shows java listening on 8080 once the memory limit is raised', async () => {
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
    const target = pods[0].metadata.name;
    expect(target).not.toBe('checkout-api-v1-abc');
    await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob('forensics-fixed', {
        namespace: 'finance',
        pod: target,
        node: 'worker-1',
      }),
    );
    await runToCompletion('forensics-fixed');
    const pod = await jobPod('forensics-fixed');
    const log = (
      await request(
        'GET',
        `/api/v1/namespaces/finance/pods/${pod.metadata.name}/log`,
      )
    ).text;
    expect(log).toMatch(/^tcp6\s+0\s+0 :::8080\s+:::\*\s+LISTEN\s+\d+\/java/m);
    expect(log).toMatch(
      /^LISTEN\s+0\s+100\s+\*:8080\s+\*:\*\s+users:\(\("java",pid=\d+,fd=12\)\)/m,
    );
    expect(log).toMatch(new RegExp(`\\s${target}\\s+finance$`, 'm'));
  });

  it('fails with an explanation when pinned to the wrong node', async () => {
    await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob('forensics-wrong-node', {
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        node: 'worker-2',
      }),
    );
    const status = await runToCompletion('forensics-wrong-node');
    expect(status.failed).toBe(1);
    expect(
      status.conditions.find((c: any) => c.type === 'Failed'),
    ).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    const pod = await jobPod('forensics-wrong-node');
    expect(pod.status.phase).toBe('Failed');
    expect(pod.status.containerStatuses[0].state.terminated.exitCode).toBe(1);
    const log = (
      await request(
        'GET',
        `/api/v1/namespaces/finance/pods/${pod.metadata.name}/log`,
      )
    ).text;
    expect(log).toContain('runs on node worker-1, not on this node (worker-2)');
  });

  it('honours activeDeadlineSeconds and ttlSecondsAfterFinished', async () => {
    await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob(
        'forensics-deadline',
        { namespace: 'finance', pod: 'checkout-api-v1-abc', node: 'worker-1' },
        { activeDeadlineSeconds: 3 },
      ),
    );
    await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob(
        'forensics-ttl',
        { namespace: 'finance', pod: 'checkout-api-v1-abc', node: 'worker-1' },
        { ttlSecondsAfterFinished: 30 },
      ),
    );
    const deadline = await runToCompletion('forensics-deadline');
    expect(
      deadline.conditions.find((c: any) => c.type === 'Failed'),
    ).toMatchObject({ reason: 'DeadlineExceeded' });
    sandbox.advance(5_000);
    expect(
      (
        await request(
          'GET',
          '/apis/batch/v1/namespaces/finance/jobs/forensics-ttl',
        )
      ).json().status.succeeded,
    ).toBe(1);
    sandbox.advance(30_000);
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
  });

  it('streams watch events until the Job completes and deletes it', async () => {
    await request(
      'POST',
      '/apis/batch/v1/namespaces/finance/jobs',
      forensicsJob('forensics-watch', {
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        node: 'worker-1',
      }),
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
  });

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
