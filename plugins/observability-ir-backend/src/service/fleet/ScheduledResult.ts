import {
  CacheService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { JsonValue } from '@backstage/types';

/** A request finding no result asks for a run at most this often. */
export const TRIGGER_INTERVAL_MS = 30_000;

/** How a {@link ScheduledResult} runs. */
export interface ScheduledResultOptions<T> {
  /** The scheduler task's id. */
  taskId: string;
  /** For log lines: `Fleet sweep`, `Fleet telemetry audit`. */
  name: string;
  frequency: HumanDuration;
  timeout: HumanDuration;
  initialDelay: HumanDuration;
  scheduler: SchedulerService;
  cache: CacheService;
  logger: LoggerService;
  /** One run: the results to store, by cache key. */
  produce: (signal: AbortSignal) => Promise<Record<string, T>>;
  /** A log line's summary of a run's results. */
  describe?: (results: Record<string, T>) => string;
  now?: () => number;
}

/**
 * Work that runs on the Backstage scheduler as a global task (one replica
 * at a time) and whose results every replica answers from the cache at
 * once. A run's results are kept for three periods and a timeout, so a
 * late or failed run leaves the last answer in place; a request that finds
 * none asks for a run, at most every {@link TRIGGER_INTERVAL_MS}.
 */
export class ScheduledResult<T> {
  private lastTriggerMs?: number;

  constructor(private readonly options: ScheduledResultOptions<T>) {}

  /** Schedules the task. */
  async start(): Promise<void> {
    const { scheduler, taskId, frequency, timeout, initialDelay } =
      this.options;
    await scheduler.scheduleTask({
      id: taskId,
      scope: 'global',
      frequency,
      timeout,
      initialDelay,
      fn: async signal => {
        await this.run(signal);
      },
    });
  }

  /**
   * One run, its results stored; the results, or undefined when the run
   * failed (logged, the last results kept).
   */
  async run(signal: AbortSignal): Promise<Record<string, T> | undefined> {
    const { cache, logger, name, frequency, timeout } = this.options;
    const started = Date.now();
    try {
      const results = await this.options.produce(signal);
      const ttl =
        3 * durationToMilliseconds(frequency) + durationToMilliseconds(timeout);
      for (const [key, value] of Object.entries(results)) {
        await cache.set(key, value as unknown as JsonValue, { ttl });
      }
      const summary = this.options.describe?.(results);
      logger.info(
        `${name}: ${summary ? `${summary}, ` : ''}in ${
          Date.now() - started
        } ms`,
      );
      return results;
    } catch (error) {
      logger.error(`${name} failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The stored result under a key; undefined (and a run asked for) if none. */
  async get(key: string): Promise<T | undefined> {
    const cached = await this.options.cache.get(key);
    if (cached !== undefined) {
      return cached as unknown as T;
    }
    this.trigger();
    return undefined;
  }

  /** Asks the scheduler to run the task now, unless asked just before. */
  private trigger() {
    const { scheduler, logger, taskId, name } = this.options;
    const now = (this.options.now ?? Date.now)();
    if (
      this.lastTriggerMs !== undefined &&
      now - this.lastTriggerMs < TRIGGER_INTERVAL_MS
    ) {
      return;
    }
    this.lastTriggerMs = now;
    // Not awaited: the answer is `pending` either way. A run already
    // going (a conflict) is what was asked for.
    Promise.resolve()
      .then(() => scheduler.triggerTask(taskId))
      .catch(error =>
        logger.debug(`${name} not triggered: ${(error as Error).message}`),
      );
  }
}
