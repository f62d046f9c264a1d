import { startSandbox, Sandbox } from '../sandbox';

describe('Kubernetes API', () => {
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

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${api}${path}`, init);
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* plain text */
    }
    return { status: response.status, body };
  };

  it('serves discovery documents', async () => {
    expect((await call('/version')).body.gitVersion).toBe('v1.32.4');
    expect((await call('/api')).body).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const groups = (await call('/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: any) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'batch', 'monitoring.coreos.com']),
    );
    const core = (await call('/api/v1')).body;
    expect(core.resources.map((r: any) => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/log',
        'nodes',
        'namespaces',
        'services',
        'endpoints',
        'events',
      ]),
    );
    const monitoring = (await call('/apis/monitoring.coreos.com/v1')).body;
    expect(monitoring.resources[0]).toMatchObject({
      name: 'servicemonitors',
      kind: 'ServiceMonitor',
      namespaced: true,
    });
    expect((await call('/apis/nope/v1')).status).toBe(404);
  });

  it('lists pods with label and field selectors and paginates', async () => {
    const byLabel = await call(
      '/api/v1/pods?labelSelector=app%3Dcheckout%2Ctier%20in%20(backend)',
    );
    expect(byLabel.body.kind).toBe('PodList');
    expect(byLabel.body.items.map((p: any) => p.metadata.name)).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    expect(byLabel.body.items[0].kind).toBeUndefined();
    const byField = await call(
      '/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-2,status.phase%3DRunning',
    );
    expect(byField.body.items.map((p: any) => p.metadata.name)).toEqual([
      'checkout-api-v1-xyz',
    ]);
    const byNamespace = await call(
      '/api/v1/pods?fieldSelector=metadata.namespace!%3Dfinance',
    );
    expect(
      byNamespace.body.items.every(
        (p: any) => p.metadata.namespace !== 'finance',
      ),
    ).toBe(true);
    const page1 = await call('/api/v1/pods?limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.remainingItemCount).toBe(1);
    const page2 = await call(
      `/api/v1/pods?limit=2&continue=${encodeURIComponent(
        page1.body.metadata.continue,
      )}`,
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.metadata.continue).toBeUndefined();
  });

  it('rejects unparsable selectors with 400 Status objects', async () => {
    const badLabel = await call('/api/v1/pods?labelSelector=app%3D%3D%3D');
    expect(badLabel.status).toBe(400);
    expect(badLabel.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
    });
    const badField = await call(
      '/api/v1/namespaces/finance/pods?fieldSelector=spec.bogus%3Dx',
    );
    expect(badField.status).toBe(400);
    expect(badField.body.message).toBe('field label not supported: spec.bogus');
  });

  it('reports container state and last termination like the kubelet', async () => {
    const pod = (
      await call('/api/v1/namespaces/finance/pods/checkout-api-v1-abc')
    ).body;
    expect(pod).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      spec: { nodeName: 'worker-1' },
      status: { phase: 'Running' },
    });
    const status = pod.status.containerStatuses[0];
    expect(status.state.running.startedAt).toMatch(/Z$/);
    expect(status.lastState.terminated).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
    });
    expect(Date.parse(status.lastState.terminated.finishedAt)).toBeGreaterThan(
      Date.parse(status.lastState.terminated.startedAt),
    );
    expect(pod.spec.containers[0].resources.limits.memory).toBe('512Mi');
    expect(
      pod.status.conditions.find((c: any) => c.type === 'Ready').status,
    ).toBe('False');
    const node = (await call('/api/v1/nodes/worker-1')).body;
    expect(node.status.conditions.map((c: any) => c.type)).toEqual([
      'MemoryPressure',
      'DiskPressure',
      'PIDPressure',
      'Ready',
    ]);
    const missing = await call('/api/v1/namespaces/finance/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "nope" not found',
      details: { name: 'nope', kind: 'pods' },
    });
  });

  it('returns server-side Tables when asked', async () => {
    const table = (
      await call('/api/v1/namespaces/finance/pods', {
        headers: {
          Accept:
            'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        },
      })
    ).body;
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(table.rows[0].cells.slice(0, 3)).toEqual([
      'checkout-api-v1-abc',
      '0/1',
      'Running',
    ]);
    expect(table.rows[0].cells[3]).toMatch(/^45 \(\S+ ago\)$/);
    expect(table.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'checkout-api-v1-abc', namespace: 'finance' },
    });
  });

  it('serves pod logs with tailLines, previous and sinceSeconds', async () => {
    const tail = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log?tailLines=3',
    );
    expect(tail.status).toBe(200);
    expect(tail.body.trim().split('\n')).toHaveLength(3);
    const previous = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log?container=checkout-api&previous=true',
    );
    expect(previous.body).toContain(
      'java.lang.OutOfMemoryError: Java heap space',
    );
    expect(previous.body).toContain(
      '\tat com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)',
    );
    const current = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log',
    );
    expect(current.body).not.toContain('OutOfMemoryError');
    expect(current.body).toContain('Loading product catalog');
    const recent = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log?sinceSeconds=20&timestamps=true',
    );
    for (const line of recent.body.trim().split('\n')) {
      expect(Date.parse(line.split(' ')[0])).toBeGreaterThanOrEqual(
        sandbox.now() - 20_000,
      );
    }
    const wrong = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log?container=sidecar',
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe(
      'container sidecar is not valid for pod checkout-api-v1-abc',
    );
  });

  it('patches Deployments with merge, strategic merge and server-side apply', async () => {
    const path = '/apis/apps/v1/namespaces/finance/deployments/checkout-api';
    const merge = await call(path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { owner: 'payments' } } }),
    });
    expect(merge.status).toBe(200);
    expect(merge.body.metadata.labels.owner).toBe('payments');
    expect(
      (await call('/apis/apps/v1/namespaces/finance/replicasets')).body.items,
    ).toHaveLength(1);

    const apply = await call(`${path}?fieldManager=incident-fix`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout-api\n  namespace: finance\nspec:\n  template:\n    spec:\n      containers:\n        - name: checkout-api\n          resources:\n            limits:\n              memory: 1Gi\n',
    });
    expect(apply.status).toBe(200);
    const container = apply.body.spec.template.spec.containers[0];
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(container.image).toBe(
      'registry.example.com/finance/checkout-api:1.8.2',
    );
    expect(
      apply.body.metadata.managedFields.map((f: any) => f.manager),
    ).toContain('incident-fix');
    const rs = (await call('/apis/apps/v1/namespaces/finance/replicasets')).body
      .items;
    expect(rs).toHaveLength(2);
    const pods = (
      await call('/api/v1/namespaces/finance/pods?labelSelector=app%3Dcheckout')
    ).body.items;
    expect(pods).toHaveLength(4);
    expect(
      pods.filter(
        (p: any) => p.spec.containers[0].resources.limits.memory === '1Gi',
      ),
    ).toHaveLength(2);

    const noManager = await call(path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: 'spec: {}',
    });
    expect(noManager.status).toBe(400);
    const unsupported = await call(path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(unsupported.status).toBe(415);
    const invalidQuantity = await call(path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'checkout-api',
                  resources: { limits: { memory: 'lots' } },
                },
              ],
            },
          },
        },
      }),
    });
    expect(invalidQuantity.status).toBe(422);
    expect(invalidQuantity.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
    });
    expect(invalidQuantity.body.details.causes[0].field).toBe(
      'spec.template.spec.containers[0].resources.limits[memory]',
    );
    const notAllowed = await call(
      '/api/v1/namespaces/finance/services/checkout-api',
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: '{}',
      },
    );
    expect(notAllowed.status).toBe(405);
  });

  it('serves ServiceMonitors, Services, Endpoints and Events', async () => {
    const sm = (
      await call(
        '/apis/monitoring.coreos.com/v1/namespaces/monitoring/servicemonitors/backend-telemetry',
      )
    ).body;
    expect(sm.spec).toEqual({
      selector: { matchLabels: { tier: 'backend' } },
      namespaceSelector: { any: true },
      endpoints: [{ port: 'http-metrics', interval: '15s', path: '/metrics' }],
    });
    const svc = (await call('/api/v1/namespaces/finance/services/checkout-api'))
      .body;
    expect(svc.metadata.labels.tier).toBe('backend');
    expect(svc.spec.ports.map((p: any) => p.name)).toEqual([
      'http',
      'http-metrics',
    ]);
    const ep = (await call('/api/v1/namespaces/finance/endpoints/checkout-api'))
      .body;
    expect(ep.subsets[0].addresses).toBeUndefined();
    expect(ep.subsets[0].notReadyAddresses).toHaveLength(2);
    const events = (
      await call(
        '/api/v1/namespaces/finance/events?fieldSelector=involvedObject.name%3Dcheckout-api-v1-abc',
      )
    ).body.items;
    expect(events.map((e: any) => e.reason)).toEqual(
      expect.arrayContaining(['BackOff', 'Unhealthy', 'Started']),
    );
    expect(
      events.find((e: any) => e.reason === 'BackOff').count,
    ).toBeGreaterThan(10);
  });

  it('requires the configured bearer token when one is set', async () => {
    const guarded = await startSandbox({
      speed: 0,
      token: 's3cret',
      kubeconfigPath: false,
    });
    try {
      const url = `${guarded.clusters[0].kubernetesUrl}/api/v1/namespaces`;
      const denied = await fetch(url, {
        headers: { Authorization: 'Bearer wrong' },
      });
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({
        kind: 'Status',
        reason: 'Unauthorized',
        code: 401,
      });
      expect(
        (await fetch(url, { headers: { Authorization: 'Bearer s3cret' } }))
          .status,
      ).toBe(200);
    } finally {
      await guarded.close();
    }
  }, 60_000);

  it("requires each cluster's own token when tokens are set per cluster, and says 401 Unauthorized without one", async () => {
    const guarded = await startSandbox({
      scenario: 'multi-cluster',
      speed: 0,
      token: 'service-account-token',
      tokens: { staging: 'oidc-id-token' },
      kubeconfigPath: false,
    });
    try {
      const [production, staging] = guarded.clusters;
      const status = async (
        cluster: typeof production,
        authorization?: string,
      ) => {
        const response = await fetch(
          `${cluster.kubernetesUrl}/api/v1/namespaces/finance/pods`,
          authorization ? { headers: { Authorization: authorization } } : {},
        );
        return [response.status, (await response.json()).kind];
      };
      expect(await status(staging, 'Bearer oidc-id-token')).toEqual([
        200,
        'PodList',
      ]);
      expect(await status(staging, 'Bearer service-account-token')).toEqual([
        401,
        'Status',
      ]);
      expect(await status(staging)).toEqual([401, 'Status']);
      expect(await status(production, 'Bearer service-account-token')).toEqual([
        200,
        'PodList',
      ]);
      expect(await status(production, 'Bearer oidc-id-token')).toEqual([
        401,
        'Status',
      ]);
    } finally {
      await guarded.close();
    }
  }, 60_000);
});

describe('Kubernetes API pages of a long list', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'scale',
      scale: { clusters: 1, namespaces: 4, podsPerNamespace: 10 },
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(() => sandbox?.close());

  const list = async (query: string) => {
    const url = `${sandbox.clusters[0].kubernetesUrl}/api/v1/pods?${query}`;
    return (await fetch(url)).json();
  };

  async function paged(selector: string, limit: number) {
    const pods: any[] = [];
    let token: string | undefined;
    do {
      const page = await list(
        `${selector}&limit=${limit}${
          token ? `&continue=${encodeURIComponent(token)}` : ''
        }`,
      );
      expect(page.items.length).toBeLessThanOrEqual(limit);
      pods.push(...page.items);
      token = page.metadata.continue;
    } while (token);
    return pods;
  }

  it.each([
    ['every pod', ''],
    ['a label selector', 'labelSelector=app%20in%20(svc-1%2Csvc-3)'],
    ['a field selector', 'fieldSelector=spec.nodeName%3Dworker-2'],
  ])(
    'pages through %s as the whole list has it, in namespace and name order',
    async (_, selector) => {
      const whole = (await list(selector)).items;
      expect(whole.length).toBeGreaterThan(0);
      const pages = await paged(selector, 7);
      expect(pages).toEqual(whole);
      const keys = whole.map(
        (p: any) => `${p.metadata.namespace}/${p.metadata.name}`,
      );
      expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
      expect(whole[0].status.containerStatuses).toHaveLength(1);
    },
  );
});
