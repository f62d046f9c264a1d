import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { ReplicasResponse } from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const entityRef = 'component:default/checkout-api';
const kinds = [
  'replicas',
  'metrics',
  'logs',
  'timeline',
  'diagnosis',
  'alerts',
] as const;

function startBackend(
  sandbox: Sandbox,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) {
  const config = sandboxConfig(sandbox);
  return startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
      mockServices.permissions.factory({ result }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          observabilityIr: {
            ...config.observabilityIr,
            // Every request reads the cluster afresh: an unchanged answer is
            // computed again, not served from the cache.
            cacheTtl: { milliseconds: 0 },
          },
        },
      }),
    ],
  });
}

describe('conditional requests of the evidence endpoints', () => {
  let sandbox: Sandbox;
  let server: any;
  let denied: any;
  // A range with explicit bounds: it does not move with the clock.
  let range: { start: string; end: string };

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    ({ server } = await startBackend(sandbox, AuthorizeResult.ALLOW));
    ({ server: denied } = await startBackend(sandbox, AuthorizeResult.DENY));
    const end = Math.floor(sandbox.now() / 60_000) * 60_000;
    range = {
      start: new Date(end - 3600_000).toISOString(),
      end: new Date(end).toISOString(),
    };
  }, 120_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  function get(kind: string, ifNoneMatch?: string, backend = server) {
    const req = request(backend)
      .get(`/api/observability-ir/v1/${kind}`)
      .query(kind === 'replicas' ? { entityRef } : { entityRef, ...range });
    return ifNoneMatch ? req.set('If-None-Match', ifNoneMatch) : req;
  }

  it.each(kinds)(
    '/v1/%s answers 304 with no body when the answer has not changed',
    async kind => {
      const first = await get(kind);
      expect(first.status).toBe(200);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');

      const again = await get(kind, etag);
      expect(again.status).toBe(304);
      expect(again.text).toBeFalsy();
      expect(again.headers.etag).toBe(etag);

      // A validator of some other answer gets the whole answer.
      const other = await get(kind, '"not-this-answer"');
      expect(other.status).toBe(200);
      expect(other.body).toEqual(first.body);
      expect(other.headers.etag).toBe(etag);
    },
  );

  it('checks credentials and permission before comparing validators', async () => {
    const { headers } = await get('replicas');

    const unauthenticated = await get('replicas', headers.etag).set(
      'Authorization',
      mockCredentials.none.header(),
    );
    expect(unauthenticated.status).toBe(401);

    const forbidden = await get('replicas', headers.etag, denied);
    expect(forbidden.status).toBe(403);
  });

  it('answers 200 with the new answer once the cluster has changed', async () => {
    const first = await get('replicas');
    expect(first.status).toBe(200);
    const restarts = (first.body as ReplicasResponse).replicas.map(
      r => r.restartCount,
    );

    // Ten minutes of the lab: the pods are OOM-killed and restarted again.
    sandbox.advance(10 * 60_000);

    const after = await get('replicas', first.headers.etag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(first.headers.etag);
    const body = after.body as ReplicasResponse;
    body.replicas.forEach((replica, i) =>
      expect(replica.restartCount).toBeGreaterThan(restarts[i]),
    );

    // And that new answer is again the one to compare with.
    const again = await get('replicas', after.headers.etag);
    expect(again.status).toBe(304);
  });
});
