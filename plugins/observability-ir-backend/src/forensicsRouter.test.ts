import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  loadScenario,
  Sandbox,
  startSandbox,
} from '@observability-ir/sandbox-cluster';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

// Starting a backend and a sandbox takes seconds on a cold, busy machine.
jest.setTimeout(60_000);

const PATH = '/api/observability-ir/v1/forensics';
const IMAGE = `registry.example.com/node-forensics@sha256:${'a'.repeat(64)}`;
const TARGET = {
  entityRef: 'component:default/checkout-api',
  cluster: 'sandbox',
  namespace: 'finance',
  pod: 'checkout-api-v1-abc',
  container: 'checkout-api',
};

const prometheusOperator = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'prometheus-operator',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'prometheus-operator',
      'backstage.io/kubernetes-namespace': 'monitoring',
    },
  },
  spec: { type: 'service', owner: 'platform-team', lifecycle: 'production' },
};

let sandbox: Sandbox;

beforeAll(async () => {
  const scenario = loadScenario('checkout-oom');
  scenario.clusters[0].namespaces.push('observability-ir-forensics');
  // Frozen: no Job finishes, so runs stay in flight.
  sandbox = await startSandbox({ scenario, speed: 0, kubeconfigPath: false });
}, 60_000);

afterAll(() => sandbox.close());

async function startBackend(
  options: {
    forensics?: Record<string, unknown>;
    permissions?: ReturnType<typeof mockServices.permissions.factory>;
  } = {},
) {
  const config = sandboxConfig(sandbox);
  const { server } = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({
        entities: [checkoutApiEntity, prometheusOperator],
      }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          observabilityIr: {
            ...config.observabilityIr,
            forensics: { enabled: true, image: IMAGE, ...options.forensics },
          },
        },
      }),
      ...(options.permissions ? [options.permissions] : []),
    ],
  });
  return server;
}

