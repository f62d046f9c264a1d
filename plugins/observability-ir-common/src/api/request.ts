import { z } from 'zod';

/** The longest time range the evidence endpoints accept: 7 days. */
export const MAX_RANGE_SECONDS = 7 * 24 * 60 * 60;

/** The shortest: one minute. */
export const MIN_RANGE_SECONDS = 60;

/**
 * The query every evidence endpoint takes: an entity and, for those that
 * look back in time, a time range. The browser never sends a query, a
 * selector or a URL. The range's length and end are checked by the backend
 * once its defaults are applied (see `MAX_RANGE_SECONDS`).
 *
 * @public
 */
export const evidenceQuerySchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    /** Start of the range, RFC 3339; defaults to one hour before `end`. */
    start: z.string().datetime({ offset: true }).optional(),
    /** End of the range, RFC 3339; defaults to now. */
    end: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

/**
 * A parsed {@link evidenceQuerySchema}.
 *
 * @public
 */
export type EvidenceQuery = z.infer<typeof evidenceQuerySchema>;

/**
 * A resolved time range, as the backend answered for it.
 *
 * @public
 */
export interface TimeRange {
  /** RFC 3339. */
  start: string;
  /** RFC 3339. */
  end: string;
  /** The resolution of the series in the answer. */
  stepSeconds: number;
}
