import {
  describeBytes,
  formatMemoryQuantity,
  roundUpMemoryQuantity,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * The memory limit rule of the recommendation.
 */

/** Headroom over the need: the proposal is at least 1.5 times the need. */
export const MEMORY_HEADROOM = 1.5;
/** The proposal is at least 25% above the current limit. */
export const MIN_LIMIT_INCREASE = 1.25;
/**
 * A process killed at its limit never showed its true need: it is assumed
 * to need at least 25% more than the limit it was killed at.
 */
export const CLIPPED_NEED_FACTOR = 1.25;
/** The working set counts as clipped at the limit from 90% of it. */
export const CLIPPED_SHARE = 0.9;

/** What a limit proposal is computed from. */
export interface MemoryLimitBasis {
  /** Bytes; the current limit of the container. */
  currentLimit: number;
  /** Bytes; the highest working set over the range, when known. */
  peakWorkingSet?: number;
  /** Whether the container was OOMKilled in the range. */
  oomKilled: boolean;
  /**
   * A run of the container (another replica, or an earlier run) that had
   * room above the kill level and levelled off below its own limit: its
   * peak is an observed demand, where a killed run's is unknown.
   */
  plateau?: { bytes: number; where: string };
}

/**
 * Whether the working set was cut off by the limit: the container was
 * OOMKilled with its peak at 90% of the limit or more (or unknown), so the
 * series never showed its true demand.
 */
export function isClippedAtLimit(basis: MemoryLimitBasis): boolean {
  const { currentLimit, peakWorkingSet, oomKilled } = basis;
  return (
    oomKilled &&
    (peakWorkingSet === undefined ||
      peakWorkingSet >= CLIPPED_SHARE * currentLimit)
  );
}

/**
 * The memory limit to propose, in bytes:
 *
 * - need = the peak working set; when the container was OOMKilled and the
 *   peak is at 90% of the limit or more (or unknown), the series is clipped
 *   at the limit and need = the observed plateau of another run when there
 *   is one (see {@link MemoryLimitBasis.plateau}), else max(peak, limit) ×
 *   1.25;
 * - proposal = the ladder quantity at or above max(need × 1.5, limit × 1.25).
 *
 * 512Mi OOMKilled at 99% → need 640Mi → 960Mi → 1Gi. 256Mi peaking at 250Mi
 * without an OOM kill → 375Mi → 384Mi; with OOM kills → 480Mi → 512Mi.
 */
export function proposeMemoryLimit(basis: MemoryLimitBasis): number {
  const { currentLimit, peakWorkingSet } = basis;
  const clipped = isClippedAtLimit(basis);
  let need = peakWorkingSet ?? currentLimit;
  if (clipped) {
    need = basis.plateau
      ? basis.plateau.bytes
      : Math.max(peakWorkingSet ?? 0, currentLimit) * CLIPPED_NEED_FACTOR;
  }
  return roundUpMemoryQuantity(
    Math.max(need * MEMORY_HEADROOM, currentLimit * MIN_LIMIT_INCREASE),
  );
}

/**
 * Why the proposal is what it is, in one sentence: from the kill level
 * when the limit cut the working set off (the true demand is unknown),
 * from the observed peak otherwise.
 */
export function describeMemoryLimitBasis(
  basis: MemoryLimitBasis,
  proposed: number,
): string {
  const limit = formatMemoryQuantity(basis.currentLimit);
  const to = formatMemoryQuantity(proposed);
  if (isClippedAtLimit(basis) && basis.plateau) {
    return `Killed at its ${limit} limit, but ${
      basis.plateau.where
    } levelled off at ${describeBytes(
      basis.plateau.bytes,
    )} below a higher limit: the proposal is that observed demand with ${Math.round(
      (MEMORY_HEADROOM - 1) * 100,
    )}% headroom (at least ${Math.round(
      (MIN_LIMIT_INCREASE - 1) * 100,
    )}% above the limit), rounded up to ${to}; verify after the raise that the working set levels off below it.`;
  }
  if (isClippedAtLimit(basis)) {
    return `Killed at its ${limit} limit, so its true demand is unknown: the proposal assumes ${CLIPPED_NEED_FACTOR}× the kill level with ${Math.round(
      (MEMORY_HEADROOM - 1) * 100,
    )}% headroom, rounded up to ${to}; verify after the raise that the working set levels off below it.`;
  }
  const peak =
    basis.peakWorkingSet === undefined
      ? 'an unknown peak'
      : describeBytes(basis.peakWorkingSet);
  return `The working set peaked at ${peak} without being cut off at the ${limit} limit: the proposal is that peak with ${Math.round(
    (MEMORY_HEADROOM - 1) * 100,
  )}% headroom (at least ${Math.round(
    (MIN_LIMIT_INCREASE - 1) * 100,
  )}% above the limit), rounded up to ${to}.`;
}