describe('POST /v1/forensics', () => {
  it('answers 401 without credentials, and 400 for a body outside the contract', async () => {
    const server = await startBackend();

    const anonymous = await request(server)
      .post(PATH)
      .set('Authorization', mockCredentials.none.header())
      .send(TARGET);
    expect(anonymous.status).toBe(401);

    for (const body of [
      { ...TARGET, node: 'worker-9' },
      { ...TARGET, pod: '' },
      { ...TARGET, command: 'rm -rf /' },
      { entityRef: TARGET.entityRef },
    ]) {
      const response = await request(server).post(PATH).send(body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/^Invalid request: /);
    }
    const huge = await request(server)
      .post(PATH)
      .send({ ...TARGET, pod: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
  });

  it('answers 403 to a user without the forensics permission on the entity', async () => {
    const server = await startBackend({
      permissions: mockServices.permissions.factory({
        result: AuthorizeResult.DENY,
      }),
    });
    const response = await request(server).post(PATH).send(TARGET);
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'You are not allowed to run node forensics on the pods of component:default/checkout-api',
    );
  });

  it("answers 403 for another entity's pod and 400 for a pod that does not exist", async () => {
    const server = await startBackend();

    const foreign = await request(server)
      .post(PATH)
      .send({
        ...TARGET,
        namespace: 'monitoring',
        pod: 'prometheus-operator-6c9d8b7f4d-q8w2n',
        container: undefined,
      });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(
      /is not one of the pods of component:default\/checkout-api/,
    );

    const unknown = await request(server)
      .post(PATH)
      .send({ ...TARGET, pod: 'checkout-api-v1-nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'There is no pod checkout-api-v1-nope in namespace finance of cluster sandbox among the pods of component:default/checkout-api',
    );

    const container = await request(server)
      .post(PATH)
      .send({ ...TARGET, container: 'sidecar' });
    expect(container.status).toBe(400);
    expect(container.body.error.message).toMatch(
      /^Pod checkout-api-v1-abc has no container sidecar/,
    );
  });

  it('starts one run (202), then answers it (200) while it is in flight', async () => {
    const server = await startBackend();

    const first = await request(server).post(PATH).send(TARGET);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'pending',
      node: 'worker-1',
      requestedBy: 'user:default/mock',
    });

    const again = await request(server).post(PATH).send(TARGET);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const read = await request(server).get(`${PATH}/${first.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(first.body.id);
    const list = await request(server)
      .get(PATH)
      .query({ entityRef: 'checkout-api' });
    expect(list.body).toEqual({
      entityRef: 'component:default/checkout-api',
      runs: [expect.objectContaining({ id: first.body.id })],
    });
  });

  it('answers 409 for a pod not yet scheduled on a node, creating no Job', async () => {
    const server = await startBackend();
    const xyz = sandbox.world.clusters[0]
      .podsAt(sandbox.now())
      .find(p => p.name === 'checkout-api-v1-xyz')!;
    const node = xyz.nodeName;
    xyz.nodeName = '';
    try {
      const response = await request(server)
        .post(PATH)
        .send({ ...TARGET, pod: 'checkout-api-v1-xyz' });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toBe(
        'Pod checkout-api-v1-xyz is not scheduled on a node yet: there is no node to look at',
      );
      const history = await request(server)
        .get(PATH)
        .query({ entityRef: TARGET.entityRef });
      expect(history.body.runs).toEqual([]);
    } finally {
      xyz.nodeName = node;
    }
  });

  it('answers 429 with Retry-After past the per-node cap and the per-user rate', async () => {
    const server = await startBackend({
      forensics: {
        limits: { runsPerNode: 1, userBurst: 2, userRunsPerHour: 1 },
      },
    });
    // Both replicas on worker-1 for this test.
    const xyz = sandbox.world.clusters[0]
      .podsAt(sandbox.now())
      .find(p => p.name === 'checkout-api-v1-xyz')!;
    const node = xyz.nodeName;
    xyz.nodeName = 'worker-1';
    try {
      const first = await request(server).post(PATH).send(TARGET);
      expect(first.status).toBe(202);

      const capped = await request(server)
        .post(PATH)
        .send({ ...TARGET, pod: 'checkout-api-v1-xyz' });
      expect(capped.status).toBe(429);
      expect(capped.body.error.message).toBe(
        'Node worker-1 already has 1 forensics run in flight, the most at once (observabilityIr.forensics.limits.runsPerNode is 1); try again when it has finished',
      );
      expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);

      const limited = await request(server)
        .post(PATH)
        .send({ ...TARGET, pod: 'checkout-api-v1-xyz' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toMatch(
        /^At most 1 node forensics runs per hour per user \(2 at once\); try again in \d+ s$/,
      );
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);

      // Answering the run in flight costs nothing.
      expect((await request(server).post(PATH).send(TARGET)).status).toBe(200);
    } finally {
      xyz.nodeName = node;
    }
  });

  it('refuses to start a run with 503 when node forensics is off, and says why with an empty history', async () => {
    const server = await startBackend({ forensics: { enabled: false } });
    const started = await request(server).post(PATH).send(TARGET);
    expect(started.status).toBe(503);
    expect(started.body.error.message).toMatch(
      /^Node forensics is disabled on this Backstage instance/,
    );

    // Every Incident tab asks for the history: no 5xx (logged as an error).
    const history = await request(server)
      .get(PATH)
      .query({ entityRef: TARGET.entityRef });
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      entityRef: TARGET.entityRef,
      runs: [],
      disabled: expect.stringMatching(
        /^Node forensics is disabled on this Backstage instance/,
      ),
    });
  });
});

describe('GET /v1/forensics', () => {
  it('answers 400 for an id that is not a UUID and 404 for an unknown run', async () => {
    const server = await startBackend();
    expect((await request(server).get(`${PATH}/..%2Fetc`)).status).toBe(400);
    expect(
      (
        await request(server).get(
          `${PATH}/8c16fc86-ff61-489d-bc06-666255c6f19a`,
        )
      ).status,
    ).toBe(404);
  });

  it('refuses the history to a user who may not read the entity', async () => {
    const server = await startBackend({
      permissions: mockServices.permissions.factory({
        result: AuthorizeResult.DENY,
      }),
    });
    const response = await request(server)
      .get(PATH)
      .query({ entityRef: TARGET.entityRef });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'You are not allowed to read the incident data of component:default/checkout-api',
    );
  });

  it('with waitForChangeAfter, answers once the run has another status', async () => {
    const server = await startBackend();
    // A pod whose Job no other test's backend follows.
    const started = await request(server)
      .post(PATH)
      .send({ ...TARGET, pod: 'checkout-api-v1-xyz' });
    expect(started.status).toBe(202);
    const url = `${PATH}/${started.body.id}`;

    expect(
      (await request(server).get(url).query({ waitForChangeAfter: 'done' }))
        .status,
    ).toBe(400);
    // Another status already: at once.
    const atOnce = await request(server)
      .get(url)
      .query({ waitForChangeAfter: 'running' });
    expect(atOnce.body.status).toBe('pending');

    // Held while the Job waits for its pod (the sandbox's clock stands
    // still), answered when the Job has run.
    let answeredAt: number | undefined;
    const held = request(server)
      .get(url)
      .query({ waitForChangeAfter: 'pending' })
      .then(response => {
        answeredAt = Date.now();
        return response;
      });
    await new Promise(resolve => setTimeout(resolve, 1_500));
    expect(answeredAt).toBeUndefined();
    const advancedAt = Date.now();
    sandbox.advance(10_000);
    const response = await held;
    expect(response.status).toBe(200);
    expect(response.body.reason).toBeUndefined();
    expect(['running', 'succeeded']).toContain(response.body.status);
    // Well before the longest wait (20 s) would have answered it.
    expect(answeredAt! - advancedAt).toBeLessThan(10_000);
  });
});
