import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  loadScenario,
  Sandbox,
  startSandbox,
} from '@observability-ir/sandbox-cluster';
import {
  DiagnosisResponse,
  ForensicsRun,
} from '@observability-ir/plugin-observability-ir-common';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';
import { FORENSICS_UPKEEP_TASK_ID } from './service/forensics/createForensics';
import { FORENSICS_JOB_LABELS } from './service/forensics/jobSpec';

// Each test starts a sandbox and a backend and waits for Jobs in it.
jest.setTimeout(120_000);

const FORENSICS_NAMESPACE = 'observability-ir-forensics';
const IMAGE = `ghcr.io/observability-ir/node-forensics:0.1.0@sha256:${'4f2b8c1d'.repeat(
  8,
)}`;
const ENTITY_REF = 'component:default/checkout-api';
const TARGET = {
  entityRef: ENTITY_REF,
  cluster: 'sandbox',
  namespace: 'finance',
  pod: 'checkout-api-v1-abc',
  container: 'checkout-api',
};

type TestScheduler = SchedulerService & {
  factory(): ServiceFactory<SchedulerService>;
};

/** The lab's cluster; it holds the namespace the Jobs go to. */
async function startLab(
  options: { now?: number; jobStartDelayMs?: number } = {},
): Promise<Sandbox> {
  const scenario = loadScenario('checkout-oom');
  expect(scenario.clusters[0].namespaces).toContain(FORENSICS_NAMESPACE);
  // Simulated time runs with the wall clock: a Job's pod starts after 2 s
  // and runs the real script for as long as it takes.
  return startSandbox({
    scenario,
    speed: 1,
    kubeconfigPath: false,
    ...options,
  });
}

async function startBackend(
  sandbox: Sandbox,
  options: {
    knex?: Knex;
    forensics?: Record<string, unknown>;
    scheduler?: TestScheduler;
  } = {},
) {
  const config = sandboxConfig(sandbox);
  const backend = await startTestBackend({
    features: [
      observabilityIrPlugin,
      catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          observabilityIr: {
            ...config.observabilityIr,
            forensics: {
              enabled: true,
              image: IMAGE,
              activeDeadlineSeconds: 60,
              ...options.forensics,
            },
          },
        },
      }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      ...(options.scheduler ? [options.scheduler.factory()] : []),
    ],
  });
  return backend;
}

/** The Jobs of the forensics namespace, as the sandbox's API lists them. */
async function jobs(sandbox: Sandbox): Promise<any[]> {
  const response = await fetch(
    `${sandbox.clusters[0].kubernetesUrl}/apis/batch/v1/namespaces/${FORENSICS_NAMESPACE}/jobs`,
    { headers: { Authorization: `Bearer ${sandbox.token}` } },
  );
  expect(response.status).toBe(200);
  return (await response.json()).items;
}

/** A Job in the forensics namespace, as a crashed backend would leave it. */
async function createJob(
  sandbox: Sandbox,
  name: string,
  labels: Record<string, string> = { ...FORENSICS_JOB_LABELS },
): Promise<string> {
  const response = await fetch(
    `${sandbox.clusters[0].kubernetesUrl}/apis/batch/v1/namespaces/${FORENSICS_NAMESPACE}/jobs`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${sandbox.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name, labels },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'node-forensics', image: IMAGE }],
            },
          },
        },
      }),
    },
  );
  expect(response.status).toBe(201);
  return name;
}

async function start(server: any) {
  return request(server)
    .post('/api/observability-ir/v1/forensics')
    .send(TARGET);
}

