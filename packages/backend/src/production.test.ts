import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BackendProcess, startBackendProcess } from './testing/backendProcess';

// pg ships without type declarations; these are the calls used here.
interface PgClient {
  connect(): Promise<void>;
  query<Row>(sql: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
}
const { Client } = require('pg') as {
  Client: new (config: object) => PgClient;
};

/*
 * The backend as a deployment runs it: NODE_ENV=production, configured by
 * app-config.yaml with app-config.production.yaml over it, on PostgreSQL.
 * The environment only adds what a deployment would: where to listen, the
 * database, and one static token for a service caller.
 */

const postgresVariables = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
];
const missing = postgresVariables.filter(name => !process.env[name]);
const ci = Boolean(process.env.CI) && process.env.CI !== 'false';

if (missing.length > 0 && !ci) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the production start-up test: it needs PostgreSQL, and ${missing.join(
      ', ',
    )} are unset.`,
  );
}
const describeWithPostgres =
  missing.length === 0 || ci ? describe : describe.skip;

const repoRoot = path.resolve(__dirname, '../../..');

// One database per plugin, all named with this run's prefix.
const databasePrefix = `prodtest_${randomBytes(4).toString('hex')}_`;
const serviceToken = randomBytes(24).toString('hex');

function postgresClient(): PgClient {
  return new Client({
    host: process.env.POSTGRES_HOST,
    port: Number(process.env.POSTGRES_PORT),
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
}

async function prefixedDatabases(): Promise<string[]> {
  const client = postgresClient();
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
      [databasePrefix],
    );
    return rows.map(row => row.datname);
  } finally {
    await client.end();
  }
}

async function dropPrefixedDatabases() {
  const names = await prefixedDatabases();
  const client = postgresClient();
  await client.connect();
  try {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

describeWithPostgres('the production configuration', () => {
  let backend: BackendProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    if (missing.length > 0) {
      throw new Error(
        `PostgreSQL is required when CI is set: ${missing.join(', ')} unset`,
      );
    }
    backend = await startBackendProcess({
      entry: 'src/index.ts',
      configPaths: [
        path.join(repoRoot, 'app-config.yaml'),
        path.join(repoRoot, 'app-config.production.yaml'),
      ],
      env: url => ({
        NODE_ENV: 'production',
        APP_BASE_URL: url,
        BACKEND_BASE_URL: url,
        APP_CONFIG_backend_database_prefix: databasePrefix,
        APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
          {
            type: 'static',
            options: { token: serviceToken, subject: 'production-test' },
          },
        ]),
      }),
      readyTimeoutMs: 240_000,
    });
    baseUrl = backend.baseUrl;
  }, 300_000);

  afterAll(async () => {
    await backend?.stop();
    if (missing.length === 0) {
      await dropPrefixedDatabases();
    }
  }, 60_000);

  it('starts every plugin and reports ready', async () => {
    const response = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });

    // Log lines are JSON in production; an app that is not built is the
    // one error allowed, as tests run before the frontend build.
    const errors = (backend?.output() ?? '')
      .split('\n')
      .filter(line => line.includes('"level":"error"'))
      .filter(line => !line.includes("Can't serve static app content"));
    expect(errors).toEqual([]);
  });

  it.each(['guest', 'platform-guest', 'contractor-guest'])(
    'refuses the %s sign-in: the provider is not installed',
    async provider => {
      const response = await fetch(`${baseUrl}/api/auth/${provider}/refresh`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      expect(response.status).toBe(404);
      expect((await response.json()).error.message).toBe(
        `Unknown auth provider '${provider}'`,
      );
    },
  );

  it('keeps every plugin’s data in its own PostgreSQL database', async () => {
    const databases = await prefixedDatabases();
    expect(databases).toEqual(
      expect.arrayContaining([
        `${databasePrefix}auth`,
        `${databasePrefix}catalog`,
        `${databasePrefix}scaffolder`,
      ]),
    );
  });

  it('has no sandbox cluster and no demo catalog', async () => {
    const headers = { Authorization: `Bearer ${serviceToken}` };

    const clusters = await fetch(`${baseUrl}/api/kubernetes/clusters`, {
      headers,
    });
    expect(clusters.status).toBe(200);
    expect(await clusters.json()).toEqual({ items: [] });

    const entities = await fetch(`${baseUrl}/api/catalog/entities`, {
      headers,
    });
    expect(entities.status).toBe(200);
    expect(await entities.json()).toEqual([]);
  });

  it('asks for a signed-in user before answering', async () => {
    const response = await fetch(`${baseUrl}/api/catalog/entities`);
    expect(response.status).toBe(401);
  });
});
