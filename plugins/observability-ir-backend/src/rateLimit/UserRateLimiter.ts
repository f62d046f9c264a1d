import { CustomErrorBase } from '@backstage/errors';

/**
 * Too many requests from one caller. The framework's error handler answers
 * it with its `statusCode`, 429, in the usual error body.
 */
export class TooManyRequestsError extends CustomErrorBase {
  readonly name = 'TooManyRequestsError';
  readonly statusCode = 429;

  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per caller: `burst` requests at once, refilled at
 * `perMinute` requests a minute. Buckets that are full again are forgotten
 * once there are many, so memory stays bounded by the active callers.
 */
export class UserRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly options: {
      perMinute: number;
      burst: number;
      now?: () => number;
      /** Buckets kept before full ones are swept. */
      maxCallers?: number;
    },
  ) {
    this.perMs = options.perMinute / 60_000;
  }

  /**
   * Takes one request from `caller`'s bucket.
   *
   * @throws TooManyRequestsError with the seconds to wait when it is empty.
   */
  take(caller: string): void {
    const now = this.options.now?.() ?? Date.now();
    const bucket = this.refilled(caller, now);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((1 - bucket.tokens) / this.perMs / 1000),
      );
      throw new TooManyRequestsError(
        `Too many requests from ${caller}: at most ${this.options.perMinute} a minute; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
    bucket.tokens -= 1;
  }

  private refilled(caller: string, now: number): Bucket {
    let bucket = this.buckets.get(caller);
    if (!bucket) {
      this.sweepIfFull(now);
      bucket = { tokens: this.options.burst, updatedAt: now };
      this.buckets.set(caller, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + (now - bucket.updatedAt) * this.perMs,
    );
    bucket.updatedAt = now;
    return bucket;
  }

  private sweepIfFull(now: number) {
    if (this.buckets.size < (this.options.maxCallers ?? 10_000)) return;
    for (const [caller, bucket] of this.buckets) {
      const tokens = bucket.tokens + (now - bucket.updatedAt) * this.perMs;
      if (tokens >= this.options.burst) this.buckets.delete(caller);
    }
  }
}
