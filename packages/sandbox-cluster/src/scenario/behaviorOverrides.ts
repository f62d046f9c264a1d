import { ZodIssue } from 'zod';
import { BehaviorSpec, behaviorSchema } from './schema';

/** The result of merging a pod's behaviour fields over its container's. */
export type MergedBehavior =
  | { ok: true; behavior: BehaviorSpec }
  | { ok: false; issues: Array<Pick<ZodIssue, 'path' | 'message'>> };

/**
 * Merges one pod's behaviour fields over the container's behaviour. The
 * type stays the container's; the merged behaviour is validated with the
 * behaviour schema (unknown fields, quantities, ranges).
 */
export function mergeBehavior(
  base: BehaviorSpec,
  override: Record<string, unknown> | undefined,
): MergedBehavior {
  if (!override || Object.keys(override).length === 0) {
    return { ok: true, behavior: base };
  }
  if (override.type !== undefined && override.type !== base.type) {
    return {
      ok: false,
      issues: [
        {
          path: ['type'],
          message: `must be the container's behaviour type "${base.type}"`,
        },
      ],
    };
  }
  const result = behaviorSchema.safeParse({ ...base, ...override });
  return result.success
    ? { ok: true, behavior: result.data }
    : { ok: false, issues: result.error.issues };
}

/** Merges and throws on error (for scenarios the loader already checked). */
export function mergedBehavior(
  base: BehaviorSpec,
  override: Record<string, unknown> | undefined,
): BehaviorSpec {
  const merged = mergeBehavior(base, override);
  if (!merged.ok) {
    throw new Error(
      `invalid behaviour override: ${merged.issues
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return merged.behavior;
}
