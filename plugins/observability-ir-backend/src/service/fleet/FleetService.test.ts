import { mockServices } from '@backstage/backend-test-utils';
import { CacheService, SchedulerService } from '@backstage/backend-plugin-api';
import {
  RangePreset,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { FLEET_SWEEP_TASK_ID, FleetService } from './FleetService';
import { FleetConfig } from './readFleetConfig';

const config: FleetConfig = {
  enabled: true,
  frequency: { minutes: 5 },
  timeout: { minutes: 4 },
  initialDelay: { seconds: 15 },
  nearOomShare: 0.9,
  pageSize: 500,
};

/** A cache as the cache service behaves, in a map, recording each TTL. */
function mapCache() {
  const entries = new Map<string, unknown>();
  const ttls: number[] = [];
  const cache = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: unknown, options?: { ttl?: number }) => {
      entries.set(key, value);
      ttls.push(options?.ttl as number);
    },
    delete: async (key: string) => {
      entries.delete(key);
    },
    withOptions: () => cache,
  } as unknown as CacheService;
  return { cache, ttls };
}

function result(range: RangePreset): SilentOutagesResponse {
  return {
    sweptAt: '2026-03-02T12:00:00.000Z',
    range,
    podsScanned: 3,
    findings: [],
    nearOom: [],
    nearOomShare: 0.9,
    topRestarters: [],
    sources: [],
  };
}

function setup(overrides: Partial<FleetConfig> = {}) {
  const scheduler = {
    scheduleTask: jest.fn(async () => {}),
    triggerTask: jest.fn(async () => {}),
  };
  const { cache, ttls } = mapCache();
  let now = 0;
  const sweep = jest.fn(async () => ({
    '1h': result('1h'),
    '24h': result('24h'),
  }));
  const fleet = new FleetService({
    config: { ...config, ...overrides },
    scheduler: scheduler as unknown as SchedulerService,
    cache,
    logger: mockServices.logger.mock(),
    sweep: sweep as any,
    now: () => now,
  });
  return {
    fleet,
    scheduler,
    sweep,
    ttls,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const flush = () => new Promise(resolve => setImmediate(resolve));

describe('FleetService', () => {
  it('schedules one global sweep at the configured frequency', async () => {
    const { fleet, scheduler } = setup({ frequency: { minutes: 10 } });
    await fleet.start();
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: FLEET_SWEEP_TASK_ID,
        scope: 'global',
        frequency: { minutes: 10 },
        timeout: { minutes: 4 },
      }),
    );
  });

  it('schedules nothing when turned off', async () => {
    const { fleet, scheduler } = setup({ enabled: false });
    await fleet.start();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
    await expect(fleet.silentOutages('1h')).rejects.toThrow(
      /observabilityIr\.fleet\.enabled/,
    );
  });

  it('answers pending and asks for a sweep, at most every 30 seconds, until one has run', async () => {
    const { fleet, scheduler, advance } = setup();
    expect(await fleet.silentOutages('1h')).toMatchObject({
      range: '1h',
      pending: true,
    });
    await fleet.silentOutages('1h');
    await flush();
    expect(scheduler.triggerTask).toHaveBeenCalledTimes(1);
    expect(scheduler.triggerTask).toHaveBeenCalledWith(FLEET_SWEEP_TASK_ID);
    advance(30_000);
    await fleet.silentOutages('1h');
    await flush();
    expect(scheduler.triggerTask).toHaveBeenCalledTimes(2);
  });

  it('answers the last sweep from the cache, per range, kept for a few runs', async () => {
    const { fleet, sweep, ttls } = setup();
    await fleet.run(new AbortController().signal);
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(await fleet.silentOutages('1h')).toEqual(result('1h'));
    expect(await fleet.silentOutages('24h')).toEqual(result('24h'));
    // Three runs of five minutes and one timeout of four.
    expect(ttls).toEqual([19 * 60_000, 19 * 60_000]);
  });

  it('keeps the last result when a sweep fails', async () => {
    const { fleet, sweep } = setup();
    await fleet.run(new AbortController().signal);
    sweep.mockRejectedValueOnce(new Error('catalog unavailable'));
    await fleet.run(new AbortController().signal);
    expect(await fleet.silentOutages('1h')).toEqual(result('1h'));
  });
});
