import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { parseMemoryQuantity } from '@observability-ir/plugin-observability-ir-common';
import { DEFAULT_MAX_MEMORY_LIMIT } from '../service/fixes/MemoryLimitFixer';
import {
  DEFAULT_VERIFICATION_SETTINGS,
  VerificationSettings,
} from '../service/incidents/verification';

/** The runbook's settings, from `observabilityIr.runbook` and `.fixes`. */
export interface RunbookConfig {
  verification: VerificationSettings;
  /** The highest memory limit a fix sets, in bytes. */
  maxMemoryLimitBytes: number;
}

/**
 * Reads `observabilityIr.runbook.verify` (`window`, `maxWorkingSetShare`)
 * and `observabilityIr.fixes.maxMemoryLimit`, each with its default;
 * a value out of range fails the backend's start with the key's name.
 */
export function readRunbookConfig(rootConfig: Config): RunbookConfig {
  const verify = 'observabilityIr.runbook.verify';
  const windowSeconds = rootConfig.has(`${verify}.window`)
    ? durationToMilliseconds(
        readDurationFromConfig(rootConfig, { key: `${verify}.window` }),
      ) / 1000
    : DEFAULT_VERIFICATION_SETTINGS.windowSeconds;
  if (!(windowSeconds >= 1 && windowSeconds <= 7 * 24 * 3600)) {
    throw new InputError(
      `${verify}.window must be between 1 second and 7 days`,
    );
  }
  const maxWorkingSetShare =
    rootConfig.getOptionalNumber(`${verify}.maxWorkingSetShare`) ??
    DEFAULT_VERIFICATION_SETTINGS.maxWorkingSetShare;
  if (!(maxWorkingSetShare > 0 && maxWorkingSetShare <= 1)) {
    throw new InputError(
      `${verify}.maxWorkingSetShare must be above 0 and at most 1`,
    );
  }
  const maxKey = 'observabilityIr.fixes.maxMemoryLimit';
  const maxText =
    rootConfig.getOptionalString(maxKey) ?? DEFAULT_MAX_MEMORY_LIMIT;
  let maxMemoryLimitBytes: number;
  try {
    maxMemoryLimitBytes = parseMemoryQuantity(maxText);
  } catch {
    throw new InputError(
      `${maxKey} must be a Kubernetes memory quantity such as 16Gi, not "${maxText}"`,
    );
  }
  return {
    verification: { windowSeconds, maxWorkingSetShare },
    maxMemoryLimitBytes,
  };
}
