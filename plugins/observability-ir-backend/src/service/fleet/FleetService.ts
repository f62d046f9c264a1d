import {
  CacheService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import {
  RANGE_PRESETS,
  RangePreset,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { FleetConfig } from './readFleetConfig';

/** The scheduler task that sweeps the fleet. */
export const FLEET_SWEEP_TASK_ID = 'observability-ir-fleet-sweep';

/** Every range the page offers: one pass over the pods serves them all. */
export const FLEET_RANGES = Object.keys(RANGE_PRESETS) as RangePreset[];

/** A request finding no result asks for a sweep at most this often. */
const TRIGGER_INTERVAL_MS = 30_000;

const cacheKey = (range: RangePreset) => `fleet/silent-outages/v1/${range}`;

/**
 * The silent-outage sweep on the Backstage scheduler, and its last result.
 * The task is global: one replica at a time runs it; its result goes to
 * the cache service, from which every replica answers at once.
 */
export class FleetService {
  private lastTriggerMs?: number;

  constructor(
    private readonly deps: {
      config: FleetConfig;
      scheduler: SchedulerService;
      cache: CacheService;
      logger: LoggerService;
      sweep: (
        signal: AbortSignal,
      ) => Promise<Record<RangePreset, SilentOutagesResponse>>;
      /** Runs after each stored sweep, e.g. to notify owners. */
      afterSweep?: (
        results: Record<RangePreset, SilentOutagesResponse>,
      ) => Promise<void>;
      now?: () => number;
    },
  ) {}

  /** Schedules the sweep, when `observabilityIr.fleet.enabled` allows it. */
  async start(): Promise<void> {
    const { config, scheduler } = this.deps;
    if (!config.enabled) {
      return;
    }
    await scheduler.scheduleTask({
      id: FLEET_SWEEP_TASK_ID,
      scope: 'global',
      frequency: config.frequency,
      timeout: config.timeout,
      initialDelay: config.initialDelay,
      fn: signal => this.run(signal),
    });
  }

  /** One sweep, stored for every range; a failure is logged and kept out. */
  async run(signal: AbortSignal): Promise<void> {
    const { cache, logger, config } = this.deps;
    const started = Date.now();
    let results: Record<RangePreset, SilentOutagesResponse>;
    try {
      results = await this.deps.sweep(signal);
      // Kept for a few runs, so a late or failed run leaves the last answer.
      const ttl =
        3 * durationToMilliseconds(config.frequency) +
        durationToMilliseconds(config.timeout);
      for (const [range, result] of Object.entries(results)) {
        await cache.set(cacheKey(range as RangePreset), result as any, { ttl });
      }
      const any = Object.values(results)[0];
      logger.info(
        `Fleet sweep: ${any?.podsScanned ?? 0} pods in ${
          Date.now() - started
        } ms`,
      );
    } catch (error) {
      logger.error(`Fleet sweep failed: ${(error as Error).message}`);
      return;
    }
    try {
      await this.deps.afterSweep?.(results);
    } catch (error) {
      logger.error(
        `Fleet sweep's follow-up failed: ${(error as Error).message}`,
      );
    }
  }

  /**
   * The last sweep's result for a range; `pending` (and a sweep asked
   * for) while there is none yet.
   */
  async silentOutages(range: RangePreset): Promise<SilentOutagesResponse> {
    const { config, cache } = this.deps;
    if (!config.enabled) {
      throw new ServiceUnavailableError(
        'The fleet sweep is turned off (observabilityIr.fleet.enabled)',
      );
    }
    const cached = await cache.get(cacheKey(range));
    if (cached) {
      return cached as unknown as SilentOutagesResponse;
    }
    this.trigger();
    return {
      range,
      podsScanned: 0,
      findings: [],
      nearOom: [],
      nearOomShare: config.nearOomShare,
      topRestarters: [],
      sources: [],
      pending: true,
    };
  }

  /** Asks the scheduler to run the sweep now, unless asked just before. */
  private trigger() {
    const now = (this.deps.now ?? Date.now)();
    if (
      this.lastTriggerMs !== undefined &&
      now - this.lastTriggerMs < TRIGGER_INTERVAL_MS
    ) {
      return;
    }
    this.lastTriggerMs = now;
    // Not awaited: the answer is `pending` either way. A sweep already
    // running (a conflict) is what was asked for.
    Promise.resolve()
      .then(() => this.deps.scheduler.triggerTask(FLEET_SWEEP_TASK_ID))
      .catch(error =>
        this.deps.logger.debug(
          `Fleet sweep not triggered: ${(error as Error).message}`,
        ),
      );
  }
}
