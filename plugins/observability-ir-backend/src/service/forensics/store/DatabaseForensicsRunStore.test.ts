import type { V1Pod } from '@kubernetes/client-node';
import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseService } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { fixture } from '../__testUtils__/fixtures';
import { expectedPortsFromPod } from '../expectedPorts';
import { readForensicsReport } from '../report';
import {
  createForensicsRunStore,
  DatabaseForensicsRunStore,
} from './DatabaseForensicsRunStore';
import {
  migratePluginDatabase,
  pluginMigrationsDir,
} from '../../../database/migrations';
import {
  FORENSICS_LIST_MAX_LIMIT,
  FORENSICS_RAW_OUTPUT_MAX_BYTES,
  ForensicsRunTarget,
  NewForensicsRun,
} from './ForensicsRunStore';
import {
  StoreTestDatabase,
  storeTestDatabases,
} from '../../../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const TABLE = 'observability_ir_forensics_runs';
const testDatabases = storeTestDatabases();
const databases = TestDatabases.create({
  ids: testDatabases.filter(d => !d.missing).map(d => d.id),
});

const target: ForensicsRunTarget = {
  cluster: 'sandbox',
  namespace: 'shop',
  pod: 'checkout-api-v1-abc',
  container: 'checkout-api',
};
const entityRef = 'component:default/checkout-api';

function newRun(overrides: Partial<NewForensicsRun> = {}): NewForensicsRun {
  return {
    jobName: 'obsir-forensics-checkout-api-v1-abc-1a2b3c',
    target,
    node: 'node-a',
    entityRef,
    requestedBy: 'user:default/ops-oncall',
    ...overrides,
  };
}

const pod: V1Pod = {
  metadata: { name: 'checkout-api-v1-abc', namespace: 'shop' },
  spec: {
    containers: [
      {
        name: 'checkout-api',
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
      },
    ],
  },
};

const minutes = (n: number) => n * 60_000;

