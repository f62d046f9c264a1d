import {
  CacheService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { HumanDuration } from '@backstage/types';
import {
  FleetTelemetryResponse,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { auditFleetTelemetry } from '../telemetry/auditFleetTelemetry';
import { ScheduledResult } from './ScheduledResult';

/** The scheduler task that audits the fleet's telemetry pipelines. */
export const FLEET_TELEMETRY_TASK_ID = 'observability-ir-fleet-telemetry';

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
 * result (see {@link ScheduledResult}).
 */
export class FleetTelemetryService {
  private readonly scheduled: ScheduledResult<FleetTelemetryResponse>;

  constructor(
    private readonly deps: {
      config: FleetTelemetryConfig;
      scheduler: SchedulerService;
      cache: CacheService;
      logger: LoggerService;
      sweep: (signal: AbortSignal) => Promise<FleetTelemetryResponse>;
      now?: () => number;
    },
  ) {
    const { config } = deps;
    this.scheduled = new ScheduledResult({
      taskId: FLEET_TELEMETRY_TASK_ID,
      name: 'Fleet telemetry audit',
      frequency: config.frequency,
      timeout: config.timeout,
      initialDelay: config.initialDelay,
      scheduler: deps.scheduler,
      cache: deps.cache,
      logger: deps.logger,
      now: deps.now,
      produce: async signal => ({ [CACHE_KEY]: await deps.sweep(signal) }),
      describe: results => {
        const rows = results[CACHE_KEY]?.rows ?? [];
        const failing = rows.filter(
          r => r.metrics !== 'ok' || r.logs !== 'ok',
        ).length;
        return `${rows.length} entities, ${failing} with gaps`;
      },
    });
  }

  /** Schedules the audit, when the configuration allows it. */
  async start(): Promise<void> {
    if (this.deps.config.enabled) {
      await this.scheduled.start();
    }
  }

  /** One audit, stored; a failure is logged and the last result kept. */
  async run(signal: AbortSignal): Promise<void> {
    await this.scheduled.run(signal);
  }

  /**
   * The last audit's result; `pending` (and an audit asked for) while
   * there is none yet.
   */
  async telemetry(): Promise<FleetTelemetryResponse> {
    if (!this.deps.config.enabled) {
      throw new ServiceUnavailableError(
        'The fleet telemetry audit is turned off (observabilityIr.fleet.enabled, observabilityIr.fleet.telemetry.enabled)',
      );
    }
    return (
      (await this.scheduled.get(CACHE_KEY)) ?? {
        rows: [],
        sources: [],
        pending: true,
      }
    );
  }
}
