import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { BackendProcess, startBackendProcess } from './testing/backendProcess';

/*
 * Two replicas of the portal's backend, as a deployment with two pods runs
 * them: two processes with the same configuration on different ports, one
 * PostgreSQL database between them (created for this run and dropped after
 * it), and the sandbox cluster behind both.
 */

// pg ships without type declarations; these are the calls used here.
interface PgClient {
  connect(): Promise<void>;
  query<Row>(sql: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
}
const { Client } = require('pg') as {
  Client: new (config: object) => PgClient;
};

jest.setTimeout(120_000);

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
    `Skipping the replicas test: it needs PostgreSQL, and ${missing.join(
      ', ',
    )} are unset.`,
  );
}
const describeWithPostgres =
  missing.length === 0 || ci ? describe : describe.skip;

const repoRoot = path.resolve(__dirname, '../../..');
const databaseName = `replicas_${randomBytes(6).toString('hex')}`;
const serviceToken = randomBytes(24).toString('hex');
const entityRef = 'component:default/checkout-api';
const FORENSICS_NAMESPACE = 'observability-ir-forensics';
const IMAGE = `ghcr.io/observability-ir/node-forensics:0.1.0@sha256:${'4f2b8c1d'.repeat(
  8,
)}`;
const SWEEP_SECONDS = 4;

function postgresClient(database = 'postgres'): PgClient {
  return new Client({
    host: process.env.POSTGRES_HOST,
    port: Number(process.env.POSTGRES_PORT),
    user: process.env.POSTGRES_USER,
    password: process.env.POSTGRES_PASSWORD,
    database,
  });
}

async function onPostgres(sql: string) {
  const client = postgresClient();
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Asks `read` until `done` holds for what it answers, or the time is up. */
async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  pauseMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(pauseMs);
    value = await read();
  }
  return value;
}

/** A log line of a replica: when, and what. */
interface LogLine {
  atMs: number;
  text: string;
}

function logLines(backend: BackendProcess): LogLine[] {
  return (
    backend
      .output()
      // Colours, which the development log format adds.
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
      .split('\n')
      .flatMap(line => {
        const match = line.match(/^(\d{4}-\d\d-\d\dT[\d:.]+Z)\s+(.*)$/);
        return match ? [{ atMs: Date.parse(match[1]), text: match[2] }] : [];
      })
  );
}

