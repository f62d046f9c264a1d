import { z } from 'zod';

/** The longest time range the evidence endpoints accept: 7 days. */
export const MAX_RANGE_SECONDS = 7 * 24 * 60 * 60;

/** The shortest: one minute. */
export const MIN_RANGE_SECONDS = 60;

/** The narrowest chart a metrics answer is shaped for, in pixels. */
export const MIN_CHART_WIDTH = 100;

/** The widest chart a metrics answer is shaped for, in pixels. */
export const MAX_CHART_WIDTH = 4000;

/**
 * The ranges that end now and can be asked for by name (`range=1h`), with
 * their length in seconds: the presets of the Incident tab's toolbar.
 *
 * @public
 */
export const RANGE_PRESETS = {
  '15m': 15 * 60,
  '1h': 60 * 60,
  '6h': 6 * 60 * 60,
  '24h': 24 * 60 * 60,
} as const;

/**
 * One of {@link RANGE_PRESETS}.
 *
 * @public
 */
export type RangePreset = keyof typeof RANGE_PRESETS;

/**
 * The range of a request that names neither a preset nor bounds.
 *
 * @public
 */
export const DEFAULT_RANGE_PRESET: RangePreset = '1h';

const presetNames = Object.keys(RANGE_PRESETS) as [
  RangePreset,
  ...RangePreset[],
];

/**
 * The query of `GET /v1/workload`: an entity.
 *
 * @public
 */
export const workloadQuerySchema = z
  .object({ entityRef: z.string().min(1).max(512) })
  .strict();

/**
 * A parsed {@link workloadQuerySchema}.
 *
 * @public
 */
export type WorkloadQuery = z.infer<typeof workloadQuerySchema>;

/**
 * The query every evidence endpoint takes: an entity and, for those that
 * look back in time, a range: either a preset that ends now (`range`), or
 * explicit bounds (`start` and `end`), never both. The browser never sends a
 * query, a selector or a URL. The backend alone resolves "now" and the
 * step; it checks the bounds' length and end once its defaults are applied
 * (see `MAX_RANGE_SECONDS`).
 *
 * @public
 */
export const evidenceQuerySchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    /** A range that ends now; the default when no bound is given is `1h`. */
    range: z.enum(presetNames).optional(),
    /** Start of the range, RFC 3339; defaults to one hour before `end`. */
    start: z.string().datetime({ offset: true }).optional(),
    /** End of the range, RFC 3339; defaults to now. */
    end: z.string().datetime({ offset: true }).optional(),
    /**
     * Metrics only: the width of the chart in pixels. The answer then holds
     * only what it draws (see `MetricsShape`); without it, every series.
     */
    width: z.coerce
      .number()
      .int()
      .min(MIN_CHART_WIDTH)
      .max(MAX_CHART_WIDTH)
      .optional(),
    /** Metrics only, with `width`: a pod whose series are drawn too. */
    pod: z.string().min(1).max(253).optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.range && (query.start || query.end)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['range'],
        message: 'must not be combined with start or end',
      });
    }
  });

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
