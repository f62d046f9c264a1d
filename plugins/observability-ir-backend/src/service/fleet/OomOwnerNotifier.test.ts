import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import {
  SilentOutageFinding,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { Knex } from 'knex';
import {
  StoreTestDatabase,
  storeTestDatabases,
} from '../../__testUtils__/testDatabases';
import { FleetService } from './FleetService';
import { OomOwnerNotifier, oomNotificationsEnabled } from './OomOwnerNotifier';

jest.setTimeout(60_000);

const testDatabases = storeTestDatabases();
const databases = TestDatabases.create({
  ids: testDatabases.filter(d => !d.missing).map(d => d.id),
});

const checkoutOwner = {
  entityRef: 'component:default/checkout-api',
  title: 'checkout-api',
  ownerRef: 'group:default/finance-team',
};

/** A container the sweep found killed, as the lab's checkout-api pods. */
function oomKilled(
  pod: string,
  lastKilledAt: string,
  overrides: Partial<SilentOutageFinding> = {},
): SilentOutageFinding {
  return {
    cluster: 'sandbox',
    namespace: 'production',
    pod,
    container: 'checkout-api',
    reason: 'OOMKilled',
    exitCode: 137,
    restartsInRange: 2,
    restartCount: 4,
    lastKilledAt,
    memoryLimitBytes: 256 * 1024 * 1024,
    source: 'kubernetes',
    owner: checkoutOwner,
    ...overrides,
  };
}

function sweep(
  findings: SilentOutageFinding[],
  overrides: Partial<SilentOutagesResponse> = {},
): SilentOutagesResponse {
  return {
    sweptAt: '2026-12-02T12:00:00.000Z',
    range: '1h',
    podsScanned: 12,
    findings,
    nearOom: [],
    nearOomShare: 0.9,
    topRestarters: [],
    sources: [{ cluster: 'sandbox', source: 'kubernetes', status: 'ok' }],
    ...overrides,
  };
}

/** The lab: both checkout-api replicas OOMKilled within the hour. */
const labFindings = [
  oomKilled('checkout-api-v1-abc', '2026-12-02T11:40:00.000Z'),
  oomKilled('checkout-api-v1-xyz', '2026-12-02T11:52:00.000Z'),
];

function recordingNotifications() {
  const sent: NotificationSendOptions[] = [];
  const notifications: NotificationService = {
    send: jest.fn(async (options: NotificationSendOptions) => {
      sent.push(options);
    }),
  };
  return { sent, notifications };
}

describe('oomNotificationsEnabled', () => {
  it('is on unless observabilityIr.fleet.notifications.enabled is false', () => {
    expect(oomNotificationsEnabled(new ConfigReader({}))).toBe(true);
    expect(
      oomNotificationsEnabled(
        new ConfigReader({
          observabilityIr: { fleet: { notifications: { enabled: false } } },
        }),
      ),
    ).toBe(false);
  });
});

describe('FleetService with OOM notifications', () => {
  const fleetConfig = {
    enabled: true,
    frequency: { minutes: 5 },
    timeout: { minutes: 4 },
    initialDelay: { seconds: 15 },
    nearOomShare: 0.9,
    pageSize: 500,
  };

  it("hands the 1h result to what follows the sweep, and a failure there keeps the sweep's result", async () => {
    const afterSweep = jest.fn(async () => {
      throw new Error('notifications backend down');
    });
    const cache = mockServices.cache.mock();
    const logger = mockServices.logger.mock();
    const fleet = new FleetService({
      config: fleetConfig,
      scheduler: mockServices.scheduler.mock(),
      cache,
      logger,
      sweep: async () => ({ '1h': sweep(labFindings) } as any),
      afterSweep,
    });

    await fleet.run(new AbortController().signal);

    expect(afterSweep).toHaveBeenCalledWith({ '1h': sweep(labFindings) });
    expect(cache.set).toHaveBeenCalledWith(
      'fleet/silent-outages/v1/1h',
      sweep(labFindings),
      expect.anything(),
    );
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('notifications backend down'),
    );
  });
});