describeWithPostgres('two backend replicas on one PostgreSQL', () => {
  let sandbox: Sandbox;
  let configDir = '';
  const replicas: BackendProcess[] = [];
  /** The Jobs the sandbox was asked to create, by name, in order. */
  const createdJobs: string[] = [];
  const tokens = { guest: '', platform: '' };

  const [a, b] = [0, 1].map(i => () => replicas[i]);

  function call(
    replica: BackendProcess,
    route: string,
    init: { method?: string; body?: unknown; as?: 'guest' | 'platform' } = {},
  ) {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${tokens[init.as ?? 'guest']}`,
    };
    if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    return fetch(`${replica.baseUrl}/api/observability-ir${route}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  }

  async function json(replica: BackendProcess, route: string) {
    const response = await call(replica, route);
    if (response.status !== 200) {
      throw new Error(`${route}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  }

  const runbook = (replica: BackendProcess) =>
    json(replica, `/v1/runbook?entityRef=${encodeURIComponent(entityRef)}`);

  async function signIn(provider: string) {
    const response = await fetch(
      `${a().baseUrl}/api/auth/${provider}/refresh`,
      { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
    );
    if (response.status !== 200) {
      throw new Error(`Sign-in through ${provider}: ${await response.text()}`);
    }
    return (await response.json()).backstageIdentity.token as string;
  }

  /** Waits until the catalog has related the demo's users and services. */
  async function waitForCatalog(deadline: number) {
    const related = async (ref: string, relation: string) => {
      const [kind, namespace, name] = ref.split(/[:/]/);
      const response = await fetch(
        `${
          a().baseUrl
        }/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
        { headers: { Authorization: `Bearer ${serviceToken}` } },
      );
      if (response.status !== 200) return false;
      const { relations = [] } = await response.json();
      return relations.some((r: { type: string }) => r.type === relation);
    };
    while (Date.now() < deadline) {
      const ready = await Promise.all([
        related('user:default/guest', 'memberOf'),
        related('user:default/platform-guest', 'memberOf'),
        related(entityRef, 'ownedBy'),
      ]);
      if (ready.every(Boolean)) return;
      await sleep(500);
    }
    throw new Error('The catalog did not process the demo entities in time');
  }

  /** The lab's checkout-api pods that run on a node now. */
  async function runningPods(): Promise<string[]> {
    const response = await fetch(
      `${sandbox.clusters[0].kubernetesUrl}/api/v1/namespaces/finance/pods?labelSelector=backstage.io/kubernetes-id%3Dcheckout-api`,
      { headers: { Authorization: `Bearer ${sandbox.token}` } },
    );
    const { items } = await response.json();
    return items
      .filter(
        (p: any) =>
          p.status?.phase === 'Running' &&
          p.spec?.nodeName &&
          !p.metadata?.deletionTimestamp,
      )
      .map((p: any) => p.metadata.name);
  }

  const forensicsRequest = (pod: string) => ({
    entityRef,
    cluster: 'sandbox',
    namespace: 'finance',
    pod,
    container: 'checkout-api',
  });

  const readRun = (replica: BackendProcess, id: string) =>
    json(replica, `/v1/forensics/${id}`);

  beforeAll(async () => {
    if (missing.length > 0) {
      throw new Error(
        `PostgreSQL is required when CI is set: ${missing.join(', ')} unset`,
      );
    }
    await onPostgres(`CREATE DATABASE "${databaseName}"`);

    // The Job's pod starts 6 s after it is created: long enough to stop a
    // replica while it follows the run.
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 1,
      kubeconfigPath: false,
      jobStartDelayMs: 6_000,
    });
    const jobs = sandbox.world.clusters[0].jobs;
    const create = jobs.create.bind(jobs);
    jobs.create = (namespace, body) => {
      const job = create(namespace, body);
      createdJobs.push(job.metadata.name);
      return job;
    };

    const cluster = sandbox.clusters[0];
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'replicas-test-'));
    const overrides = path.join(configDir, 'app-config.replicas.yaml');
    fs.writeFileSync(
      overrides,
      JSON.stringify({
        backend: {
          database: {
            client: 'pg',
            pluginDivisionMode: 'schema',
            connection: {
              host: process.env.POSTGRES_HOST,
              port: Number(process.env.POSTGRES_PORT),
              user: process.env.POSTGRES_USER,
              password: process.env.POSTGRES_PASSWORD,
              database: databaseName,
            },
          },
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: serviceToken, subject: 'replicas-test' },
              },
            ],
          },
        },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'sandbox',
                  url: cluster.kubernetesUrl,
                  authProvider: 'serviceAccount',
                  serviceAccountToken: sandbox.token,
                  skipTLSVerify: true,
                  skipMetricsLookup: true,
                },
              ],
            },
          ],
        },
        observabilityIr: {
          clusters: [
            {
              name: 'sandbox',
              prometheus: { url: cluster.prometheusUrl },
              loki: { url: cluster.lokiUrl },
              alertmanager: { url: cluster.alertmanagerUrl },
            },
          ],
          // Every look at the runbook reads the cluster afresh.
          cacheTtl: { milliseconds: 0 },
          runbook: { verify: { window: '2s' } },
          fixes: { maxMemoryLimit: '4Gi' },
          forensics: {
            enabled: true,
            image: IMAGE,
            activeDeadlineSeconds: 120,
          },
          fleet: {
            sweep: {
              frequency: { seconds: SWEEP_SECONDS },
              initialDelay: { seconds: 1 },
              timeout: { seconds: 30 },
            },
          },
        },
      }),
    );

    // One after the other, as a rolling deployment starts them: the first
    // creates the tables, the second finds them.
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startBackendProcess({
          entry: 'src/index.ts',
          configPaths: [path.join(repoRoot, 'app-config.yaml'), overrides],
          env: url => ({
            NODE_ENV: 'development',
            APP_CONFIG_app_baseUrl: url,
            APP_CONFIG_backend_baseUrl: url,
            APP_CONFIG_backend_cors_origin: url,
          }),
          readyTimeoutMs: 240_000,
        }),
      );
    }
    await waitForCatalog(Date.now() + 90_000);
    tokens.guest = await signIn('guest');
    tokens.platform = await signIn('platform-guest');
  }, 600_000);

  afterAll(async () => {
    await Promise.all(replicas.map(replica => replica.stop()));
    await sandbox?.close();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
    if (missing.length === 0) {
      await onPostgres(
        `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`,
      );
    }
  }, 90_000);

  it('accepts a sign-in of one replica on the other', async () => {
    const response = await call(b(), `/v1/forensics?entityRef=${entityRef}`);
    expect(response.status).toBe(200);
  });

  it('creates one Job for a forensics request sent to both replicas at once', async () => {
    const request = forensicsRequest('checkout-api-v1-abc');
    const before = createdJobs.length;
    const answers = await Promise.all(
      [a(), b()].map(async replica => {
        const response = await call(replica, '/v1/forensics', {
          method: 'POST',
          body: request,
        });
        return { status: response.status, run: await response.json() };
      }),
    );

    // One replica started the run (202), the other answered it (200).
    expect(answers.map(answer => answer.status).sort()).toEqual([200, 202]);
    expect(answers[0].run.id).toBe(answers[1].run.id);
    expect(createdJobs.slice(before)).toHaveLength(1);

    // Either replica reads it to its verdict.
    const done = await eventually(
      () => readRun(b(), answers[0].run.id),
      run => run.status === 'succeeded' || run.status === 'failed',
      60_000,
    );
    expect(done.status).toBe('succeeded');
    expect(done.report?.verdict).toBeDefined();
    const listed = await json(a(), `/v1/forensics?entityRef=${entityRef}`);
    expect(
      listed.runs.filter((run: { pod: string }) => run.pod === request.pod),
    ).toHaveLength(1);
    expect(createdJobs.slice(before)).toHaveLength(1);
  });

  it('sweeps the fleet on one replica at a time, and both answer its result', async () => {
    // Several sweep periods.
    const windowStart = Date.now();
    await sleep(5 * SWEEP_SECONDS * 1000);
    const windowEnd = Date.now();

    // A sweep logs when it ends and how long it took.
    const sweeps = replicas.flatMap((replica, index) =>
      logLines(replica).flatMap(({ atMs, text }) => {
        const match = text.match(/Fleet sweep: .* in (\d+) ms/);
        return match
          ? [{ replica: index, start: atMs - Number(match[1]), end: atMs }]
          : [];
      }),
    );
    const inWindow = sweeps.filter(
      sweep => sweep.end >= windowStart && sweep.end <= windowEnd,
    );
    // Both replicas each sweeping on their own would run about twice
    // as many as the periods.
    expect(inWindow.length).toBeGreaterThanOrEqual(2);
    expect(inWindow.length).toBeLessThanOrEqual(
      Math.ceil((windowEnd - windowStart) / (SWEEP_SECONDS * 1000)) + 1,
    );
    // No two sweeps ever ran at the same time.
    const ordered = [...sweeps].sort((x, y) => x.start - y.start);
    for (let i = 1; i < ordered.length; i++) {
      expect(ordered[i].start).toBeGreaterThanOrEqual(ordered[i - 1].end - 5);
    }

    // Whichever replica swept, both answer the last sweep's result (read
    // again when a sweep ended between the two reads).
    const silentOutages = async (replica: BackendProcess) => {
      const response = await call(
        replica,
        '/v1/fleet/silent-outages?range=1h',
        { as: 'platform' },
      );
      expect(response.status).toBe(200);
      return response.json();
    };
    const answers = await eventually(
      () => Promise.all([silentOutages(a()), silentOutages(b())]),
      ([fromA, fromB]) => fromA.sweptAt === fromB.sweptAt,
      10_000,
      200,
    );
    for (const answer of answers) {
      expect(answer.pending).toBeFalsy();
      expect(answer.podsScanned).toBeGreaterThan(0);
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('shows an incident opened through one replica on the other, which closes it', async () => {
    // Looking at the runbook through A opens the incident.
    const opened = await runbook(a());
    expect(opened.incident).toMatchObject({
      status: 'open',
      hypothesis: 'memory-limit-too-low',
    });

    // B shows the same incident, and does not open another.
    const seen = await runbook(b());
    expect(seen.incident.id).toBe(opened.incident.id);

    // The fix through B; the new pods roll out and hold.
    const proposed = seen.steps.find((s: { id: string }) => s.id === 'fix')
      .memoryLimitFix.proposedLimit;
    const fix = await call(b(), '/v1/fixes/memory-limit', {
      method: 'POST',
      body: {
        entityRef,
        cluster: 'sandbox',
        namespace: 'finance',
        workloadKind: 'Deployment',
        workloadName: 'checkout-api',
        container: 'checkout-api',
        limit: proposed,
      },
    });
    expect(fix.status).toBe(200);
    sandbox.advance(10 * 60_000);

    const closed = await eventually(
      () => runbook(b()),
      look => look.incident.status !== 'open',
      60_000,
      1_000,
    );
    expect(closed.incident).toMatchObject({
      id: opened.incident.id,
      status: 'resolved',
    });

    // A shows it closed, with what was done through B.
    const fromA = await runbook(a());
    expect(fromA.incident.id).toBe(opened.incident.id);
    expect(fromA.incident.status).toBe('resolved');
    expect(
      fromA.incident.actions.map((action: { kind: string }) => action.kind),
    ).toEqual(expect.arrayContaining(['opened', 'fix-applied', 'closed']));
  });

  it('finishes a forensics run on the other replica when the one following it is killed', async () => {
    // Not the pod of the first run, which a new request would be answered.
    const [pod] = (await runningPods()).filter(
      name => name !== 'checkout-api-v1-abc',
    );
    expect(pod).toBeDefined();
    const before = createdJobs.length;

    const started = await call(a(), '/v1/forensics', {
      method: 'POST',
      body: forensicsRequest(pod),
    });
    expect(started.status).toBe(202);
    const run = await started.json();
    // Killed while the Job's pod has not even started.
    process.kill(a().pid, 'SIGKILL');
    expect(run.status).toBe('pending');

    // B takes the run over once A's lease has run out, and finishes it.
    const done = await eventually(
      () => readRun(b(), run.id),
      read => read.status === 'succeeded' || read.status === 'failed',
      170_000,
      2_000,
    );
    expect(done).toMatchObject({ id: run.id, status: 'succeeded' });
    expect(done.report?.verdict).toBeDefined();
    expect(createdJobs.slice(before)).toHaveLength(1);
    expect(
      logLines(b()).some(({ text }) =>
        text.includes(`Node forensics run ${run.id}: resuming Job`),
      ),
    ).toBe(true);

    // The Job is deleted once its result is stored.
    const jobs = await eventually(
      async () => {
        const response = await fetch(
          `${sandbox.clusters[0].kubernetesUrl}/apis/batch/v1/namespaces/${FORENSICS_NAMESPACE}/jobs`,
          { headers: { Authorization: `Bearer ${sandbox.token}` } },
        );
        return (await response.json()).items as Array<{
          metadata: { name: string };
        }>;
      },
      items => !items.some(job => job.metadata.name === createdJobs[before]),
      10_000,
    );
    expect(jobs.map(job => job.metadata.name)).not.toContain(
      createdJobs[before],
    );
  }, 200_000);
});