/** Reads the run until `done` holds, or fails after `timeoutMs`. */
async function waitForRun(
  server: any,
  id: string,
  done: (run: ForensicsRun) => boolean,
  timeoutMs = 60_000,
): Promise<ForensicsRun> {
  const until = Date.now() + timeoutMs;
  let run: ForensicsRun | undefined;
  while (Date.now() < until) {
    const response = await request(server).get(
      `/api/observability-ir/v1/forensics/${id}`,
    );
    expect(response.status).toBe(200);
    run = response.body as ForensicsRun;
    if (done(run)) return run;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not get there: ${JSON.stringify(run)}`);
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise(resolve => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

const finished = (run: ForensicsRun) =>
  run.status === 'succeeded' || run.status === 'failed';

describe('node forensics against the sandbox cluster', () => {
  let sandbox: Sandbox;
  const stops: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    sandbox = await startLab();
  }, 60_000);

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop();
    }
    await sandbox.close();
  }, 60_000);

  async function backend(options: Parameters<typeof startBackend>[1] = {}) {
    const started = await startBackend(sandbox, options);
    stops.push(() => started.stop());
    return started;
  }

  it('dispatches a Job on the pod’s node, follows it, stores the lab verdict and deletes the Job', async () => {
    const { server } = await backend();

    const response = await start(server);
    expect(response.status).toBe(202);
    const run = response.body as ForensicsRun;
    expect(run).toMatchObject({
      status: 'pending',
      entityRef: ENTITY_REF,
      pod: 'checkout-api-v1-abc',
      container: 'checkout-api',
      node: 'worker-1',
    });

    const [job] = await jobs(sandbox);
    const pod = job.spec.template.spec;
    expect(pod.nodeName).toBe('worker-1');
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].image).toBe(IMAGE);
    expect(pod.containers[0].securityContext.capabilities).toEqual({
      drop: ['ALL'],
      add: ['SYS_ADMIN', 'SYS_PTRACE'],
    });
    expect(pod.containers[0].args).toEqual(
      expect.arrayContaining(['--pod-name', 'checkout-api-v1-abc']),
    );
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(60);

    const done = await waitForRun(server, run.id, finished);

    expect(done.status).toBe('succeeded');
    expect(done.startedAt).toBeDefined();
    expect(done.report?.verdict.kind).toBe('oom-before-ready');
    expect(done.report?.verdict.sentence).toMatch(
      /^Nothing listens on 8080 in the pod's network namespace/,
    );
    expect(done.report?.verdict.oomKills).toBeGreaterThan(0);
    expect(done.rawOutput).toContain('=== node-forensics format=');
    expect(
      await waitFor(
        () => jobs(sandbox),
        j => j.length === 0,
      ),
    ).toEqual([]);

    // The history and the diagnosis read it.
    const history = await request(server)
      .get('/api/observability-ir/v1/forensics')
      .query({ entityRef: ENTITY_REF });
    expect(history.body.runs.map((r: ForensicsRun) => r.id)).toEqual([run.id]);
    const diagnosis = await request(server)
      .get('/api/observability-ir/v1/diagnosis')
      .query({ entityRef: ENTITY_REF });
    const top = (diagnosis.body as DiagnosisResponse).hypotheses[0];
    expect(top.id).toBe('memory-limit-too-low');
    expect(top.supporting.map(i => i.source)).toContain('forensics');
  });

  it('creates one Job for two requests at once, and answers both with its run', async () => {
    const { server } = await backend();

    const [first, second] = await Promise.all([start(server), start(server)]);

    expect([first.status, second.status].sort()).toEqual([200, 202]);
    expect(first.body.id).toBe(second.body.id);
    expect(await jobs(sandbox)).toHaveLength(1);

    // And again while it runs: the same run, 200.
    const third = await start(server);
    expect(third.status).toBe(200);
    expect(third.body.id).toBe(first.body.id);
  });

  it('fails a run whose node is gone, naming the node', async () => {
    const { server } = await backend();
    // worker-1 leaves the cluster: the pod still shows it, the Job's pod
    // pinned there never runs.
    const world = sandbox.world.clusters[0];
    world.nodes.splice(
      world.nodes.findIndex(n => n.spec.name === 'worker-1'),
      1,
    );

    const { body: run } = await start(server);
    expect(run.node).toBe('worker-1');

    const done = await waitForRun(server, run.id, finished);
    expect(done.status).toBe('failed');
    expect(done.reason).toBe(
      'The node worker-1 is gone: it was removed from the cluster before the Job finished',
    );
  });

  it('fails a run whose Job outlives its deadline, saying so', async () => {
    // A node that takes 30 s to pull the image: the Job's pod is still
    // Pending when its 10 s deadline passes.
    await sandbox.close();
    sandbox = await startLab({ jobStartDelayMs: 30_000 });
    const { server } = await backend({
      forensics: { activeDeadlineSeconds: 10 },
    });

    const { body: run } = await start(server);
    const done = await waitForRun(server, run.id, finished, 45_000);

    expect(done.status).toBe('failed');
    expect(done.reason).toBe(
      'The Job ran longer than its deadline of 10 s (activeDeadlineSeconds) and Kubernetes stopped it',
    );
    expect(done.report).toBeUndefined();
    expect(
      await waitFor(
        () => jobs(sandbox),
        j => j.length === 0,
      ),
    ).toEqual([]);
  });

  it('finishes a run after the backend that started it restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsir-forensics-'));
    const filename = path.join(dir, 'backend.sqlite');
    const connect = () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename },
        useNullAsDefault: true,
      });
    const firstKnex = connect();
    const first = await startBackend(sandbox, { knex: firstKnex });
    const { body: run } = await start(first.server);
    expect(run.status).toBe('pending');
    await first.stop();
    await firstKnex.destroy();

    // Meanwhile the Job runs to its end.
    await waitFor(
      () => jobs(sandbox),
      ([job]) => job?.status?.succeeded === 1,
    );

    const secondKnex = connect();
    const scheduler = mockServices.scheduler() as TestScheduler;
    const second = await backend({ knex: secondKnex, scheduler });
    stops.push(async () => {
      await secondKnex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    // The upkeep task ran at start-up and took the run over.
    const done = await waitForRun(second.server, run.id, finished);
    expect(done.status).toBe('succeeded');
    expect(
      await waitFor(
        () => jobs(sandbox),
        j => j.length === 0,
      ),
    ).toEqual([]);
    await scheduler.triggerTask(FORENSICS_UPKEEP_TASK_ID);
  });

  it('deletes leftover forensics Jobs older than the deadline and the time to live', async () => {
    // The sandbox's clock two minutes behind the backend's: Jobs created
    // now look two minutes old.
    await sandbox.close();
    sandbox = await startLab({ now: Date.now() - 120_000 });
    const scheduler = mockServices.scheduler() as TestScheduler;
    await backend({
      scheduler,
      forensics: { activeDeadlineSeconds: 10, ttlSecondsAfterFinished: 60 },
    });
    // Left by a backend that crashed before it recorded a run.
    await createJob(sandbox, 'obsir-forensics-leftover');
    sandbox.advance(115_000);
    await createJob(sandbox, 'obsir-forensics-recent');
    const unlabelled = await createJob(sandbox, 'someone-elses-job', {});

    await scheduler.triggerTask(FORENSICS_UPKEEP_TASK_ID);

    expect((await jobs(sandbox)).map(j => j.metadata.name).sort()).toEqual([
      'obsir-forensics-recent',
      unlabelled,
    ]);
  });
});
