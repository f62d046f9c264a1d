import { mockServices } from '@backstage/backend-test-utils';
import type { V1Job } from '@kubernetes/client-node';
import knexFactory from 'knex';
import {
  FORENSICS_DEFAULTS,
  ForensicsSettings,
} from '../../config/readForensicsConfig';
import { fixture } from './__testUtils__/fixtures';
import type { ForensicsJobClient, WatchOutcome } from './ForensicsJobClient';
import { ForensicsRunChanges } from './ForensicsRunChanges';
import { ForensicsRunner } from './ForensicsRunner';
import { FORENSICS_KEYS } from './jobSpec';
import { createForensicsRunStore, ForensicsRunStore } from './store';

const SETTINGS: ForensicsSettings = {
  ...FORENSICS_DEFAULTS,
  activeDeadlineSeconds: 10,
  image: `registry.example.com/node-forensics@sha256:${'0'.repeat(64)}`,
};

function job(conditions: Array<{ type: string; reason?: string }> = []): V1Job {
  return {
    metadata: {
      name: 'obsir-forensics-0123456789abcdef0123',
      resourceVersion: '1',
      annotations: {
        [FORENSICS_KEYS.expectedPorts]: JSON.stringify([
          { port: 8080, uses: ['container port', 'readiness probe'] },
        ]),
      },
    },
    spec: { selector: { matchLabels: { 'job-name': 'x' } }, template: {} },
    status: {
      conditions: conditions.map(c => ({ ...c, status: 'True' })),
    },
  };
}

/** A cluster whose Job goes through `states`, one per look. */
function fakeClient(
  states: Array<V1Job | undefined>,
  watch: WatchOutcome = { kind: 'timeout' },
) {
  let look = 0;
  const deleted: string[] = [];
  const client = {
    clusterName: 'sandbox',
    readJob: async () => states[Math.min(look++, states.length - 1)],
    listJobPods: async () => [
      {
        metadata: { name: 'pod-1', creationTimestamp: new Date() },
        spec: { nodeName: 'worker-1' },
        status: { phase: 'Running' },
      },
    ],
    readLog: async () => fixture('script-output.ctr-oom.txt'),
    nodeExists: async () => true,
    deleteJob: async (_: string, name: string) => {
      deleted.push(name);
      return true;
    },
    waitForJobChange: async () => watch,
  };
  return { client: client as unknown as ForensicsJobClient, deleted };
}

describe('ForensicsRunner', () => {
  let store: ForensicsRunStore;
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });

  beforeAll(async () => {
    store = await createForensicsRunStore({
      getClient: async () => knex,
    });
  });
  afterAll(() => knex.destroy());

  function runner(now?: () => Date, changes?: ForensicsRunChanges) {
    return new ForensicsRunner({
      store,
      settings: SETTINGS,
      clusters: { client: async () => undefined, all: async () => [] },
      logger: mockServices.logger.mock(),
      instanceId: 'test',
      now,
      changes,
      timing: { pollMinMs: 1, pollMaxMs: 5, maxWaitMs: 5 },
    });
  }

  async function newRun(r: ForensicsRunner) {
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
      lease: r.newLease(),
    });
  }

  it('polls when the watch is not available, then stores the report and deletes the Job', async () => {
    const r = runner();
    const run = await newRun(r);
    const { client, deleted } = fakeClient(
      [job(), job(), job([{ type: 'Complete' }])],
      { kind: 'unavailable', error: new Error('watch refused') },
    );

    r.follow(run, client);
    await r.settled(run.id);

    const done = await store.get(run.id);
    expect(done?.status).toBe('succeeded');
    expect(done?.startedAt).toBeDefined();
    expect(done?.verdict?.kind).toBe('oom-before-ready');
    expect(deleted).toEqual([run.jobName]);
  });

  it('wakes reads waiting on the run at each status it stores', async () => {
    const changes = new ForensicsRunChanges();
    const r = runner(undefined, changes);
    const run = await newRun(r);
    const { client } = fakeClient([job(), job([{ type: 'Complete' }])]);
    const statusWhenWoken = async () => {
      await changes.next(run.id, 10_000);
      return (await store.get(run.id))?.status;
    };

    const running = statusWhenWoken();
    r.follow(run, client);
    expect(await running).toBe('running');
    expect(await statusWhenWoken()).toBe('succeeded');
    await r.settled(run.id);
  });

  it('fails a run Kubernetes stopped at its deadline, saying so', async () => {
    const r = runner();
    const run = await newRun(r);
    const { client, deleted } = fakeClient([
      job([{ type: 'Failed', reason: 'DeadlineExceeded' }]),
    ]);

    r.follow(run, client);
    await r.settled(run.id);

    const done = await store.get(run.id);
    expect(done?.status).toBe('failed');
    expect(done?.reason).toBe(
      'The Job ran longer than its deadline of 10 s (activeDeadlineSeconds) and Kubernetes stopped it',
    );
    expect(deleted).toEqual([run.jobName]);
  });

  it('gives up on a Job that outlives its deadline and the grace after it', async () => {
    const r0 = runner();
    const run = await newRun(r0);
    // 10 s deadline + 30 s grace, then a little more.
    const late = runner(() => new Date(Date.parse(run.createdAt) + 41_000));
    const { client } = fakeClient([job()]);

    late.follow(run, client);
    await late.settled(run.id);

    const done = await store.get(run.id);
    expect(done?.status).toBe('failed');
    expect(done?.reason).toBe(
      'The Job did not finish within its deadline of 10 s (activeDeadlineSeconds) and Kubernetes did not stop it either',
    );
  });
});
