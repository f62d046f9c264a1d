import {
  CacheService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  RANGE_PRESETS,
  RangePreset,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { FleetConfig } from './readFleetConfig';
import { ScheduledResult } from './ScheduledResult';

/** The scheduler task that sweeps the fleet. */
export const FLEET_SWEEP_TASK_ID = 'observability-ir-fleet-sweep';

/** Every range the page offers: one pass over the pods serves them all. */
export const FLEET_RANGES = Object.keys(RANGE_PRESETS) as RangePreset[];

const cacheKey = (range: RangePreset) => `fleet/silent-outages/v1/${range}`;

/**
 * The silent-outage sweep on the Backstage scheduler, and its last result
 * (see {@link ScheduledResult}): one pass over the pods is stored for
 * every range.
 */
export class FleetService {
  private readonly scheduled: ScheduledResult<SilentOutagesResponse>;

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
  ) {
    const { config } = deps;
    this.scheduled = new ScheduledResult({
      taskId: FLEET_SWEEP_TASK_ID,
      name: 'Fleet sweep',
      frequency: config.frequency,
      timeout: config.timeout,
      initialDelay: config.initialDelay,
      scheduler: deps.scheduler,
      cache: deps.cache,
      logger: deps.logger,
      now: deps.now,
      produce: async signal => {
        const results = await deps.sweep(signal);
        return Object.fromEntries(
          Object.entries(results).map(([range, result]) => [
            cacheKey(range as RangePreset),
            result,
          ]),
        );
      },
      describe: results =>
        `${Object.values(results)[0]?.podsScanned ?? 0} pods`,
    });
  }

  /** Schedules the sweep, when `observabilityIr.fleet.enabled` allows it. */
  async start(): Promise<void> {
    if (this.deps.config.enabled) {
      await this.scheduled.start();
    }
  }

  /** One sweep, stored for every range; a failure is logged and kept out. */
  async run(signal: AbortSignal): Promise<void> {
    const stored = await this.scheduled.run(signal);
    if (!stored) {
      return;
    }
    const results = Object.fromEntries(
      FLEET_RANGES.flatMap(range =>
        stored[cacheKey(range)] ? [[range, stored[cacheKey(range)]]] : [],
      ),
    ) as Record<RangePreset, SilentOutagesResponse>;
    try {
      await this.deps.afterSweep?.(results);
    } catch (error) {
      this.deps.logger.error(
        `Fleet sweep's follow-up failed: ${(error as Error).message}`,
      );
    }
  }

  /**
   * The last sweep's result for a range; `pending` (and a sweep asked
   * for) while there is none yet.
   */
  async silentOutages(range: RangePreset): Promise<SilentOutagesResponse> {
    const { config } = this.deps;
    if (!config.enabled) {
      throw new ServiceUnavailableError(
        'The fleet sweep is turned off (observabilityIr.fleet.enabled)',
      );
    }
    return (
      (await this.scheduled.get(cacheKey(range))) ?? {
        range,
        podsScanned: 0,
        findings: [],
        nearOom: [],
        nearOomShare: config.nearOomShare,
        topRestarters: [],
        sources: [],
        pending: true,
      }
    );
  }
}
