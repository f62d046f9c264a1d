import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseService } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import {
  StoreTestDatabase,
  storeTestDatabases,
} from '../../__testUtils__/testDatabases';
import { DatabaseResultCache } from './DatabaseResultCache';

jest.setTimeout(60_000);

const testDatabases = storeTestDatabases();
const databases = TestDatabases.create({
  ids: testDatabases.filter(d => !d.missing).map(d => d.id),
});

describe.each(testDatabases)('DatabaseResultCache on $name', database => {
  const { id, missing } = database as StoreTestDatabase;
  const extraClients: Knex[] = [];

  afterAll(async () => {
    await Promise.all(extraClients.map(c => c.destroy()));
  });

  const service = (knex: Knex): DatabaseService => ({
    getClient: async () => knex,
  });

  /** Two backend instances on one database, each with its own pool. */
  async function twoInstances(now: () => number) {
    if (missing) {
      throw new Error(`${missing}; CI requires it (see .ci/run)`);
    }
    const knex = await databases.init(id);
    let other = knex;
    if (!String(knex.client.config.client).includes('sqlite')) {
      other = knexFactory({
        client: knex.client.config.client,
        connection: knex.client.config.connection,
        pool: { min: 0, max: 2 },
      });
      extraClients.push(other);
    }
    // The first migrates the database, the second finds it migrated.
    const first = await DatabaseResultCache.create({
      database: service(knex),
      now,
    });
    return [
      first,
      await DatabaseResultCache.create({ database: service(other), now }),
    ];
  }

  it('answers on one instance what another stored, until it expires', async () => {
    let now = Date.parse('2026-12-02T06:00:00.000Z');
    const [sweeper, other] = await twoInstances(() => now);

    expect(await other.get('fleet/silent-outages/v1/1h')).toBeUndefined();
    await sweeper.set(
      'fleet/silent-outages/v1/1h',
      { podsScanned: 3, findings: [{ pod: 'a' }] },
      { ttl: { minutes: 15 } },
    );
    expect(await other.get('fleet/silent-outages/v1/1h')).toEqual({
      podsScanned: 3,
      findings: [{ pod: 'a' }],
    });

    // The next run replaces it.
    await other.set(
      'fleet/silent-outages/v1/1h',
      { podsScanned: 4 },
      {
        ttl: 15 * 60_000,
      },
    );
    expect(await sweeper.get('fleet/silent-outages/v1/1h')).toEqual({
      podsScanned: 4,
    });

    now += 15 * 60_000 + 1;
    expect(await sweeper.get('fleet/silent-outages/v1/1h')).toBeUndefined();
    expect(await other.get('fleet/silent-outages/v1/1h')).toBeUndefined();

    await sweeper.set('fleet/telemetry/v1', { ok: true });
    await other.delete('fleet/telemetry/v1');
    expect(await sweeper.get('fleet/telemetry/v1')).toBeUndefined();
  });
});