describe.each(testDatabases)('DatabaseForensicsRunStore on $name', database => {
  const { id, missing } = database as StoreTestDatabase;
  let clock: Date;
  const now = () => clock;
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const extraClients: Knex[] = [];

  beforeEach(() => {
    clock = new Date('2026-12-02T06:00:00.000Z');
  });

  afterAll(async () => {
    await Promise.all(extraClients.map(c => c.destroy()));
  });

  async function connect(): Promise<Knex> {
    if (missing) {
      throw new Error(`${missing}; CI requires it (see .ci/run)`);
    }
    return databases.init(id);
  }

  const service = (knex: Knex, skip = false): DatabaseService => ({
    getClient: async () => knex,
    migrations: { skip },
  });

  async function setUp() {
    const knex = await connect();
    const store = await DatabaseForensicsRunStore.create({
      database: service(knex),
      now,
    });
    return { knex, store };
  }

  /** A second backend instance on the same database, with its own pool. */
  async function replica(knex: Knex) {
    let client = knex;
    if (!String(knex.client.config.client).includes('sqlite')) {
      client = knexFactory({
        client: knex.client.config.client,
        connection: knex.client.config.connection,
        pool: { min: 0, max: 5 },
      });
      extraClients.push(client);
    }
    return DatabaseForensicsRunStore.create({
      database: service(client),
      now,
    });
  }

  /** `name (column, column DESC)` for each index of the table. */
  async function indices(knex: Knex): Promise<string[]> {
    const definitions: string[] = String(knex.client.config.client).includes(
      'sqlite',
    )
      ? (
          await knex('sqlite_master')
            .where({ type: 'index', tbl_name: TABLE })
            .whereNotNull('sql')
            .select('sql')
        ).map((r: { sql: string }) => r.sql)
      : (
          await knex.raw(
            'SELECT indexdef FROM pg_indexes WHERE tablename = ?',
            [TABLE],
          )
        ).rows.map((r: { indexdef: string }) => r.indexdef);
    return definitions.map(sql => {
      const plain = sql.replace(/[`"]/g, '').replace(/\s+/g, ' ');
      const [, name, columns] =
        /^create index (\S+) on .*\((.*)\)$/i.exec(plain) ?? [];
      return `${name} (${columns?.replace(/ desc/i, ' DESC')})`;
    });
  }

  describe('migrations', () => {
    it('creates the table with its indices, and rolls back', async () => {
      const knex = await connect();
      await createForensicsRunStore(service(knex));
      expect(await knex.schema.hasTable(TABLE)).toBe(true);
      expect(await indices(knex)).toEqual(
        expect.arrayContaining([
          `${TABLE}_entity_idx (entity_ref, created_at DESC)`,
          `${TABLE}_target_idx (cluster, namespace, pod, container, created_at)`,
          `${TABLE}_status_idx (status)`,
        ]),
      );

      await knex.migrate.rollback({ directory: pluginMigrationsDir }, true);
      expect(await knex.schema.hasTable(TABLE)).toBe(false);
      await migratePluginDatabase(knex);
      expect(await knex.schema.hasTable(TABLE)).toBe(true);
    });

    it('leaves the schema alone when the backend skips migrations', async () => {
      const knex = await connect();
      await createForensicsRunStore(service(knex, true));
      expect(await knex.schema.hasTable(TABLE)).toBe(false);
    });
  });

  describe('create and read', () => {
    it('answers the run as stored, and a restarted backend reads it back', async () => {
      const { knex, store } = await setUp();
      const lease = {
        owner: 'backend-1',
        expiresAt: new Date('2026-12-02T06:01:00.000Z'),
      };
      const created = await store.create(newRun({ lease }));
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        jobName: 'obsir-forensics-checkout-api-v1-abc-1a2b3c',
        ...target,
        node: 'node-a',
        entityRef,
        requestedBy: 'user:default/ops-oncall',
        status: 'pending',
        createdAt: '2026-12-02T06:00:00.000Z',
        updatedAt: '2026-12-02T06:00:00.000Z',
        rawOutputTruncated: false,
        claimedBy: 'backend-1',
        leaseExpiresAt: '2026-12-02T06:01:00.000Z',
      });

      const restarted = await DatabaseForensicsRunStore.create({
        database: service(knex),
      });
      expect(await restarted.get(created.id)).toEqual(created);
      expect(await restarted.get(created.id.toUpperCase())).toEqual(created);
    });

    it('answers undefined for an unknown or malformed id', async () => {
      const { store } = await setUp();
      expect(
        await store.get('2f1d0c3e-5b6a-4c7d-8e9f-0a1b2c3d4e5f'),
      ).toBeUndefined();
      expect(await store.get("x' OR 1=1 --")).toBeUndefined();
    });

    it('keeps the parsed sections and the verdict as they were', async () => {
      const { store } = await setUp();
      const output = fixture('script-output.ctr-oom.txt');
      const report = readForensicsReport(
        output,
        expectedPortsFromPod(pod, { serviceTargetPorts: [8080] }),
      );
      const run = await store.create(newRun());
      await store.update(run.id, { status: 'running' });
      await store.update(run.id, {
        status: 'succeeded',
        sections: report.sections,
        verdict: report.verdict,
        rawOutput: output,
      });

      const stored = await store.get(run.id);
      expect(stored?.sections).toEqual(report.sections);
      expect(stored?.verdict).toEqual(report.verdict);
      expect(stored?.verdict?.sentence).toMatch(/OOM kill/);
      expect(stored?.rawOutput).toBe(output);
      expect(stored?.rawOutputTruncated).toBe(false);
    });

    it("lists an entity's runs newest first, without their logs, bounded", async () => {
      const { store } = await setUp();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = await store.create(newRun());
        await store.update(run.id, { status: 'failed', rawOutput: 'log' });
        ids.push(run.id);
        advance(1000);
      }
      await store.create(newRun({ entityRef: 'component:default/other' }));

      const listed = await store.listForEntity(entityRef);
      expect(listed.map(r => r.id)).toEqual([...ids].reverse());
      expect(listed[0]).not.toHaveProperty('rawOutput');
      expect(listed[0]).not.toHaveProperty('sections');

      const two = await store.listForEntity(entityRef, { limit: 2 });
      expect(two.map(r => r.id)).toEqual([ids[4], ids[3]]);
      await expect(
        store.listForEntity(entityRef, { limit: 0 }),
      ).rejects.toThrow(/limit must be a positive integer/);
    });

    it(`answers at most ${FORENSICS_LIST_MAX_LIMIT} runs, whatever the limit asked`, async () => {
      const { knex, store } = await setUp();
      const rows = Array.from(
        { length: FORENSICS_LIST_MAX_LIMIT + 5 },
        (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          job_name: `job-${i}`,
          ...target,
          entity_ref: entityRef,
          requested_by: 'user:default/ops-oncall',
          status: 'failed',
          created_at: new Date(clock.getTime() + i * 1000),
          updated_at: clock,
          raw_output_truncated: false,
        }),
      );
      await knex.batchInsert(TABLE, rows, 50);
      const listed = await store.listForEntity(entityRef, { limit: 1000 });
      expect(listed).toHaveLength(FORENSICS_LIST_MAX_LIMIT);
      expect(listed[0].jobName).toBe(`job-${FORENSICS_LIST_MAX_LIMIT + 4}`);
    });
  });

  describe('findRecent (dedupe)', () => {
    it('finds a run in flight however old, and a finished one within the window only', async () => {
      const { store } = await setUp();
      const inFlight = await store.create(newRun());
      advance(minutes(30));
      expect(
        (await store.findRecent(target, new Date(clock.getTime() - 1000)))?.id,
      ).toBe(inFlight.id);

      await store.update(inFlight.id, { status: 'succeeded' });
      const finishedAt = clock;
      advance(minutes(2));
      const window = minutes(5);
      expect(
        (await store.findRecent(target, new Date(clock.getTime() - window)))
          ?.id,
      ).toBe(inFlight.id);

      advance(minutes(4));
      expect(
        await store.findRecent(target, new Date(clock.getTime() - window)),
      ).toBeUndefined();
      expect((await store.findRecent(target, finishedAt))?.id).toBe(
        inFlight.id,
      );
    });

    it('matches the same cluster, namespace, pod and container only, newest first', async () => {
      const { store } = await setUp();
      const since = new Date(clock.getTime() - minutes(5));
      await store.create(newRun({ target: { ...target, container: 'envoy' } }));
      await store.create(newRun({ target: { ...target, cluster: 'prod' } }));
      await store.create(
        newRun({ target: { ...target, pod: 'checkout-api-v1-def' } }),
      );
      expect(await store.findRecent(target, since)).toBeUndefined();

      const older = await store.create(newRun());
      advance(1000);
      const newer = await store.create(newRun());
      expect((await store.findRecent(target, since))?.id).toBe(newer.id);
      expect(older.id).not.toBe(newer.id);
    });
  });

  describe('update', () => {
    it('moves forward, stamping when it started and finished', async () => {
      const { store } = await setUp();
      const run = await store.create(
        newRun({ lease: { owner: 'backend-1', expiresAt: new Date(0) } }),
      );
      advance(5000);
      const running = await store.update(run.id, {
        status: 'running',
        node: 'node-b',
      });
      expect(running).toMatchObject({
        status: 'running',
        node: 'node-b',
        startedAt: '2026-12-02T06:00:05.000Z',
        updatedAt: '2026-12-02T06:00:05.000Z',
      });
      expect(running.finishedAt).toBeUndefined();

      advance(5000);
      await store.update(run.id, { status: 'running' });
      advance(5000);
      const failed = await store.update(run.id, {
        status: 'failed',
        reason: 'The node node-b is gone',
      });
      expect(failed).toMatchObject({
        status: 'failed',
        reason: 'The node node-b is gone',
        startedAt: '2026-12-02T06:00:05.000Z',
        finishedAt: '2026-12-02T06:00:15.000Z',
      });
      expect(failed.leaseExpiresAt).toBeUndefined();
    });

    it('refuses to go back or to change a finished run', async () => {
      const { store } = await setUp();
      const run = await store.create(newRun());
      await store.update(run.id, { status: 'running' });
      await expect(
        store.update(run.id, { status: 'pending' }),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(/is running; it cannot become pending/),
      });

      await store.update(run.id, { status: 'succeeded', rawOutput: 'ok' });
      for (const status of ['pending', 'running', 'failed'] as const) {
        await expect(store.update(run.id, { status })).rejects.toMatchObject({
          name: 'ConflictError',
        });
      }
      await expect(
        store.update(run.id, { status: 'succeeded' }),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(/is succeeded and does not change/),
      });
      await expect(
        store.update(run.id, { rawOutput: 'rewritten' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(await store.get(run.id)).toMatchObject({
        status: 'succeeded',
        rawOutput: 'ok',
      });
    });

    it('answers NotFoundError for an unknown run', async () => {
      const { store } = await setUp();
      await expect(
        store.update('2f1d0c3e-5b6a-4c7d-8e9f-0a1b2c3d4e5f', {
          status: 'running',
        }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(
        store.update('not-a-uuid', { status: 'running' }),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('caps the raw output, keeping its head whole, and says so', async () => {
      const { store } = await setUp();
      const run = await store.create(newRun());

      const exact = 'a'.repeat(FORENSICS_RAW_OUTPUT_MAX_BYTES);
      const atCap = await store.update(run.id, { rawOutput: exact });
      expect(atCap.rawOutput).toBe(exact);
      expect(atCap.rawOutputTruncated).toBe(false);

      // The cap falls inside the three bytes of a '€'.
      const long = `${'a'.repeat(
        FORENSICS_RAW_OUTPUT_MAX_BYTES - 1,
      )}€ and more`;
      const capped = await store.update(run.id, { rawOutput: long });
      expect(capped.rawOutputTruncated).toBe(true);
      expect(capped.rawOutput).toBe(
        'a'.repeat(FORENSICS_RAW_OUTPUT_MAX_BYTES - 1),
      );
      expect(await store.get(run.id)).toMatchObject({
        rawOutputTruncated: true,
      });
    });

    it('stores output with NUL characters (PostgreSQL text holds none)', async () => {
      const { store } = await setUp();
      const run = await store.create(newRun());
      const updated = await store.update(run.id, {
        rawOutput: 'cmdline: /app\u0000--port\u00008080\n',
        reason: 'bad\u0000reason',
      });
      expect(updated.rawOutput).toBe('cmdline: /app\uFFFD--port\uFFFD8080\n');
      expect(updated.reason).toBe('badreason');
    });
  });

  describe('leases', () => {
    it('claims runs nobody holds or whose lease expired, never a finished one', async () => {
      const { store } = await setUp();
      const unheld = await store.create(newRun());
      advance(1000);
      const held = await store.create(
        newRun({
          lease: {
            owner: 'backend-1',
            expiresAt: new Date(clock.getTime() + minutes(1)),
          },
        }),
      );
      const finished = await store.create(newRun());
      await store.update(finished.id, { status: 'failed', reason: 'timeout' });
      const succeeded = await store.create(newRun({ status: 'running' }));
      await store.update(succeeded.id, { status: 'succeeded' });

      const first = await store.claimStale('backend-2', clock, 30_000, 10);
      expect(first.map(r => r.id)).toEqual([unheld.id]);
      expect(first[0]).toMatchObject({
        claimedBy: 'backend-2',
        leaseExpiresAt: new Date(clock.getTime() + 30_000).toISOString(),
      });

      // backend-1 stopped renewing: its run is picked up again.
      advance(minutes(1));
      const second = await store.claimStale('backend-2', clock, 30_000, 10);
      expect(second.map(r => r.id)).toEqual([unheld.id, held.id]);

      advance(minutes(60));
      const later = await store.claimStale('backend-3', clock, 30_000, 10);
      expect(later.map(r => r.id)).toEqual([unheld.id, held.id]);
      expect(later.map(r => r.id)).not.toContain(finished.id);
      expect(later.map(r => r.id)).not.toContain(succeeded.id);
    });

    it('renews only the holder’s lease on a run in flight', async () => {
      const { store } = await setUp();
      const run = await store.create(newRun());
      await store.claimStale('backend-1', clock, 30_000, 1);

      advance(20_000);
      expect(await store.renewLease(run.id, 'backend-1', clock, 30_000)).toBe(
        true,
      );
      expect((await store.get(run.id))?.leaseExpiresAt).toBe(
        '2026-12-02T06:00:50.000Z',
      );
      expect(await store.renewLease(run.id, 'backend-2', clock, 30_000)).toBe(
        false,
      );

      advance(20_000);
      expect(await store.claimStale('backend-2', clock, 30_000, 5)).toEqual([]);
      advance(20_000);
      expect(
        (await store.claimStale('backend-2', clock, 30_000, 5)).map(r => r.id),
      ).toEqual([run.id]);
      expect(await store.renewLease(run.id, 'backend-1', clock, 30_000)).toBe(
        false,
      );

      await store.update(run.id, { status: 'succeeded' });
      expect(await store.renewLease(run.id, 'backend-2', clock, 30_000)).toBe(
        false,
      );
    });

    it('gives two instances claiming at once disjoint runs', async () => {
      const { knex, store } = await setUp();
      const other = await replica(knex);
      const created = new Set<string>();
      for (let i = 0; i < 24; i++) {
        created.add((await store.create(newRun())).id);
      }

      const claims = new Map<string, string[]>();
      for (let round = 0; round < 10; round++) {
        const [a, b] = await Promise.all([
          store.claimStale('backend-a', clock, 30_000, 4),
          other.claimStale('backend-b', clock, 30_000, 4),
        ]);
        for (const [owner, runs] of [
          ['backend-a', a],
          ['backend-b', b],
        ] as const) {
          for (const run of runs) {
            expect(run.claimedBy).toBe(owner);
            claims.set(run.id, [...(claims.get(run.id) ?? []), owner]);
          }
        }
        if (a.length === 0 && b.length === 0) break;
      }

      expect(new Set(claims.keys())).toEqual(created);
      for (const owners of claims.values()) {
        expect(owners).toHaveLength(1);
      }
      for (const [runId, [owner]] of claims) {
        expect((await other.get(runId))?.claimedBy).toBe(owner);
      }
    });
  });

  describe('countInFlightOnNode (the per-node cap)', () => {
    it('counts the runs pending or running on one node of one cluster', async () => {
      const { store } = await setUp();
      await store.create(newRun());
      const running = await store.create(newRun({ status: 'running' }));
      const done = await store.create(newRun());
      await store.update(done.id, { status: 'succeeded' });
      await store.create(newRun({ node: 'node-b' }));
      await store.create(newRun({ target: { ...target, cluster: 'staging' } }));

      expect(await store.countInFlightOnNode('sandbox', 'node-a')).toBe(2);
      await store.update(running.id, { status: 'failed', reason: 'gone' });
      expect(await store.countInFlightOnNode('sandbox', 'node-a')).toBe(1);
      expect(await store.countInFlightOnNode('sandbox', 'node-b')).toBe(1);
      expect(await store.countInFlightOnNode('sandbox', 'node-c')).toBe(0);
    });
  });

  describe('retention', () => {
    it('deletes runs that finished before the date, never one in flight', async () => {
      const { store } = await setUp();
      const old = await store.create(newRun());
      await store.update(old.id, { status: 'succeeded' });
      const oldFailed = await store.create(newRun());
      await store.update(oldFailed.id, { status: 'failed', reason: 'x' });
      const stuck = await store.create(newRun());

      advance(minutes(60 * 24 * 30));
      const recent = await store.create(newRun());
      await store.update(recent.id, { status: 'succeeded' });

      const cutoff = new Date(clock.getTime() - minutes(60 * 24 * 7));
      expect(await store.deleteFinishedBefore(cutoff)).toBe(2);
      expect(await store.get(old.id)).toBeUndefined();
      expect(await store.get(oldFailed.id)).toBeUndefined();
      expect((await store.get(stuck.id))?.status).toBe('pending');
      expect((await store.get(recent.id))?.status).toBe('succeeded');
      expect(await store.deleteFinishedBefore(cutoff)).toBe(0);
    });
  });
});
