import { mockServices } from '@backstage/backend-test-utils';
import {
  BackstageCredentials,
  CacheService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FleetTelemetryResponse,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { createFleetTelemetry } from './createFleetTelemetry';
import {
  FLEET_TELEMETRY_TASK_ID,
  FleetTelemetryConfig,
  FleetTelemetryService,
  readFleetTelemetryConfig,
} from './FleetTelemetryService';

const config: FleetTelemetryConfig = {
  enabled: true,
  frequency: { minutes: 15 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 30 },
  concurrency: 4,
};

/** A cache as the cache service behaves, in a map. */
function mapCache() {
  const entries = new Map<string, unknown>();
  const cache = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: unknown) => {
      entries.set(key, value);
    },
    delete: async (key: string) => {
      entries.delete(key);
    },
    withOptions: () => cache,
  } as unknown as CacheService;
  return cache;
}

/** A scheduler that records the task, to run it by hand. */
function recordingScheduler() {
  const tasks: SchedulerServiceTaskInvocationDefinition[] = [];
  const scheduler = {
    scheduleTask: jest.fn(async (task: any) => {
      tasks.push(task);
    }),
    triggerTask: jest.fn(async () => {}),
  };
  return {
    scheduler: scheduler as unknown as SchedulerService,
    mock: scheduler,
    tasks,
  };
}

const audit: FleetTelemetryResponse = {
  auditedAt: '2026-03-02T12:00:00.000Z',
  rows: [
    {
      owner: { entityRef: 'component:default/checkout-api', title: 'Checkout' },
      metrics: 'ok',
      logs: 'ok',
    },
  ],
  sources: [],
};

const flush = () => new Promise(resolve => setImmediate(resolve));

describe('FleetTelemetryService', () => {
  function setup(overrides: Partial<FleetTelemetryConfig> = {}) {
    const { scheduler, mock } = recordingScheduler();
    let now = 0;
    const sweep = jest.fn(async () => audit);
    const service = new FleetTelemetryService({
      config: { ...config, ...overrides },
      scheduler,
      cache: mapCache(),
      logger: mockServices.logger.mock(),
      sweep,
      now: () => now,
    });
    return {
      service,
      scheduler: mock,
      sweep,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('schedules one global task at the configured frequency', async () => {
    const { service, scheduler } = setup();
    await service.start();
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: FLEET_TELEMETRY_TASK_ID,
        scope: 'global',
        frequency: { minutes: 15 },
        timeout: { minutes: 10 },
        initialDelay: { seconds: 30 },
      }),
    );
  });

  it('answers pending and asks for an audit (at most every 30 s) until one ran', async () => {
    const { service, scheduler, advance } = setup();
    expect(await service.telemetry()).toEqual({
      rows: [],
      sources: [],
      pending: true,
    });
    await service.telemetry();
    await flush();
    expect(scheduler.triggerTask).toHaveBeenCalledTimes(1);
    expect(scheduler.triggerTask).toHaveBeenCalledWith(FLEET_TELEMETRY_TASK_ID);
    advance(30_000);
    await service.telemetry();
    await flush();
    expect(scheduler.triggerTask).toHaveBeenCalledTimes(2);

    await service.run(new AbortController().signal);
    expect(await service.telemetry()).toEqual(audit);
    await flush();
    expect(scheduler.triggerTask).toHaveBeenCalledTimes(2);
  });

  it('keeps the last audit when one fails', async () => {
    const { service, sweep } = setup();
    await service.run(new AbortController().signal);
    sweep.mockRejectedValueOnce(new Error('catalog unavailable'));
    await service.run(new AbortController().signal);
    expect(await service.telemetry()).toEqual(audit);
  });

  it('neither schedules nor answers when turned off', async () => {
    const { service, scheduler } = setup({ enabled: false });
    await service.start();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
    await expect(service.telemetry()).rejects.toThrow(
      /observabilityIr\.fleet\.telemetry\.enabled/,
    );
  });
});

