import { Config } from '@backstage/config';
import { MemoryQuantity, readMemoryQuantity } from './memory/memoryQuantity';

const MAX_MEMORY_LIMIT_KEY = 'observabilityIr.fixes.maxMemoryLimit';
const DEFAULT_MAX_MEMORY_LIMIT = '16Gi';

/**
 * The largest memory limit the actions set
 * (`observabilityIr.fixes.maxMemoryLimit`, default 16Gi). A bad value
 * fails at startup rather than at the first template run.
 */
export function readMaxMemoryLimit(config: Config): MemoryQuantity {
  const text =
    config.getOptionalString(MAX_MEMORY_LIMIT_KEY) ?? DEFAULT_MAX_MEMORY_LIMIT;
  return readMemoryQuantity(text, MAX_MEMORY_LIMIT_KEY);
}