describe.each(testDatabases)('OomOwnerNotifier on $name', database => {
  const { id, missing } = database as StoreTestDatabase;

  async function connect(): Promise<DatabaseService> {
    if (missing) {
      throw new Error(`${missing}; CI requires it (see .ci/run)`);
    }
    const knex: Knex = await databases.init(id);
    return { getClient: async () => knex };
  }

  async function notifier(db: DatabaseService, now = '2026-12-02T12:00:00Z') {
    const { sent, notifications } = recordingNotifications();
    const created = await OomOwnerNotifier.create({
      database: db,
      notifications,
      logger: mockServices.logger.mock(),
      now: () => new Date(now),
    });
    return { notifier: created, sent, notifications };
  }

  it("notifies the owning group once for the lab's two OOMKilled checkout-api pods", async () => {
    const db = await connect();
    const { notifier: n, sent } = await notifier(db);

    await n.notify(sweep(labFindings));

    expect(sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: 'group:default/finance-team',
        },
        payload: expect.objectContaining({
          title: 'checkout-api was OOMKilled',
          link: '/catalog/default/component/checkout-api/incident',
          severity: 'high',
          topic: 'observability-ir',
          scope: 'observability-ir:oom:component:default/checkout-api',
        }),
      },
    ]);
    expect(sent[0].payload.description).toContain('2 containers');
    expect(sent[0].payload.description).toContain('2026-12-02T11:52:00.000Z');
    expect(sent[0].payload.description).toContain(
      'production/checkout-api-v1-abc/checkout-api',
    );
  });

  it('sends nothing on the next sweep with the same kills, nor after a restart', async () => {
    const db = await connect();
    const first = await notifier(db);
    await first.notifier.notify(sweep(labFindings));
    expect(first.sent).toHaveLength(1);

    await first.notifier.notify(sweep(labFindings));
    expect(first.sent).toHaveLength(1);

    // Another backend start on the same database.
    const restarted = await notifier(db, '2026-12-02T12:05:00Z');
    await restarted.notifier.notify(sweep(labFindings));
    expect(restarted.sent).toEqual([]);
  });

  it('treats further kills before the entity recovers as the same incident', async () => {
    const db = await connect();
    const { notifier: n, sent } = await notifier(db);
    await n.notify(sweep(labFindings));

    await n.notify(
      sweep([
        ...labFindings,
        oomKilled('checkout-api-v1-abc', '2026-12-02T12:03:00.000Z'),
      ]),
    );

    expect(sent).toHaveLength(1);
  });

  it('notifies again for a kill after a sweep found the entity recovered', async () => {
    const db = await connect();
    const { notifier: n, sent } = await notifier(db);
    await n.notify(sweep(labFindings));

    // The next sweep's range holds no kill of checkout-api.
    await n.notify(sweep([], { sweptAt: '2026-12-02T13:00:00.000Z' }));
    expect(sent).toHaveLength(1);

    await n.notify(
      sweep([oomKilled('checkout-api-v1-abc', '2026-12-02T13:20:00.000Z')], {
        sweptAt: '2026-12-02T13:30:00.000Z',
      }),
    );
    expect(sent).toHaveLength(2);
    expect(sent[1].payload.scope).toBe(sent[0].payload.scope);
    expect(sent[1].payload.description).toContain('1 container OOMKilled');
  });

  it('keeps the incident open when a source failed and the kills went unseen', async () => {
    const db = await connect();
    const { notifier: n, sent } = await notifier(db);
    await n.notify(sweep(labFindings));

    await n.notify(
      sweep([], {
        sources: [
          {
            cluster: 'sandbox',
            source: 'kubernetes',
            status: 'error',
            error: 'Kubernetes API: connection refused',
          },
        ],
      }),
    );
    await n.notify(
      sweep([oomKilled('checkout-api-v1-abc', '2026-12-02T12:30:00.000Z')]),
    );

    expect(sent).toHaveLength(1);
  });

  it('never notifies for unowned pods, entities without an owner, or other exits', async () => {
    const db = await connect();
    const { notifier: n, sent } = await notifier(db);

    await n.notify(
      sweep([
        oomKilled('batch-job-1', '2026-12-02T11:50:00.000Z', {
          owner: undefined,
        }),
        oomKilled('orphan-api-1', '2026-12-02T11:50:00.000Z', {
          owner: { entityRef: 'component:default/orphan-api', title: 'x' },
        }),
        oomKilled('auth-service-1', '2026-12-02T11:50:00.000Z', {
          reason: 'Error',
          exitCode: 1,
          owner: {
            entityRef: 'component:default/auth-service',
            title: 'auth-service',
            ownerRef: 'group:default/identity-team',
          },
        }),
      ]),
    );

    expect(sent).toEqual([]);
  });

  it('tries again on the next sweep when sending failed', async () => {
    const db = await connect();
    const { notifier: n, notifications, sent } = await notifier(db);
    (notifications.send as jest.Mock).mockRejectedValueOnce(
      new Error('notifications backend unavailable'),
    );

    await n.notify(sweep(labFindings));
    await n.notify(sweep(labFindings));

    expect(notifications.send).toHaveBeenCalledTimes(2);
    expect(sent).toHaveLength(1);
  });
});
