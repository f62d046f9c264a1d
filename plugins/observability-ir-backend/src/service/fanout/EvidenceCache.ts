import { approximateSize } from './approximateSize';

interface Entry {
  value: Promise<unknown>;
  expiresAt: number;
  /** Approximate bytes, counted once the value has settled. */
  bytes: number;
}

/**
 * Shares upstream answers between identical requests: concurrent callers of
 * the same key wait for one load, and its result is reused for `ttlMs`.
 * Failures, and answers `keep` refuses, are shared by the callers waiting
 * for them but never kept.
 *
 * Bounded in bytes: settled answers are weighed, the oldest go first when
 * the total passes `maxBytes`, an answer larger than that is not kept, and
 * expired answers are swept out instead of waiting to be asked for again.
 */
export class EvidenceCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private nextSweepAt = 0;

  constructor(
    private readonly options: {
      ttlMs: number;
      /** Bytes of settled answers kept at most. */
      maxBytes: number;
      /**
       * Whether a settled answer may be kept for the TTL; one that may not
       * (e.g. a source failed) is shared while in flight only.
       */
      keep?: (value: unknown) => boolean;
      now?: () => number;
    },
  ) {}

  /** Approximate bytes held by settled answers. */
  get size(): number {
    return this.bytes;
  }

  /**
   * The answer for `key`, loaded once. `sizeOf` weighs it when the default
   * walk over the whole value would count what it merely refers to.
   */
  async get<T>(
    key: string,
    load: () => Promise<T>,
    sizeOf: (value: T) => number = approximateSize,
  ): Promise<T> {
    const now = this.now();
    this.sweepExpired(now);
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      return cached.value as Promise<T>;
    }
    if (cached) {
      this.remove(key, cached);
    }

    const value = load();
    // Until it settles, the entry is "in flight" and shared regardless of TTL.
    const entry: Entry = {
      value,
      expiresAt: Number.POSITIVE_INFINITY,
      bytes: 0,
    };
    this.entries.set(key, entry);
    value.then(
      settled => {
        if (this.entries.get(key) !== entry) return;
        // Nothing is kept without a TTL: no need to weigh it.
        if (
          this.options.ttlMs <= 0 ||
          (this.options.keep && !this.options.keep(settled))
        ) {
          this.remove(key, entry);
          return;
        }
        entry.expiresAt = this.now() + this.options.ttlMs;
        entry.bytes = sizeOf(settled);
        this.bytes += entry.bytes;
        if (entry.bytes > this.options.maxBytes) {
          this.remove(key, entry);
        }
        this.evictOldest();
      },
      () => {
        if (this.entries.get(key) === entry) {
          this.remove(key, entry);
        }
      },
    );
    return value;
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  private remove(key: string, entry: Entry) {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evictOldest() {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) return;
      // In-flight entries weigh nothing yet; only settled ones are evicted.
      if (entry.bytes > 0) this.remove(key, entry);
    }
  }

  // A full pass at most once per half TTL keeps the cost per call constant
  // on average.
  private sweepExpired(now: number) {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.options.ttlMs / 2;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.remove(key, entry);
    }
  }
}
