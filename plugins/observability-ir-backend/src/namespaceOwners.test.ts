import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  incidentReadAllNamespacesPermission,
  ReplicasResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

// The first requests load the Kubernetes client and the query grammars,
// which takes seconds on a cold, busy machine.
jest.setTimeout(60_000);

const PLATFORM_USER = 'user:default/platform-engineer';

function component(
  name: string,
  owner: string,
  annotations: Record<string, string>,
) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

// Registered by someone of the storefront team, pointing at finance's pods.
const impostor = component('impostor', 'storefront-team', {
  'backstage.io/kubernetes-id': 'checkout-api',
  'backstage.io/kubernetes-namespace': 'finance',
});
// No namespace: the selector finds pods in finance only.
const checkoutEverywhere = component('checkout-everywhere', 'finance-team', {
  'backstage.io/kubernetes-label-selector': 'app=checkout',
});
// No namespace: the selector also finds the operator in monitoring.
const sprawling = component('sprawling', 'finance-team', {
  'backstage.io/kubernetes-label-selector':
    'app in (checkout,prometheus-operator)',
});
const unconstrained = component('unconstrained', 'finance-team', {
  'backstage.io/kubernetes-label-selector': '!x',
});

describe('namespaces belong to their owners', () => {
  let sandbox: Sandbox;
  let mapped: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let unmapped: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    // Everyone may read incidents; only the platform user may read all
    // namespaces, as this portal's policy grants it to platform teams.
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, options) =>
        requests.map(r => ({
          result:
            r.permission.name !== incidentReadAllNamespacesPermission.name ||
            (options.credentials.principal as { userEntityRef?: string })
              .userEntityRef === PLATFORM_USER
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        })),
    });
    const start = async (namespaceOwners?: object[]) =>
      (
        await startTestBackend({
          features: [
            observabilityIrPlugin,
            catalogServiceMock.factory({
              entities: [
                checkoutApiEntity,
                impostor,
                checkoutEverywhere,
                sprawling,
                unconstrained,
              ],
            }),
            permissions.factory,
            mockServices.rootConfig.factory({
              data: {
                ...sandboxConfig(sandbox),
                observabilityIr: {
                  ...sandboxConfig(sandbox).observabilityIr,
                  ...(namespaceOwners ? { namespaceOwners } : {}),
                },
              },
            }),
          ],
        })
      ).server;
    mapped = await start([
      { namespace: 'finance', owners: ['group:default/finance-team'] },
      {
        cluster: 'sandbox',
        namespace: 'monitoring',
        owners: ['group:default/platform-team'],
      },
    ]);
    unmapped = await start();
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  function replicas(
    server: typeof mapped,
    name: string,
    user = 'user:default/guest',
  ) {
    return request(server)
      .get('/api/observability-ir/v1/replicas')
      .set('Authorization', mockCredentials.user.header(user))
      .query({ entityRef: `component:default/${name}` });
  }

  it("serves the owner's own namespace", async () => {
    const response = await replicas(mapped, 'checkout-api');
    expect(response.status).toBe(200);
    expect(
      (response.body as ReplicasResponse).replicas.map(r => r.pod),
    ).toEqual(['checkout-api-v1-abc', 'checkout-api-v1-xyz']);
  });

  it("refuses an entity that claims another team's namespace, and says why", async () => {
    for (const route of ['workload', 'replicas', 'metrics', 'diagnosis']) {
      const response = await request(mapped)
        .get(`/api/observability-ir/v1/${route}`)
        .query({ entityRef: 'component:default/impostor' });
      expect(response.status).toBe(403);
      expect(response.body.error).toEqual({
        name: 'NotAllowedError',
        message:
          'The incident data of component:default/impostor is refused: namespace finance of cluster sandbox belongs to other owners than group:default/storefront-team (observabilityIr.namespaceOwners)',
      });
    }
  });

  it('serves an entity without namespace when its pods are all in its own namespaces', async () => {
    const response = await replicas(mapped, 'checkout-everywhere');
    expect(response.status).toBe(200);
    expect(
      (response.body as ReplicasResponse).replicas.map(r => r.namespace),
    ).toEqual(['finance', 'finance']);
  });

  it("refuses an entity without namespace whose pods reach into others' namespaces", async () => {
    const response = await replicas(mapped, 'sprawling');
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain(
      'namespace monitoring of cluster sandbox belongs to other owners than group:default/finance-team',
    );
  });

  it('lets a platform team read an entity across namespaces', async () => {
    const response = await replicas(mapped, 'sprawling', PLATFORM_USER);
    expect(response.status).toBe(200);
    expect(
      new Set(
        (response.body as ReplicasResponse).replicas.map(r => r.namespace),
      ),
    ).toEqual(new Set(['finance', 'monitoring']));
  });

  it('refuses a selector that does not constrain, mapped or not', async () => {
    for (const server of [mapped, unmapped]) {
      const response = await replicas(server, 'unconstrained');
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(
        'needs at least one key=value or key in (...) requirement',
      );
    }
  });

  it('leaves claims to the catalog when no namespace is mapped', async () => {
    expect((await replicas(unmapped, 'impostor')).status).toBe(200);
    expect((await replicas(unmapped, 'sprawling')).status).toBe(200);
  });
});
