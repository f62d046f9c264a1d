import {
  CacheService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import {
  FleetTelemetryResponse,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { auditFleetTelemetry } from '../telemetry/auditFleetTelemetry';

/** The scheduler task that audits the fleet's telemetry pipelines. */
export const FLEET_TELEMETRY_TASK_ID = 'observability-ir-fleet-telemetry';

/** A request finding no result asks for an audit at most this often. */
const TRIGGER_INTERVAL_MS = 30_000;

const CACHE_KEY = 'fleet/telemetry/v1';

/** `observabilityIr.fleet.telemetry`, read once at start-up. */
export interface FleetTelemetryConfig {
  /** `observabilityIr.fleet.enabled` and `...telemetry.enabled`. */
  enabled: boolean;
  /** How often the audit runs. */
  frequency: HumanDuration;
  /** The longest one audit of the fleet may take. */
  timeout: HumanDuration;
  /** How long after start-up the first audit runs. */
  initialDelay: HumanDuration;
  /** Entities audited at the same time. */
  concurrency: number;
}

const DEFAULTS: Omit<FleetTelemetryConfig, 'enabled'> = {
  frequency: { minutes: 15 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 30 },
  concurrency: 4,
};

function duration(
  config: Config | undefined,
  key: string,
  fallback: HumanDuration,
) {
  return config?.has(key) ? readDurationFromConfig(config, { key }) : fallback;
}

/** Reads `observabilityIr.fleet.telemetry`, each setting with its default. */
export function readFleetTelemetryConfig(
  rootConfig: Config,
): FleetTelemetryConfig {
  const fleet = rootConfig.getOptionalConfig('observabilityIr.fleet');
  const config = fleet?.getOptionalConfig('telemetry');
  const concurrency =
    config?.getOptionalNumber('concurrency') ?? DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    throw new Error(
      `observabilityIr.fleet.telemetry.concurrency must be a whole number from 1 to 16, got ${concurrency}`,
    );
  }
  return {
    enabled:
      (fleet?.getOptionalBoolean('enabled') ?? true) &&
      (config?.getOptionalBoolean('enabled') ?? true),
    frequency: duration(config, 'frequency', DEFAULTS.frequency),
    timeout: duration(config, 'timeout', DEFAULTS.timeout),
    initialDelay: duration(config, 'initialDelay', DEFAULTS.initialDelay),
    concurrency,
  };
}

/**
 * One audit of the fleet's telemetry: the entities with Kubernetes
 * annotations, each audited as its own page audits it (a few at a time),
 * one row each. An entity whose audit fails is a row of unknowns saying
 * why; only a failure to list the entities fails the audit.
 */
export async function sweepFleetTelemetry(
  sources: {
    /** The catalog Components with Kubernetes annotations. */
    entities: () => Promise<Entity[]>;
    /** The telemetry audit of one entity. */
    audit: (entityRef: string) => Promise<TelemetryResponse>;
  },
  options: { concurrency: number; signal?: AbortSignal; now?: () => number },
): Promise<FleetTelemetryResponse> {
  const auditedAt = new Date((options.now ?? Date.now)()).toISOString();
  const entities = await sources.entities();
  const { rows, sources: statuses } = await auditFleetTelemetry(
    entities,
    async entityRef => {
      if (options.signal?.aborted) {
        throw new Error('the fleet audit ran out of time');
      }
      return sources.audit(entityRef);
    },
    { concurrency: options.concurrency },
  );
  if (options.signal?.aborted) {
    // Rows of entities never audited would hide the last audit's.
    throw new Error(
      'the audit ran out of time (observabilityIr.fleet.telemetry.timeout)',
    );
  }
  return {
    auditedAt,
    rows: rows.sort((a, b) =>
      a.owner.entityRef.localeCompare(b.owner.entityRef),
    ),
    sources: statuses,
  };
}

/**
 * The fleet's telemetry audit on the Backstage scheduler, and its last
 * result. The task is global: one replica at a time runs it; its result
 * goes to the cache service, from which every replica answers at once.
 */
export class FleetTelemetryService {
  private lastTriggerMs?: number;

  constructor(
    private readonly deps: {
      config: FleetTelemetryConfig;
      scheduler: SchedulerService;
      cache: CacheService;
      logger: LoggerService;
      sweep: (signal: AbortSignal) => Promise<FleetTelemetryResponse>;
      now?: () => number;
    },
  ) {}

  /** Schedules the audit, when the configuration allows it. */
  async start(): Promise<void> {
    const { config, scheduler } = this.deps;
    if (!config.enabled) {
      return;
    }
    await scheduler.scheduleTask({
      id: FLEET_TELEMETRY_TASK_ID,
      scope: 'global',
      frequency: config.frequency,
      timeout: config.timeout,
      initialDelay: config.initialDelay,
      fn: signal => this.run(signal),
    });
  }

  /** One audit, stored; a failure is logged and the last result kept. */
  async run(signal: AbortSignal): Promise<void> {
    const { cache, logger, config } = this.deps;
    const started = Date.now();
    try {
      const result = await this.deps.sweep(signal);
      // Kept for a few runs, so a late or failed run leaves the last answer.
      const ttl =
        3 * durationToMilliseconds(config.frequency) +
        durationToMilliseconds(config.timeout);
      await cache.set(CACHE_KEY, result as any, { ttl });
      const failing = result.rows.filter(
        r => r.metrics !== 'ok' || r.logs !== 'ok',
      ).length;
      logger.info(
        `Fleet telemetry audit: ${
          result.rows.length
        } entities, ${failing} with gaps, in ${Date.now() - started} ms`,
      );
    } catch (error) {
      logger.error(`Fleet telemetry audit failed: ${(error as Error).message}`);
    }
  }

  /**
   * The last audit's result; `pending` (and an audit asked for) while
   * there is none yet.
   */
  async telemetry(): Promise<FleetTelemetryResponse> {
    const { config, cache } = this.deps;
    if (!config.enabled) {
      throw new ServiceUnavailableError(
        'The fleet telemetry audit is turned off (observabilityIr.fleet.enabled, observabilityIr.fleet.telemetry.enabled)',
      );
    }
    const cached = await cache.get(CACHE_KEY);
    if (cached) {
      return cached as unknown as FleetTelemetryResponse;
    }
    this.trigger();
    return { rows: [], sources: [], pending: true };
  }

  /** Asks the scheduler to run the audit now, unless asked just before. */
  private trigger() {
    const now = (this.deps.now ?? Date.now)();
    if (
      this.lastTriggerMs !== undefined &&
      now - this.lastTriggerMs < TRIGGER_INTERVAL_MS
    ) {
      return;
    }
    this.lastTriggerMs = now;
    // Not awaited: the answer is `pending` either way. An audit already
    // running (a conflict) is what was asked for.
    Promise.resolve()
      .then(() => this.deps.scheduler.triggerTask(FLEET_TELEMETRY_TASK_ID))
      .catch(error =>
        this.deps.logger.debug(
          `Fleet telemetry audit not triggered: ${(error as Error).message}`,
        ),
      );
  }
}
