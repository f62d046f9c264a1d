import { TestDatabaseId } from '@backstage/backend-test-utils';

/*
 * TestDatabases uses an existing PostgreSQL server when
 * BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING names it, and
 * otherwise starts one in Docker. CI (.ci/run) and the backend's production
 * test describe the server with POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER
 * and POSTGRES_PASSWORD instead: those become the connection string. The
 * major version in the id only picks the Docker image, unused here.
 */

const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

const connectionStringVariable = (id: TestDatabaseId) =>
  `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`;

const POSTGRES_VARIABLES = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
];

/** A database the store's tests run on. */
export interface StoreTestDatabase {
  name: string;
  id: TestDatabaseId;
  /** Why this database cannot be used here; the cases fail with it in CI. */
  missing?: string;
}

/**
 * SQLite always; PostgreSQL when a server is configured, and in CI, where
 * its absence is an error rather than a reason to skip.
 */
export function storeTestDatabases(): StoreTestDatabase[] {
  const sqlite: StoreTestDatabase = { name: 'SQLite', id: 'SQLITE_3' };
  const configured = POSTGRES_IDS.find(
    id => process.env[connectionStringVariable(id)],
  );
  if (configured) {
    return [sqlite, { name: 'PostgreSQL', id: configured }];
  }
  const unset = POSTGRES_VARIABLES.filter(name => !process.env[name]);
  const id: TestDatabaseId = 'POSTGRES_16';
  if (unset.length === 0) {
    const { POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD } =
      process.env;
    process.env[connectionStringVariable(id)] = `postgresql://${[
      encodeURIComponent(POSTGRES_USER!),
      encodeURIComponent(POSTGRES_PASSWORD!),
    ].join(':')}@${POSTGRES_HOST}:${POSTGRES_PORT}`;
    return [sqlite, { name: 'PostgreSQL', id }];
  }
  const missing = `PostgreSQL is not configured: ${unset.join(', ')} unset`;
  if (process.env.CI && process.env.CI !== 'false') {
    return [sqlite, { name: 'PostgreSQL', id, missing }];
  }
  // eslint-disable-next-line no-console
  console.warn(`Skipping the forensics store's PostgreSQL cases. ${missing}.`);
  return [sqlite];
}
