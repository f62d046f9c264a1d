/**
 * Shares upstream answers between identical requests: concurrent callers of
 * the same key wait for one load, and its result is reused for `ttlMs`.
 * Failures are shared by the callers waiting for them but never kept.
 */
export class EvidenceCache {
  private readonly entries = new Map<
    string,
    { value: Promise<unknown>; expiresAt: number }
  >();

  constructor(
    private readonly options: {
      ttlMs: number;
      /** Entries kept at most; the oldest go first. */
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.options.now?.() ?? Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      return cached.value as Promise<T>;
    }

    const value = load();
    // Until it settles, the entry is "in flight" and shared regardless of TTL.
    const entry = { value, expiresAt: Number.POSITIVE_INFINITY };
    this.entries.set(key, entry);
    this.evictOldest();
    value.then(
      () => {
        entry.expiresAt =
          (this.options.now?.() ?? Date.now()) + this.options.ttlMs;
      },
      () => {
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
        }
      },
    );
    return value;
  }

  private evictOldest() {
    const max = this.options.maxEntries ?? 1000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
