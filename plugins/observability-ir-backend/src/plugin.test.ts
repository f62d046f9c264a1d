import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity } from './__testUtils__/fixtures';

// Requests load the Kubernetes client and the query grammars on first use,
// which takes seconds on a cold, busy machine.
jest.setTimeout(30_000);

const recommendations = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'recommendations', namespace: 'default' },
  spec: { type: 'service', owner: 'storefront-team', lifecycle: 'production' },
};

async function startPlugin(
  permissionResult:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({
        entities: [checkoutApiEntity, recommendations],
      }),
      mockServices.permissions.factory({ result: permissionResult }),
    ],
  });
  return server;
}

// One backend that allows incident reads and one that denies them, shared by
// every test: none of them changes the backend's state.
let allowed: Awaited<ReturnType<typeof startPlugin>>;
let denied: Awaited<ReturnType<typeof startPlugin>>;

beforeAll(async () => {
  allowed = await startPlugin();
  denied = await startPlugin(AuthorizeResult.DENY);
}, 60_000);

describe('GET /api/observability-ir/v1/workload', () => {
  it("returns the selector, namespace and cluster of the entity's pods", async () => {
    const server = allowed;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'component:default/checkout-api' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      entityRef: 'component:default/checkout-api',
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: 'finance',
    });
  });

  it('accepts a short entity ref, as components are the default kind', async () => {
    const server = allowed;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'checkout-api' });

    expect(response.status).toBe(200);
    expect(response.body.entityRef).toBe('component:default/checkout-api');
  });

  it('answers 400 when the entity ref is missing or malformed', async () => {
    const server = allowed;

    const missing = await request(server).get(
      '/api/observability-ir/v1/workload',
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('entityRef'),
    });

    const malformed = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'component:default/' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.name).toBe('InputError');
  });

  it('answers 400 for an entity that is not tied to Kubernetes', async () => {
    const server = allowed;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'component:default/recommendations' });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('backstage.io/kubernetes-id');
  });

  it('answers 401 without credentials', async () => {
    const server = allowed;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .set('Authorization', mockCredentials.none.header())
      .query({ entityRef: 'component:default/checkout-api' });

    expect(response.status).toBe(401);
  });

  it('answers 403 when the permission policy denies incident reads', async () => {
    const server = denied;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'component:default/checkout-api' });

    expect(response.status).toBe(403);
    expect(response.body.error.name).toBe('NotAllowedError');
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const server = allowed;

    const response = await request(server)
      .get('/api/observability-ir/v1/workload')
      .query({ entityRef: 'component:default/no-such-service' });

    expect(response.status).toBe(404);
    expect(response.body.error.name).toBe('NotFoundError');
  });
});

describe('the evidence routes', () => {
  const routes = ['replicas', 'metrics', 'logs', 'timeline', 'diagnosis'];

  const badRequests: Array<[string, Record<string, string>, string]> = [
    [
      'a query or URL from the browser',
      { query: 'up{job="kubelet"}' },
      "Unrecognized key(s) in object: 'query'",
    ],
    [
      'a range that ends before it starts',
      { start: '2026-11-25T12:00:00Z', end: '2026-11-25T11:00:00Z' },
      'start: must be at least 60 seconds before end',
    ],
  ];

  it.each(
    routes.flatMap(route =>
      badRequests.map(([what, params, message]) => ({
        route,
        what,
        params,
        message,
      })),
    ),
  )('/v1/$route refuses $what', async ({ route, params, message }) => {
    const server = allowed;

    const response = await request(server)
      .get(`/api/observability-ir/v1/${route}`)
      .query({ entityRef: 'component:default/checkout-api', ...params });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
  });

  it.each(routes)(
    '/v1/%s answers 401 without credentials and 403 when denied',
    async route => {
      const open = allowed;
      const unauthenticated = await request(open)
        .get(`/api/observability-ir/v1/${route}`)
        .set('Authorization', mockCredentials.none.header())
        .query({ entityRef: 'component:default/checkout-api' });
      expect(unauthenticated.status).toBe(401);

      const forbidden = await request(denied)
        .get(`/api/observability-ir/v1/${route}`)
        .query({ entityRef: 'component:default/checkout-api' });
      expect(forbidden.status).toBe(403);
    },
  );
});

describe('a backend without any Kubernetes cluster configured', () => {
  it('starts, and every answer says what to configure', async () => {
    const server = allowed;
    for (const route of ['replicas', 'metrics', 'logs', 'diagnosis']) {
      const response = await request(server)
        .get(`/api/observability-ir/v1/${route}`)
        .query({ entityRef: 'component:default/checkout-api' });
      expect(response.status).toBe(200);
      expect(response.body.sources).toEqual([
        {
          cluster: '(none configured)',
          source: 'kubernetes',
          status: 'not-configured',
          error:
            'No Kubernetes cluster is configured: add one to kubernetes.clusterLocatorMethods',
        },
      ]);
    }
  });
});
