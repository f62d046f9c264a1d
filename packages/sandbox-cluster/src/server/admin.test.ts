import { startSandbox, Sandbox } from '../sandbox';
import { isLoopback } from './admin';

describe('the sandbox endpoints', () => {
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

  const get = async (path: string) => (await fetch(`${api}${path}`)).json();

  const post = async (path: string, body?: string) => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    return { status: response.status, body: await response.json() };
  };

  const checkoutPods = async () =>
    (await get('/api/v1/namespaces/finance/pods?labelSelector=app%3Dcheckout'))
      .items as any[];

  const memoryLimit = (object: any) =>
    object.spec.template.spec.containers[0].resources.limits.memory;

  const raiseLimitTo1Gi = async () => {
    const response = await fetch(
      `${api}/apis/apps/v1/namespaces/finance/deployments/checkout-api`,
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
                    resources: { limits: { memory: '1Gi' } },
                  },
                ],
              },
            },
          },
        }),
      },
    );
    expect(response.status).toBe(200);
  };

  it('advancing the clock lets a rolled-out Deployment become Ready', async () => {
    const before = sandbox.now();
    await raiseLimitTo1Gi();
    const rolledOut = (await checkoutPods()).filter(
      p => p.spec.containers[0].resources.limits.memory === '1Gi',
    );
    expect(rolledOut).toHaveLength(2);
    expect(rolledOut.every(p => p.status.containerStatuses[0].ready)).toBe(
      false,
    );

    const advanced = await post(
      '/_sandbox/clock',
      JSON.stringify({ advanceSeconds: 600 }),
    );
    expect(advanced.status).toBe(200);
    expect(Date.parse(advanced.body.now)).toBe(before + 600_000);
    expect(sandbox.now()).toBe(before + 600_000);

    const pods = await checkoutPods();
    expect(pods.map(p => p.metadata.name).sort()).toEqual(
      rolledOut.map(p => p.metadata.name).sort(),
    );
    for (const pod of pods) {
      const [status] = pod.status.containerStatuses;
      expect(status.ready).toBe(true);
      expect(status.restartCount).toBe(0);
    }
  });

  it('reset brings back the scenario as at start', async () => {
    const scenarioPods = (await checkoutPods())
      .map(p => p.metadata.name)
      .sort();
    expect(scenarioPods).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    const job = await fetch(
      `${api}/apis/batch/v1/namespaces/observability-ir-forensics/jobs`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'left-over' },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'c', image: 'busybox' }],
              },
            },
          },
        }),
      },
    );
    expect(job.status).toBe(201);
    await raiseLimitTo1Gi();
    await post('/_sandbox/clock', JSON.stringify({ advanceSeconds: 3600 }));
    const wallBefore = Date.now();

    const reset = await post('/_sandbox/reset');
    expect(reset.status).toBe(200);
    expect(reset.body.scenario).toBe('checkout-oom');
    // A fresh clock at the wall-clock time of the reset (frozen at speed 0).
    expect(Date.parse(reset.body.now)).toBeGreaterThanOrEqual(wallBefore);
    expect(Date.parse(reset.body.now)).toBeLessThanOrEqual(Date.now());

    const deployment = await get(
      '/apis/apps/v1/namespaces/finance/deployments/checkout-api',
    );
    expect(memoryLimit(deployment)).toBe('512Mi');
    expect(
      deployment.metadata.annotations['deployment.kubernetes.io/revision'],
    ).toBe('1');
    const replicaSets = await get(
      '/apis/apps/v1/namespaces/finance/replicasets',
    );
    expect(replicaSets.items.map((r: any) => r.metadata.name)).toEqual([
      'checkout-api-v1',
    ]);
    const pods = await checkoutPods();
    expect(pods.map(p => p.metadata.name).sort()).toEqual(scenarioPods);
    expect(pods.map(p => p.status.containerStatuses[0].restartCount)).toEqual(
      expect.arrayContaining([45, 42]),
    );
    const jobs = await get(
      '/apis/batch/v1/namespaces/observability-ir-forensics/jobs',
    );
    expect(jobs.items).toEqual([]);
  });

  it('reset with a shipped scenario replays it, and a plain reset goes back', async () => {
    const switched = await post(
      '/_sandbox/reset',
      JSON.stringify({ scenario: 'network-fault' }),
    );
    expect(switched.status).toBe(200);
    expect(switched.body.scenario).toBe('network-fault');
    expect((await fetch(sandbox.url).then(r => r.json())).scenario).toBe(
      'network-fault',
    );
    // The same pods, now never Ready and never restarting, behind 1Gi.
    const deployment = await get(
      '/apis/apps/v1/namespaces/finance/deployments/checkout-api',
    );
    expect(memoryLimit(deployment)).toBe('1Gi');
    const pods = await checkoutPods();
    expect(pods.map(p => p.metadata.name).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const pod of pods) {
      expect(pod.status.containerStatuses[0]).toMatchObject({
        ready: false,
        restartCount: 0,
      });
    }

    const back = await post('/_sandbox/reset', '{}');
    expect(back.status).toBe(200);
    expect(back.body.scenario).toBe('checkout-oom');
    expect(
      memoryLimit(
        await get('/apis/apps/v1/namespaces/finance/deployments/checkout-api'),
      ),
    ).toBe('512Mi');
  });

  it.each([
    ['a body that is not JSON', 'network-fault'],
    ['an unknown scenario', '{"scenario":"no-such-scenario"}'],
    ['a path', '{"scenario":"../scenarios/network-fault.yaml"}'],
    ['an empty name', '{"scenario":""}'],
    ['an unknown field', '{"scenario":"healthy","speed":2}'],
  ])('refuses to reset given %s (400), changing nothing', async (_, body) => {
    const response = await post('/_sandbox/reset', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(expect.any(String));
    expect(sandbox.world.scenario.name).toBe('checkout-oom');
  });

  it('ends open watches on reset, so clients watch the new world', async () => {
    const watch = await fetch(
      `${api}/api/v1/namespaces/finance/pods?watch=true`,
    );
    const reading = watch.text();
    await post('/_sandbox/reset');
    // Resolves only once the server has ended the stream.
    expect(await reading).toContain('"type":"ADDED"');
  });

  it.each([
    ['no body', undefined],
    ['a body that is not JSON', 'advance please'],
    ['no advanceSeconds', '{}'],
    ['zero seconds', '{"advanceSeconds":0}'],
    ['negative seconds', '{"advanceSeconds":-60}'],
    ['more than a day', '{"advanceSeconds":86401}'],
    ['seconds as text', '{"advanceSeconds":"600"}'],
    ['an unknown field', '{"advanceSeconds":60,"speed":2}'],
  ])('refuses to move the clock given %s (400)', async (_, body) => {
    const before = sandbox.now();
    const response = await post('/_sandbox/clock', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(expect.any(String));
    expect(sandbox.now()).toBe(before);
  });

  it('moves the clock by a full day at most', async () => {
    const before = sandbox.now();
    const response = await post(
      '/_sandbox/clock',
      JSON.stringify({ advanceSeconds: 86_400 }),
    );
    expect(response.status).toBe(200);
    expect(sandbox.now()).toBe(before + 86_400_000);
  });

  it('answers only POST, and only for its two endpoints', async () => {
    const get405 = await fetch(`${sandbox.url}/_sandbox/clock`);
    expect(get405.status).toBe(405);
    expect(get405.headers.get('allow')).toBe('POST');
    expect((await post('/_sandbox/pause')).status).toBe(404);
  });
});

describe('isLoopback', () => {
  it('takes this machine for loopback and every other address for not', () => {
    expect(
      ['127.0.0.1', '127.0.1.1', '::1', '::ffff:127.0.0.1'].map(isLoopback),
    ).toEqual([true, true, true, true]);
    expect(
      ['10.0.1.11', '::ffff:10.0.1.11', 'fe80::1', '', undefined].map(
        isLoopback,
      ),
    ).toEqual([false, false, false, false, false]);
  });
});
