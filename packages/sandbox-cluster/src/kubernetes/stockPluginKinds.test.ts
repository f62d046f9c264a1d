import { startSandbox, Sandbox } from '../sandbox';

/**
 * Every kind Backstage's stock Kubernetes plugin lists for an entity, as it
 * asks for it: group, version, plural and the list kind the answer carries.
 */
const STOCK_PLUGIN_KINDS = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
  { group: '', version: 'v1', plural: 'limitranges', kind: 'LimitRange' },
  { group: '', version: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota' },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
  },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob' },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    kind: 'Ingress',
  },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet' },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet' },
];

/** Kinds no scenario defines: the sandbox serves them as empty lists. */
const ALWAYS_EMPTY = [
  'configmaps',
  'limitranges',
  'resourcequotas',
  'horizontalpodautoscalers',
  'cronjobs',
  'ingresses',
  'statefulsets',
  'daemonsets',
];

const groupVersion = (k: { group: string; version: string }) =>
  k.group ? `${k.group}/${k.version}` : k.version;
const root = (k: { group: string; version: string }) =>
  k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;

describe('the kinds the stock Kubernetes plugin lists', () => {
  let sandbox: Sandbox;
  let api: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    api = sandbox.clusters[0].kubernetesUrl;
  }, 60_000);

  afterAll(() => sandbox.close());

  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`);
    return { status: response.status, body: await response.json() };
  };

  it.each(STOCK_PLUGIN_KINDS)(
    'lists $plural per namespace and cluster-wide, kind $kind list',
    async k => {
      const selector = encodeURIComponent(
        'backstage.io/kubernetes-id=checkout-api',
      );
      for (const path of [
        `${root(k)}/namespaces/finance/${k.plural}?labelSelector=${selector}`,
        `${root(k)}/${k.plural}?labelSelector=${selector}`,
        `${root(k)}/${k.plural}?limit=500`,
      ]) {
        const { status, body } = await get(path);
        expect({ path, status }).toEqual({ path, status: 200 });
        expect(body).toMatchObject({
          kind: `${k.kind}List`,
          apiVersion: groupVersion(k),
          metadata: { resourceVersion: expect.any(String) },
        });
        expect(Array.isArray(body.items)).toBe(true);
      }
    },
  );

  it('serves the kinds no scenario defines as empty lists', async () => {
    for (const k of STOCK_PLUGIN_KINDS.filter(({ plural }) =>
      ALWAYS_EMPTY.includes(plural),
    )) {
      const { body } = await get(`${root(k)}/${k.plural}`);
      expect({ plural: k.plural, items: body.items }).toEqual({
        plural: k.plural,
        items: [],
      });
    }
  });

  it('filters the listed objects by label selector', async () => {
    const names = async (path: string) =>
      (await get(path)).body.items.map((o: any) => o.metadata.name);
    expect(
      await names(
        '/apis/apps/v1/deployments?labelSelector=backstage.io%2Fkubernetes-id%3Dcheckout-api',
      ),
    ).toEqual(['checkout-api']);
    expect(
      await names(
        '/apis/apps/v1/namespaces/finance/deployments?labelSelector=backstage.io%2Fkubernetes-id%3Dno-such-service',
      ),
    ).toEqual([]);
    const badSelector = await get(
      '/apis/apps/v1/statefulsets?labelSelector=app%3D%3D%3D',
    );
    expect(badSelector.status).toBe(400);
    expect(badSelector.body).toMatchObject({ kind: 'Status', code: 400 });
  });

  it('answers a get of an undefined object with a NotFound Status', async () => {
    const { status, body } = await get(
      '/apis/autoscaling/v2/namespaces/finance/horizontalpodautoscalers/checkout-api',
    );
    expect(status).toBe(404);
    expect(body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      details: { name: 'checkout-api', kind: 'horizontalpodautoscalers' },
    });
  });

  it('announces every kind in discovery, so kubectl finds them', async () => {
    for (const k of STOCK_PLUGIN_KINDS) {
      const { status, body } = await get(root(k));
      expect(status).toBe(200);
      expect(body.groupVersion).toBe(groupVersion(k));
      expect(body.resources).toContainEqual(
        expect.objectContaining({
          name: k.plural,
          kind: k.kind,
          namespaced: true,
          verbs: expect.arrayContaining(['get', 'list', 'watch']),
        }),
      );
    }
    const groups = (await get('/apis')).body.groups.map((g: any) => g.name);
    expect(groups).toEqual(
      expect.arrayContaining(['autoscaling', 'networking.k8s.io']),
    );
  });
});
