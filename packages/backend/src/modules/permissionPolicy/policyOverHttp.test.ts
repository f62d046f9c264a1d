import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  BackendProcess,
  startBackendProcess,
} from '../../testing/backendProcess';
import { grants } from './IncidentPermissionPolicy';

/*
 * The policy at work in this portal's backend, started as `yarn start`
 * starts it (app-config.yaml, development mode, the demo catalog), with a
 * stand-in Kubernetes API on 127.0.0.1 in place of the sandbox. The guest
 * signs in through the guest provider, as in the demo; a platform engineer
 * through the `named-user` provider of src/testing/backendWithNamedUsers.ts.
 */

const repoRoot = path.resolve(__dirname, '../../../../..');
const serviceToken = randomBytes(24).toString('hex');

function pod(name: string, namespace: string, kubernetesId: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { 'backstage.io/kubernetes-id': kubernetesId },
    },
    spec: { containers: [{ name: kubernetesId, image: `${kubernetesId}:1` }] },
    status: { phase: 'Running' },
  };
}

const pods = [
  pod('checkout-api-v1-abc', 'finance', 'checkout-api'),
  pod('cart-service-v1-def', 'storefront', 'cart-service'),
];

const newServiceYaml = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: new-service
spec:
  type: service
  lifecycle: experimental
  owner: platform-team
`;

/**
 * A Kubernetes API with two pods, selected by namespace and label as the
 * real one does, and a catalog-info.yaml; it records every path asked for.
 */
async function startStubCluster() {
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    // The fleet sweep lists every pod a page at a time on its own schedule;
    // what the tests look for is what a user's request reaches.
    if (!url.searchParams.has('limit')) {
      requested.push(url.pathname);
    }
    if (url.pathname === '/catalog-info.yaml') {
      res.setHeader('Content-Type', 'text/yaml');
      res.end(newServiceYaml);
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    const match = url.pathname.match(
      /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/,
    );
    if (!match) {
      res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [] }));
      return;
    }
    const [, namespace] = match;
    const selector = url.searchParams.get('labelSelector');
    const items = pods.filter(
      p =>
        (!namespace || p.metadata.namespace === namespace) &&
        (!selector ||
          selector ===
            `backstage.io/kubernetes-id=${p.metadata.labels['backstage.io/kubernetes-id']}`),
    );
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requested,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

let backend: BackendProcess | undefined;
let baseUrl = '';
let cluster: Awaited<ReturnType<typeof startStubCluster>>;
const tokens: Record<'guest' | 'contractor' | 'platformEngineer', string> = {
  guest: '',
  contractor: '',
  platformEngineer: '',
};

type Caller =
  | 'guest'
  | 'contractor'
  | 'platformEngineer'
  | 'service'
  | 'anonymous';

function call(
  caller: Caller,
  route: string,
  init: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (caller === 'service') {
    headers.Authorization = `Bearer ${serviceToken}`;
  } else if (caller !== 'anonymous') {
    headers.Authorization = `Bearer ${tokens[caller]}`;
  }
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  return fetch(`${baseUrl}${route}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function signIn(provider: string, userName?: string) {
  const response = await fetch(`${baseUrl}/api/auth/${provider}/refresh`, {
    headers: userName ? { 'X-Sign-In-As': userName } : {},
  });
  if (response.status !== 200) {
    throw new Error(`Sign-in through ${provider}: ${await response.text()}`);
  }
  return (await response.json()).backstageIdentity.token as string;
}

