import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseService } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import {
  StoreTestDatabase,
  storeTestDatabases,
} from '../../__testUtils__/testDatabases';
import { DatabaseIncidentStore } from './DatabaseIncidentStore';
import { INCIDENT_MAX_ACTIONS, NewIncident } from './IncidentStore';

jest.setTimeout(60_000);

const testDatabases = storeTestDatabases();
const databases = TestDatabases.create({
  ids: testDatabases.filter(d => !d.missing).map(d => d.id),
});

const entityRef = 'component:default/checkout-api';
const MiB = 1024 * 1024;

function newIncident(overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    entityRef,
    hypothesis: 'memory-limit-too-low',
    title: 'Memory limit too low',
    openedAt: new Date('2026-12-02T06:00:00.000Z'),
    baseline: { 'checkout-api': 512 * MiB },
    message: 'Memory limit too low (confidence 90%)',
    ...overrides,
  };
}

describe.each(testDatabases)('DatabaseIncidentStore on $name', database => {
  const { id, missing } = database as StoreTestDatabase;
  const extraClients: Knex[] = [];

  afterAll(async () => {
    await Promise.all(extraClients.map(c => c.destroy()));
  });

  const service = (knex: Knex): DatabaseService => ({
    getClient: async () => knex,
  });

  async function connect(): Promise<Knex> {
    if (missing) {
      throw new Error(`${missing}; CI requires it (see .ci/run)`);
    }
    return databases.init(id);
  }

  /** Another backend instance on the same database, with its own pool. */
  async function instance(knex: Knex) {
    let client = knex;
    if (!String(knex.client.config.client).includes('sqlite')) {
      client = knexFactory({
        client: knex.client.config.client,
        connection: knex.client.config.connection,
        pool: { min: 0, max: 5 },
      });
      extraClients.push(client);
    }
    return DatabaseIncidentStore.create({ database: service(client) });
  }

  it('opens an incident with its first action, and a restarted backend reads it back', async () => {
    const knex = await connect();
    const store = await DatabaseIncidentStore.create({
      database: service(knex),
    });
    const { incident, created } = await store.open(newIncident());
    expect(created).toBe(true);
    expect(incident).toMatchObject({
      entityRef,
      status: 'open',
      hypothesis: 'memory-limit-too-low',
      openedAt: '2026-12-02T06:00:00.000Z',
      baseline: { 'checkout-api': 512 * MiB },
      actions: [
        {
          kind: 'opened',
          actor: 'system',
          at: '2026-12-02T06:00:00.000Z',
        },
      ],
    });

    const restarted = await DatabaseIncidentStore.create({
      database: service(knex),
    });
    expect(await restarted.latest(entityRef)).toEqual(incident);
    expect(await restarted.latest('component:default/other')).toBeUndefined();
  });

  it('keeps one open incident per entity when two instances open one at once', async () => {
    const knex = await connect();
    const first = await instance(knex);
    const second = await instance(knex);
    const results = await Promise.all([
      first.open(newIncident()),
      second.open(newIncident({ title: 'second opener' })),
      first.open(newIncident({ title: 'third opener' })),
    ]);
    expect(results.filter(r => r.created)).toHaveLength(1);
    expect(new Set(results.map(r => r.incident.id)).size).toBe(1);
    const rows = await knex('observability_ir_incidents').where({
      entity_ref: entityRef,
    });
    expect(rows).toHaveLength(1);
  });

  it('records actions in order, the fix once, and closes once with the time to recovery', async () => {
    const knex = await connect();
    const store = await instance(knex);
    const other = await instance(knex);
    const { incident } = await store.open(newIncident());
    await store.addAction(incident.id, {
      at: '2026-12-02T06:05:00.000Z',
      actor: 'user:default/ops-oncall',
      kind: 'step-completed',
      stepId: 'kernel',
      message: 'Ran crictl and nsenter on worker-1',
    });
    const fix = {
      seenAt: '2026-12-02T06:10:00.000Z',
      description: 'checkout-api: 512Mi → 1Gi',
      memoryLimits: { 'checkout-api': 1024 * MiB },
    };
    expect(await store.recordFix(incident.id, fix)).toBe(true);
    expect(
      await other.recordFix(incident.id, { ...fix, description: 'later' }),
    ).toBe(false);
    await store.setVerification(incident.id, {
      since: '2026-12-02T06:11:00.000Z',
      restarts: { 'checkout-api-v2-a/checkout-api': 0 },
    });

    const closedAt = new Date('2026-12-02T06:41:00.000Z');
    const verified = { memoryLimits: { 'checkout-api': 1024 * MiB } };
    const closes = await Promise.all([
      store.close(incident.id, { at: closedAt, verified, message: 'passed' }),
      other.close(incident.id, { at: closedAt, verified, message: 'passed' }),
    ]);
    expect(closes.filter(Boolean)).toHaveLength(1);

    const latest = await store.latest(entityRef);
    expect(latest).toMatchObject({
      status: 'resolved',
      closedAt: '2026-12-02T06:41:00.000Z',
      timeToRecoverySeconds: 41 * 60,
      fix,
      verified,
      verification: { since: '2026-12-02T06:11:00.000Z' },
    });
    expect(latest!.actions.map(a => [a.kind, a.actor])).toEqual([
      ['opened', 'system'],
      ['step-completed', 'user:default/ops-oncall'],
      ['closed', 'system'],
    ]);

    // Closed, the entity may open a new incident; the newest is the latest.
    const reopened = await other.open(
      newIncident({ openedAt: new Date('2026-12-02T08:00:00.000Z') }),
    );
    expect(reopened.created).toBe(true);
    expect((await store.latest(entityRef))!.id).toBe(reopened.incident.id);
  });

  it('keeps long messages and long histories bounded', async () => {
    const knex = await connect();
    const store = await instance(knex);
    const { incident } = await store.open(newIncident());
    await store.addAction(incident.id, {
      at: '2026-12-02T06:01:00.000Z',
      actor: 'user:default/ops-oncall',
      kind: 'note',
      message: 'x'.repeat(5_000),
    });
    const stored = await store.latest(entityRef);
    expect(stored!.actions[1].message.length).toBeLessThanOrEqual(1_000);

    for (let i = 0; i < INCIDENT_MAX_ACTIONS + 5; i++) {
      await store.addAction(incident.id, {
        at: '2026-12-02T06:02:00.000Z',
        actor: 'user:default/ops-oncall',
        kind: 'note',
        message: `note ${i}`,
      });
    }
    const trimmed = await store.latest(entityRef);
    expect(trimmed!.actions).toHaveLength(INCIDENT_MAX_ACTIONS);
    // The opening is kept; the oldest notes went.
    expect(trimmed!.actions[0].kind).toBe('opened');
    expect(trimmed!.actions.at(-1)!.message).toBe(
      `note ${INCIDENT_MAX_ACTIONS + 4}`,
    );
  });

  it('refuses an action on an incident that does not exist', async () => {
    const knex = await connect();
    const store = await instance(knex);
    await expect(
      store.addAction('9f1c0f7e-4a4b-4c52-9a1f-0c0f3b1f2e3d', {
        at: '2026-12-02T06:01:00.000Z',
        actor: 'user:default/ops-oncall',
        kind: 'note',
        message: 'hello',
      }),
    ).rejects.toThrow(/No incident/);
  });
});
