/** How a failed attempt should be retried, if at all. */
export interface RetryDecision {
  retry: boolean;
  /** What the server asked for in `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
}

/** Limits of {@link withRetries}. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff; doubles with each retry. */
  baseDelayMs: number;
  /** No wait is longer, whatever the server asks. */
  maxDelayMs: number;
  /**
   * No retry is waited for past this many milliseconds from the first
   * attempt: the last error is thrown instead.
   */
  budgetMs?: number;
  classify(error: unknown): RetryDecision;
  /** Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Runs an idempotent read, retrying the failures `classify` allows. The
 * wait honours the server's `Retry-After`, otherwise backs off
 * exponentially with full jitter, and is capped.
 */
export async function withRetries<T>(
  read: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry || attempt >= options.attempts) {
        throw error;
      }
      const backoff = options.baseDelayMs * 2 ** (attempt - 1) * random();
      const wait = Math.min(
        decision.retryAfterMs ?? backoff,
        options.maxDelayMs,
      );
      if (now() + wait > deadline) {
        throw error;
      }
      await sleep(wait);
    }
  }
}

/**
 * Reads a `Retry-After` header: delay in seconds, or an HTTP date.
 */
export function parseRetryAfter(
  value: string | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value) * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