async function entity(caller: Caller, ref: string) {
  const [kind, namespace, name] = ref.split(/[:/]/);
  return call(
    caller,
    `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
  );
}

/** Waits until the catalog has processed and related the demo entities. */
async function waitForCatalog(deadline: number) {
  const related = async (ref: string, relation: string) => {
    const response = await entity('service', ref);
    if (response.status !== 200) {
      return false;
    }
    const { relations = [] } = await response.json();
    return relations.some((r: { type: string }) => r.type === relation);
  };
  while (Date.now() < deadline) {
    const ready = await Promise.all([
      related('user:default/guest', 'memberOf'),
      related('user:default/contractor-guest', 'memberOf'),
      related('user:default/jonas.berg', 'memberOf'),
      related('component:default/checkout-api', 'ownedBy'),
      related('component:default/cart-service', 'ownedBy'),
      related('component:default/retired-service', 'ownedBy'),
    ]);
    if (ready.every(Boolean)) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error('The catalog did not process the demo entities in time');
}

beforeAll(async () => {
  cluster = await startStubCluster();

  // Over app-config.yaml: the stand-in cluster, a location it serves that
  // the catalog may read, a service token, and the named-user provider.
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-test-'));
  const overrides = path.join(configDir, 'app-config.test.yaml');
  fs.writeFileSync(
    overrides,
    JSON.stringify({
      backend: {
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token: serviceToken, subject: 'collator' },
            },
          ],
        },
        reading: { allow: [{ host: cluster.host }] },
      },
      auth: { providers: { 'named-user': {} } },
      catalog: {
        locations: [
          'catalog/org.yaml',
          'catalog/systems.yaml',
          'catalog/components.yaml',
          'packages/backend/src/modules/permissionPolicy/__fixtures__/entities.yaml',
        ].map(file => ({ type: 'file', target: path.join(repoRoot, file) })),
      },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'sandbox',
                url: cluster.url,
                authProvider: 'serviceAccount',
                serviceAccountToken: 'stub',
                skipTLSVerify: true,
                skipMetricsLookup: true,
              },
            ],
          },
        ],
      },
      observabilityIr: { clusters: [] },
    }),
  );

  backend = await startBackendProcess({
    entry: 'src/testing/backendWithNamedUsers.ts',
    configPaths: [path.join(repoRoot, 'app-config.yaml'), overrides],
    env: url => ({
      NODE_ENV: 'development',
      APP_CONFIG_app_baseUrl: url,
      APP_CONFIG_backend_baseUrl: url,
      APP_CONFIG_backend_cors_origin: url,
    }),
    readyTimeoutMs: 180_000,
  });
  baseUrl = backend.baseUrl;
  fs.rmSync(configDir, { recursive: true });

  await waitForCatalog(Date.now() + 90_000);
  tokens.guest = await signIn('guest');
  tokens.contractor = await signIn('contractor-guest');
  tokens.platformEngineer = await signIn('named-user', 'jonas.berg');
}, 300_000);

afterAll(async () => {
  await backend?.stop();
  await cluster?.close();
}, 60_000);

const sandboxCluster = { 'Backstage-Kubernetes-Cluster': 'sandbox' };

describe('the Kubernetes proxy', () => {
  it('refuses the guest, a member of the finance team, before reaching the cluster', async () => {
    const before = cluster.requested.length;
    const response = await call('guest', '/api/kubernetes/proxy/api/v1/pods', {
      headers: sandboxCluster,
    });

    expect(response.status).toBe(403);
    expect((await response.json()).error.name).toBe('NotAllowedError');
    expect(cluster.requested.slice(before)).toEqual([]);
  });

  it('lets a platform team member list the pods of every namespace', async () => {
    const response = await call(
      'platformEngineer',
      '/api/kubernetes/proxy/api/v1/pods',
      { headers: sandboxCluster },
    );

    expect(response.status).toBe(200);
    const { items } = await response.json();
    expect(
      items.map((p: { metadata: { name: string } }) => p.metadata.name),
    ).toEqual(['checkout-api-v1-abc', 'cart-service-v1-def']);
  });
});

describe('the stock Kubernetes tab', () => {
  async function workloads(caller: Caller, ref: string) {
    const read = await entity(caller, ref);
    expect(read.status).toBe(200);
    const body = await read.json();
    const response = await call(
      caller,
      `/api/kubernetes/services/${body.metadata.name}`,
      { method: 'POST', body: { entity: body } },
    );
    expect(response.status).toBe(200);
    const { items } = await response.json();
    return items.flatMap(
      (item: { resources: { type: string; resources: any[] }[] }) =>
        item.resources
          .filter(r => r.type === 'pods')
          .flatMap(r => r.resources.map(p => p.metadata.name)),
    );
  }

  it("shows the guest the pods of the finance team's checkout-api", async () => {
    const clusters = await call('guest', '/api/kubernetes/clusters');
    expect(clusters.status).toBe(200);
    expect((await clusters.json()).items).toEqual([
      expect.objectContaining({ name: 'sandbox' }),
    ]);

    expect(await workloads('guest', 'component:default/checkout-api')).toEqual([
      'checkout-api-v1-abc',
    ]);
  });

  // Documented in the READMEs: kubernetes.resources.read is not tied to an
  // entity, so a signed-in user sees the workloads of every entity they can
  // read in the catalog.
  it('shows a signed-in user the workloads of any entity they can read', async () => {
    expect(await workloads('guest', 'component:default/cart-service')).toEqual([
      'cart-service-v1-def',
    ]);
  });
});

describe('catalog writes', () => {
  const location = () => ({
    type: 'url',
    target: `${cluster.url}/catalog-info.yaml`,
  });

  async function uidOf(ref: string): Promise<string> {
    const response = await entity('service', ref);
    expect(response.status).toBe(200);
    return (await response.json()).metadata.uid;
  }

  it('lets the guest read the catalog but change nothing in it', async () => {
    const list = await call(
      'guest',
      '/api/catalog/entities?filter=kind=component',
    );
    expect(list.status).toBe(200);
    expect((await list.json()).length).toBeGreaterThanOrEqual(8);

    const register = await call('guest', '/api/catalog/locations', {
      method: 'POST',
      body: location(),
    });
    expect(register.status).toBe(403);

    const uid = await uidOf('component:default/retired-service');
    const unregister = await call(
      'guest',
      `/api/catalog/entities/by-uid/${uid}`,
      {
        method: 'DELETE',
      },
    );
    expect(unregister.status).toBe(403);
    expect(
      (await entity('guest', 'component:default/retired-service')).status,
    ).toBe(200);

    const refresh = await call('guest', '/api/catalog/refresh', {
      method: 'POST',
      body: { entityRef: 'component:default/checkout-api' },
    });
    expect(refresh.status).toBe(403);
  });

  it('lets a platform team member register, refresh and unregister', async () => {
    const register = await call('platformEngineer', '/api/catalog/locations', {
      method: 'POST',
      body: location(),
    });
    expect(register.status).toBe(201);
    const { location: created } = await register.json();

    const refresh = await call('platformEngineer', '/api/catalog/refresh', {
      method: 'POST',
      body: { entityRef: 'component:default/checkout-api' },
    });
    expect(refresh.status).toBe(200);

    const removeLocation = await call(
      'platformEngineer',
      `/api/catalog/locations/${created.id}`,
      { method: 'DELETE' },
    );
    expect(removeLocation.status).toBe(204);

    const uid = await uidOf('component:default/retired-service');
    const unregister = await call(
      'platformEngineer',
      `/api/catalog/entities/by-uid/${uid}`,
      { method: 'DELETE' },
    );
    expect(unregister.status).toBe(204);
    expect(
      (await entity('service', 'component:default/retired-service')).status,
    ).toBe(404);
  });
});

describe('backend services acting on their own behalf', () => {
  it('read the catalog and the clusters and register locations', async () => {
    const list = await call(
      'service',
      '/api/catalog/entities?filter=kind=user',
    );
    expect(list.status).toBe(200);
    expect((await list.json()).map((u: any) => u.metadata.name)).toContain(
      'guest',
    );

    const clusters = await call('service', '/api/kubernetes/clusters');
    expect(clusters.status).toBe(200);

    const register = await call('service', '/api/catalog/locations', {
      method: 'POST',
      body: { type: 'url', target: `${cluster.url}/catalog-info.yaml` },
    });
    expect(register.status).toBe(201);
    const { location } = await register.json();
    const remove = await call(
      'service',
      `/api/catalog/locations/${location.id}`,
      {
        method: 'DELETE',
      },
    );
    expect(remove.status).toBe(204);
  });
});

describe('incident data', () => {
  const workload = (caller: Caller, name: string) =>
    call(
      caller,
      `/api/observability-ir/v1/workload?entityRef=component:default/${name}`,
    );

  it("is the owners': the guest reads checkout-api's, not cart-service's", async () => {
    expect((await workload('guest', 'checkout-api')).status).toBe(200);
    expect((await workload('guest', 'cart-service')).status).toBe(403);
  });

  it('is open to platform teams and backend services', async () => {
    expect((await workload('platformEngineer', 'cart-service')).status).toBe(
      200,
    );
    expect((await workload('service', 'cart-service')).status).toBe(200);
  });
});

describe('a restricted group (permission.restrictedGroups)', () => {
  const forensicsRun = 'observability-ir.forensics.run';

  /** What the browser asks before it enables the forensics action. */
  async function mayRunForensics(caller: Caller, name: string) {
    const response = await call(caller, '/api/permission/authorize', {
      method: 'POST',
      body: {
        items: [
          {
            id: '1',
            permission: {
              type: 'resource',
              name: forensicsRun,
              attributes: {},
              resourceType: 'catalog-entity',
            },
            resourceRef: `component:default/${name}`,
          },
        ],
      },
    });
    expect(response.status).toBe(200);
    return (await response.json()).items[0].result;
  }

  it("lets the contractor guest, on the finance team, read checkout-api's incident", async () => {
    const response = await call(
      'contractor',
      '/api/observability-ir/v1/workload?entityRef=component:default/checkout-api',
    );
    expect(response.status).toBe(200);
  });

  it('withholds node forensics from the contractor guest, and not from their teammate', async () => {
    expect(await mayRunForensics('contractor', 'checkout-api')).toBe('DENY');
    expect(await mayRunForensics('guest', 'checkout-api')).toBe('ALLOW');

    const before = cluster.requested.length;
    const response = await call(
      'contractor',
      '/api/observability-ir/v1/forensics',
      {
        method: 'POST',
        body: {
          entityRef: 'component:default/checkout-api',
          cluster: 'sandbox',
          namespace: 'finance',
          pod: 'checkout-api-v1-abc',
        },
      },
    );
    expect(response.status).toBe(403);
    expect((await response.json()).error.name).toBe('NotAllowedError');
    expect(cluster.requested.slice(before)).toEqual([]);
  });
});

describe('the fleet pages', () => {
  const silentOutages = (caller: Caller) =>
    call(caller, '/api/observability-ir/v1/fleet/silent-outages?range=1h');

  it('are refused to the guest, who is not in a platform team', async () => {
    const response = await silentOutages('guest');
    expect(response.status).toBe(403);
    expect((await response.json()).error.name).toBe('NotAllowedError');
  });

  it("show a platform team member the sweep of every cluster's pods", async () => {
    const deadline = Date.now() + 60_000;
    let body = await (await silentOutages('platformEngineer')).json();
    while (body.pending && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 500));
      const response = await silentOutages('platformEngineer');
      expect(response.status).toBe(200);
      body = await response.json();
    }
    expect(body).toMatchObject({
      range: '1h',
      podsScanned: pods.length,
      findings: [],
    });
    expect(body.sources).toContainEqual({
      cluster: 'sandbox',
      source: 'kubernetes',
      status: 'ok',
    });
    // A triggered sweep starts at the scheduler's next check, seconds later.
  }, 90_000);
});

describe('the grants table', () => {
  it('decides every permission the installed plugins define, none by omission', async () => {
    // The plugins the backend started, as it logs them.
    const started = backend
      ?.output()
      .match(/Plugin initialization started: (.*)/);
    const plugins = [...(started?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
      ([, id]) => id,
    );
    expect(plugins).toEqual(
      expect.arrayContaining(['catalog', 'kubernetes', 'scaffolder', 'search']),
    );

    const defined = new Map<string, string>();
    for (const plugin of plugins) {
      const response = await call(
        'service',
        `/api/${plugin}/.well-known/backstage/permissions/metadata`,
      );
      // A plugin without permissions has no such route: 404, or the app's
      // page from the app plugin, which answers every path it serves.
      const json = response.headers.get('content-type')?.includes('json');
      if (response.status === 404 || !json) {
        continue;
      }
      expect(response.status).toBe(200);
      for (const { name } of (await response.json()).permissions) {
        defined.set(name, plugin);
      }
    }

    const undecided = [...defined].filter(
      ([name]) => !Object.hasOwn(grants, name),
    );
    expect(undecided).toEqual([]);
    expect([...new Set(defined.values())].sort()).toEqual([
      'catalog',
      'kubernetes',
      'observability-ir',
      'scaffolder',
    ]);
  });
});