describe('readFleetTelemetryConfig', () => {
  it('defaults to every 15 minutes, 4 entities at a time', () => {
    expect(readFleetTelemetryConfig(new ConfigReader({}))).toEqual(config);
  });

  it('reads observabilityIr.fleet.telemetry and follows fleet.enabled', () => {
    expect(
      readFleetTelemetryConfig(
        new ConfigReader({
          observabilityIr: {
            fleet: {
              telemetry: {
                frequency: '1h',
                timeout: { minutes: 20 },
                initialDelay: '1m',
                concurrency: 2,
              },
            },
          },
        }),
      ),
    ).toEqual({
      enabled: true,
      frequency: { hours: 1 },
      timeout: { minutes: 20 },
      initialDelay: { minutes: 1 },
      concurrency: 2,
    });
    expect(
      readFleetTelemetryConfig(
        new ConfigReader({ observabilityIr: { fleet: { enabled: false } } }),
      ).enabled,
    ).toBe(false);
  });

  it('refuses a concurrency outside 1 to 16', () => {
    expect(() =>
      readFleetTelemetryConfig(
        new ConfigReader({
          observabilityIr: { fleet: { telemetry: { concurrency: 0 } } },
        }),
      ),
    ).toThrow(
      'observabilityIr.fleet.telemetry.concurrency must be a whole number from 1 to 16, got 0',
    );
  });
});

describe('createFleetTelemetry', () => {
  function component(name: string, annotations?: Record<string, string>) {
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        ...(annotations ? { annotations } : {}),
      },
      spec: { type: 'service', owner: 'team-a' },
    };
  }

  it("audits the Components with Kubernetes annotations with the plugin's credentials, 4 at a time, a failure as a row", async () => {
    const entities = [
      ...Array.from({ length: 9 }, (_, i) =>
        component(`svc-${i}`, { 'backstage.io/kubernetes-id': `svc-${i}` }),
      ),
      component('by-selector', {
        'backstage.io/kubernetes-label-selector': 'app=x',
      }),
      component('no-kubernetes'),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'a-database',
          namespace: 'default',
          annotations: { 'backstage.io/kubernetes-id': 'db' },
        },
        spec: { type: 'database' },
      },
    ];
    const { scheduler, tasks } = recordingScheduler();
    const callers: BackstageCredentials[] = [];
    let inFlight = 0;
    let most = 0;
    const telemetry = {
      getTelemetry: jest.fn(
        async (
          entityRef: string,
          options: { credentials: BackstageCredentials },
        ): Promise<TelemetryResponse> => {
          callers.push(options.credentials);
          inFlight += 1;
          most = Math.max(most, inFlight);
          await new Promise(resolve => setTimeout(resolve, 5));
          inFlight -= 1;
          if (entityRef.endsWith('svc-3')) {
            throw new Error('Prometheus of cluster a answered 503');
          }
          return { entityRef, metrics: [], logs: [], sources: [] };
        },
      ),
    };
    const service = await createFleetTelemetry({
      config: mockServices.rootConfig({ data: {} }),
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      scheduler,
      cache: mapCache(),
      logger: mockServices.logger.mock(),
      telemetry,
    });
    expect(tasks.map(t => t.id)).toEqual([FLEET_TELEMETRY_TASK_ID]);
    await tasks[0].fn(new AbortController().signal);

    const result = await service.telemetry();
    expect(result.pending).toBeUndefined();
    expect(result.rows.map(r => r.owner.entityRef)).toEqual([
      'component:default/by-selector',
      ...Array.from({ length: 9 }, (_, i) => `component:default/svc-${i}`),
    ]);
    expect(most).toBe(4);
    expect(
      callers.every(c => (c.principal as { type?: string }).type === 'service'),
    ).toBe(true);
    expect(
      result.rows.find(r => r.owner.entityRef === 'component:default/svc-3'),
    ).toEqual({
      owner: {
        entityRef: 'component:default/svc-3',
        title: 'svc-3',
        ownerRef: 'group:default/team-a',
      },
      metrics: 'unknown',
      logs: 'unknown',
      problem:
        'The audit of component:default/svc-3 failed: Prometheus of cluster a answered 503',
    });
  });

  it('keeps the last audit when the scheduler aborts a run', async () => {
    const { scheduler, tasks } = recordingScheduler();
    const abort = new AbortController();
    const telemetry = {
      getTelemetry: jest.fn(async (entityRef: string) => {
        abort.abort();
        return { entityRef, metrics: [], logs: [], sources: [] };
      }),
    };
    const service = await createFleetTelemetry({
      config: mockServices.rootConfig({ data: {} }),
      catalog: catalogServiceMock({
        entities: [
          component('a', { 'backstage.io/kubernetes-id': 'a' }),
          component('b', { 'backstage.io/kubernetes-id': 'b' }),
        ],
      }),
      auth: mockServices.auth(),
      scheduler,
      cache: mapCache(),
      logger: mockServices.logger.mock(),
      telemetry,
    });
    await tasks[0].fn(abort.signal);
    expect((await service.telemetry()).pending).toBe(true);
  });
});
