import { InputError, NotAllowedError } from '@backstage/errors';
import { parseMemoryQuantity } from '@observability-ir/plugin-observability-ir-common';

/** A memory quantity as written (`1Gi`) and its bytes. */
export interface MemoryQuantity {
  text: string;
  bytes: number;
}

/** Longer than any real quantity; the backend's fix request has the same bound. */
const MAX_QUANTITY_LENGTH = 32;

/**
 * Below this no container starts; it also catches `512m` (half a byte,
 * as Kubernetes reads it) written for `512Mi`.
 */
const SMALLEST_MEMORY_SETTING = 1024 * 1024;

/**
 * A memory quantity from input or config, checked: a Kubernetes quantity
 * (`512Mi`, `1Gi`, `1.5Gi`, `1G`, `1073741824`) of at least 1Mi that a
 * number holds exactly. `what` names it in the error, e.g. `limit`.
 */
export function readMemoryQuantity(text: string, what: string): MemoryQuantity {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new InputError(
      `${what} is empty; give a memory quantity such as 1Gi`,
    );
  }
  if (trimmed.length > MAX_QUANTITY_LENGTH) {
    throw new InputError(
      `${what} "${trimmed.slice(
        0,
        MAX_QUANTITY_LENGTH,
      )}…" is too long for a memory quantity`,
    );
  }
  let bytes: number;
  try {
    bytes = parseMemoryQuantity(trimmed);
  } catch {
    throw new InputError(
      `${what} "${trimmed}" is not a Kubernetes memory quantity; write it like 512Mi, 1Gi or 1.5Gi`,
    );
  }
  if (bytes === 0) {
    throw new InputError(`${what} "${trimmed}" is zero; give at least 1Mi`);
  }
  if (!Number.isSafeInteger(bytes)) {
    throw new InputError(`${what} "${trimmed}" is too large`);
  }
  if (bytes < SMALLEST_MEMORY_SETTING) {
    throw new InputError(
      `${what} "${trimmed}" is less than 1Mi; memory is counted in bytes (512Mi, not 512m)`,
    );
  }
  return { text: trimmed, bytes };
}

/** Refuses a limit above the configured cap, naming the cap. */
export function checkMemoryLimitCap(
  limit: MemoryQuantity,
  cap: MemoryQuantity,
): void {
  if (limit.bytes > cap.bytes) {
    throw new NotAllowedError(
      `memory limit ${limit.text} is above the largest this portal sets, ${cap.text} (observabilityIr.fixes.maxMemoryLimit)`,
    );
  }
}
