import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import knexFactory from 'knex';
import type { ClusterAccess } from '../../clusters/ClusterAccess';
import {
  FORENSICS_DEFAULTS,
  ForensicsSettings,
} from '../../config/readForensicsConfig';
import { ForensicsRunChanges } from './ForensicsRunChanges';
import { ForensicsRunner } from './ForensicsRunner';
import {
  DefaultForensicsService,
  FORENSICS_RUN_WAIT,
} from './ForensicsService';
import { createForensicsRunStore, ForensicsRunStore } from './store';

const SETTINGS: ForensicsSettings = {
  ...FORENSICS_DEFAULTS,
  image: `registry.example.com/node-forensics@sha256:${'0'.repeat(64)}`,
};

const guest = { credentials: mockCredentials.user('user:default/guest') };
const jane = { credentials: mockCredentials.user('user:default/jane') };

describe('DefaultForensicsService: reading a run when its status changes', () => {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  let store: ForensicsRunStore;

  beforeAll(async () => {
    store = await createForensicsRunStore({ getClient: async () => knex });
  });
  afterAll(() => knex.destroy());

  function setUp(
    waits: Partial<typeof FORENSICS_RUN_WAIT> = {},
    result:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    const changes = new ForensicsRunChanges();
    const logger = mockServices.logger.mock();
    const runner = new ForensicsRunner({
      store,
      settings: SETTINGS,
      clusters: { client: async () => undefined, all: async () => [] },
      logger,
      instanceId: 'test',
      changes,
    });
    const service = new DefaultForensicsService({
      settings: SETTINGS,
      store,
      runner,
      pods: {
        getEntityPods: async () => {
          throw new Error('not used when reading runs');
        },
      },
      clusterAccess: {} as ClusterAccess,
      permissions: mockServices.permissions({ result }),
      logger,
      timeoutMs: 1_000,
      changes,
      waits: { maxMs: 10_000, recheckMs: 5_000, ...waits },
    });
    return { service, changes, runner };
  }

  async function pendingRun(runner: ForensicsRunner) {
    return store.create({
      jobName: 'obsir-forensics-0123456789abcdef0123',
      target: {
        cluster: 'sandbox',
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        container: 'checkout-api',
      },
      node: 'worker-1',
      entityRef: 'component:default/checkout-api',
      requestedBy: 'user:default/guest',
      lease: runner.newLease(),
    });
  }

  /** Whether the promise has settled after a moment. */
  async function answeredWithin(promise: Promise<unknown>, ms: number) {
    let answered = false;
    promise.then(
      () => (answered = true),
      () => (answered = true),
    );
    await new Promise(resolve => setTimeout(resolve, ms));
    return answered;
  }

  it('answers at once when the status is already another one', async () => {
    const { service, runner } = setUp();
    const run = await pendingRun(runner);

    const started = Date.now();
    const read = await service.getRun(run.id, guest, {
      afterStatus: 'running',
    });
    expect(read.status).toBe('pending');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('holds the read until the runner stores another status, then answers it', async () => {
    const { service, changes, runner } = setUp();
    const run = await pendingRun(runner);

    const read = service.getRun(run.id, guest, { afterStatus: 'pending' });
    expect(await answeredWithin(read, 300)).toBe(false);

    await store.update(run.id, { status: 'running' });
    const changedAt = Date.now();
    changes.changed(run.id);
    expect((await read).status).toBe('running');
    // Woken by the news, not by the store read every 5 s.
    expect(Date.now() - changedAt).toBeLessThan(2_000);
    expect(changes.pending).toBe(0);
  });

  it('reads the store again meanwhile, for runs another backend instance follows', async () => {
    const { service, runner } = setUp({ recheckMs: 200 });
    const run = await pendingRun(runner);

    const read = service.getRun(run.id, guest, { afterStatus: 'pending' });
    await new Promise(resolve => setTimeout(resolve, 100));
    // Stored elsewhere: no news reaches this instance.
    await store.update(run.id, { status: 'running' });
    expect(await answeredWithin(read, 2_000)).toBe(true);
    expect((await read).status).toBe('running');
  });

  it('answers the unchanged run when the longest wait is over, or the caller left', async () => {
    const { service, changes, runner } = setUp({ maxMs: 300, recheckMs: 100 });
    const run = await pendingRun(runner);

    const timedOut = service.getRun(run.id, guest, { afterStatus: 'pending' });
    expect(await answeredWithin(timedOut, 100)).toBe(false);
    expect(await answeredWithin(timedOut, 1_500)).toBe(true);
    expect((await timedOut).status).toBe('pending');

    const { service: patient } = setUp({ maxMs: 60_000 });
    const gone = new AbortController();
    const left = patient.getRun(run.id, guest, {
      afterStatus: 'pending',
      signal: gone.signal,
    });
    expect(await answeredWithin(left, 200)).toBe(false);
    gone.abort();
    expect(await answeredWithin(left, 200)).toBe(true);
    expect(changes.pending).toBe(0);
  });

  it("holds at most a few reads per caller; past that, the caller's reads answer at once", async () => {
    const { service, changes, runner } = setUp({ perCaller: 2 });
    const run = await pendingRun(runner);

    const held = [1, 2].map(() =>
      service.getRun(run.id, guest, { afterStatus: 'pending' }),
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    const third = service.getRun(run.id, guest, { afterStatus: 'pending' });
    expect(await answeredWithin(third, 300)).toBe(true);
    expect((await third).status).toBe('pending');
    // Another user's read still waits.
    const janes = service.getRun(run.id, jane, { afterStatus: 'pending' });
    expect(await answeredWithin(janes, 300)).toBe(false);

    await store.update(run.id, { status: 'running' });
    changes.changed(run.id);
    for (const read of [...held, janes]) {
      expect((await read).status).toBe('running');
    }
    // The held reads are counted off again.
    const later = service.getRun(run.id, guest, { afterStatus: 'running' });
    expect(await answeredWithin(later, 300)).toBe(false);
    await store.update(run.id, { status: 'failed', reason: 'test' });
    changes.changed(run.id);
    expect((await later).status).toBe('failed');
  });

  it('refuses a caller who may not read the entity before holding anything', async () => {
    const allowed = setUp();
    const run = await pendingRun(allowed.runner);
    const { service, changes } = setUp({}, AuthorizeResult.DENY);

    await expect(
      service.getRun(run.id, guest, { afterStatus: 'pending' }),
    ).rejects.toThrow(
      'You are not allowed to read the incident data of component:default/checkout-api',
    );
    expect(changes.pending).toBe(0);
  });
});
