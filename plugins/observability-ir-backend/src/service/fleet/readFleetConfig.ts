import { Config, readDurationFromConfig } from '@backstage/config';
import { HumanDuration } from '@backstage/types';

/** `observabilityIr.fleet`, read once at start-up. */
export interface FleetConfig {
  enabled: boolean;
  /** How often the sweep runs. */
  frequency: HumanDuration;
  /** The longest one sweep may take. */
  timeout: HumanDuration;
  /** How long after start-up the first sweep runs. */
  initialDelay: HumanDuration;
  /** From this share of its memory limit a container is next to OOM. */
  nearOomShare: number;
  /** Pods per page of the list of each cluster's pods. */
  pageSize: number;
}

const DEFAULTS: Omit<FleetConfig, 'enabled'> = {
  frequency: { minutes: 5 },
  timeout: { minutes: 4 },
  initialDelay: { seconds: 15 },
  nearOomShare: 0.9,
  pageSize: 500,
};

function duration(
  config: Config | undefined,
  key: string,
  fallback: HumanDuration,
) {
  return config?.has(key) ? readDurationFromConfig(config, { key }) : fallback;
}

/** Reads `observabilityIr.fleet`, each setting with its default. */
export function readFleetConfig(rootConfig: Config): FleetConfig {
  const config = rootConfig.getOptionalConfig('observabilityIr.fleet');
  const nearOomShare =
    config?.getOptionalNumber('nearOomShare') ?? DEFAULTS.nearOomShare;
  if (!(nearOomShare > 0 && nearOomShare <= 1)) {
    throw new Error(
      `observabilityIr.fleet.nearOomShare must be above 0 and at most 1, got ${nearOomShare}`,
    );
  }
  const pageSize =
    config?.getOptionalNumber('sweep.pageSize') ?? DEFAULTS.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
    throw new Error(
      `observabilityIr.fleet.sweep.pageSize must be a whole number from 1 to 500, got ${pageSize}`,
    );
  }
  return {
    enabled: config?.getOptionalBoolean('enabled') ?? true,
    frequency: duration(config, 'sweep.frequency', DEFAULTS.frequency),
    timeout: duration(config, 'sweep.timeout', DEFAULTS.timeout),
    initialDelay: duration(config, 'sweep.initialDelay', DEFAULTS.initialDelay),
    nearOomShare,
    pageSize,
  };
}
