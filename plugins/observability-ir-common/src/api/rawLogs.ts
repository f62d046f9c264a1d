import { z } from 'zod';
import { ExecutedQuery } from './metrics';
import { SourceStatus } from './sources';

/**
 * The paths of the raw log endpoints, relative to the plugin's base URL:
 * `raw` takes a {@link RawLogsQuery} and answers a {@link RawLogsResponse};
 * `previous` takes a {@link PreviousLogsQuery} and answers a
 * {@link PreviousLogsResponse}. Both follow the entity's incident read
 * permission and read only the entity's own pods.
 *
 * @public
 */
export const RAW_LOGS_PATHS = {
  raw: '/v1/logs/raw',
  previous: '/v1/logs/previous',
} as const;

/**
 * The bounds of the raw log endpoints.
 *
 * @public
 */
export const RAW_LOGS_LIMITS = {
  /** Seconds before `at` read when `before` is not given. */
  defaultBeforeSeconds: 300,
  /** Seconds after `at` read when `after` is not given. */
  defaultAfterSeconds: 60,
  /** The longest window, `before` + `after`, in seconds: one hour. */
  maxWindowSeconds: 3600,
  /** The most lines in one answer. */
  maxLines: 500,
  /** The most bytes of log text (lines in UTF-8) in one answer: 256 KiB. */
  maxBytes: 256 * 1024,
  /** The longest `search` text. */
  maxSearchLength: 256,
  /** How far `at` may lie in the future, in seconds (clocks drift). */
  maxFutureSeconds: 60,
} as const;

const seconds = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a whole number of seconds')
  .transform(Number)
  .pipe(z.number().int().min(0).max(RAW_LOGS_LIMITS.maxWindowSeconds));

/** The pod of the entity whose logs are read. */
const podFields = {
  entityRef: z.string().min(1).max(512),
  /**
   * The cluster the pod runs in; may be left out when the entity is read
   * from one cluster only.
   */
  cluster: z.string().min(1).max(253).optional(),
  /** The pod's namespace; needed only when two of its pods share the name. */
  namespace: z.string().min(1).max(63).optional(),
  /** The pod's name: one of the entity's pods, as the backend lists them. */
  pod: z.string().min(1).max(253),
  /** Defaults to the pod's only container (or the first, for Loki). */
  container: z.string().min(1).max(63).optional(),
};

/**
 * The query of `GET /v1/logs/raw`: the log lines of one of the entity's
 * pods in Loki, in a window around a moment. `at` (RFC 3339, default now,
 * at most a minute ahead) is the moment; `before` and `after` are seconds
 * either side (defaults in {@link RAW_LOGS_LIMITS}, together at most an
 * hour); `search` keeps only lines containing the text (a LogQL `|=` line
 * filter, case-sensitive).
 *
 * @public
 */
export const rawLogsQuerySchema = z
  .object({
    ...podFields,
    at: z.string().datetime({ offset: true }).optional(),
    before: seconds.optional(),
    after: seconds.optional(),
    search: z.string().min(1).max(RAW_LOGS_LIMITS.maxSearchLength).optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (
      query.at &&
      Date.parse(query.at) >
        Date.now() + RAW_LOGS_LIMITS.maxFutureSeconds * 1000
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['at'],
        message: `must not be more than ${RAW_LOGS_LIMITS.maxFutureSeconds} seconds in the future`,
      });
    }
    const before = query.before ?? RAW_LOGS_LIMITS.defaultBeforeSeconds;
    const after = query.after ?? RAW_LOGS_LIMITS.defaultAfterSeconds;
    if (before + after > RAW_LOGS_LIMITS.maxWindowSeconds) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['before'],
        message: `before + after must be at most ${RAW_LOGS_LIMITS.maxWindowSeconds} seconds`,
      });
    }
    if (before + after === 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['before'],
        message: 'before + after must be at least one second',
      });
    }
  });

/**
 * A parsed {@link rawLogsQuerySchema}.
 *
 * @public
 */
export type RawLogsQuery = z.infer<typeof rawLogsQuerySchema>;

/**
 * The query of `GET /v1/logs/previous`: the end of the log of the previous
 * instance of a container of one of the entity's pods (the one that ran
 * before its last restart), from the Kubernetes API.
 *
 * @public
 */
export const previousLogsQuerySchema = z.object(podFields).strict();

/**
 * A parsed {@link previousLogsQuerySchema}.
 *
 * @public
 */
export type PreviousLogsQuery = z.infer<typeof previousLogsQuerySchema>;

/**
 * One log line.
 *
 * @public
 */
export interface RawLogLine {
  /** RFC 3339 with milliseconds; absent when the source gave none. */
  timestamp?: string;
  /** The container that wrote it, when the source says. */
  container?: string;
  line: string;
}

/**
 * Why an answer holds fewer lines than the source had: `lines` when the
 * line cap was reached, `bytes` when the byte cap was.
 *
 * @public
 */
export type RawLogsTruncation = 'lines' | 'bytes';

/**
 * The pod an answer is about, as the backend found it among the entity's
 * pods.
 *
 * @public
 */
export interface RawLogsPod {
  cluster: string;
  namespace: string;
  pod: string;
  /** The container asked for; absent for every container of the pod. */
  container?: string;
}

/**
 * `GET /v1/logs/raw`.
 *
 * @public
 */
export interface RawLogsResponse extends RawLogsPod {
  entityRef: string;
  /** The window read (RFC 3339) and the moment it is around. */
  window: { start: string; at: string; end: string };
  search?: string;
  /** Oldest first; the lines nearest `at` are kept when capped. */
  lines: RawLogLine[];
  /** Set when Loki had more lines in the window than the answer holds. */
  truncated?: RawLogsTruncation;
  limits: { lines: number; bytes: number };
  /** The LogQL run, to open in Grafana Explore over `window`. */
  query: ExecutedQuery;
  sources: SourceStatus[];
}

/**
 * `GET /v1/logs/previous`.
 *
 * @public
 */
export interface PreviousLogsResponse extends RawLogsPod {
  entityRef: string;
  container: string;
  /**
   * The end of the previous instance's log, oldest first; empty when it
   * wrote nothing or has none (see `unavailable`).
   */
  lines: RawLogLine[];
  /**
   * Why there is no previous instance to read, in plain words with the
   * Kubernetes API's own answer, e.g. when the container has not restarted.
   */
  unavailable?: string;
  /** Set when the previous log was longer than the answer holds. */
  truncated?: RawLogsTruncation;
  limits: { lines: number; bytes: number };
  /** The `kubectl logs` command that shows the same. */
  kubectlCommand: string;
  sources: SourceStatus[];
}
