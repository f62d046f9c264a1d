import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { callerOf } from '../rateLimit/callerOf';

/**
 * How long an entity read or an authorization decision is reused for the
 * same caller: short enough that a change of ownership or of the policy
 * shows within seconds, long enough that the Incident tab's burst of reads
 * (one per panel, and again on every auto-refresh) asks once.
 */
export const CALLER_CACHE_TTL_MS = 5_000;

/** The most answers kept; past that, the oldest go first. */
export const CALLER_CACHE_MAX_ENTRIES = 10_000;

/**
 * Whose answer a cached one is: the caller, and for a user the expiry of
 * the token, so that a new sign-in (with the ownership claims of that
 * moment) is another key.
 */
export function credentialsKey(credentials: BackstageCredentials): string {
  return `${callerOf(credentials)}|${credentials.expiresAt?.getTime() ?? ''}`;
}

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
}

/**
 * Answers kept for a short time, by key: concurrent callers of one key wait
 * for one load (even with a TTL of 0), its answer is reused until the TTL
 * has passed since it settled, failures are never kept, and at most
 * `maxEntries` answers are held.
 */
export class ShortLivedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly options: {
      ttlMs: number;
      maxEntries?: number;
      now?: () => number;
    },
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) {
      return cached.value;
    }
    if (cached) {
      this.entries.delete(key);
    }
    const value = load();
    // In flight until it settles: shared, whatever the TTL.
    const entry: Entry<T> = { value, expiresAt: Number.POSITIVE_INFINITY };
    this.entries.set(key, entry);
    value.then(
      () => {
        if (this.entries.get(key) !== entry) return;
        if (this.options.ttlMs > 0) {
          entry.expiresAt = this.now() + this.options.ttlMs;
        } else {
          this.entries.delete(key);
        }
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.bound(now);
    return value;
  }

  /** How many answers are held (settled or in flight). */
  get size(): number {
    return this.entries.size;
  }

  private bound(now: number) {
    const max = this.options.maxEntries ?? CALLER_CACHE_MAX_ENTRIES;
    if (this.entries.size <= max) return;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    // Oldest first: a Map iterates in insertion order.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= max) return;
      this.entries.delete(key);
    }
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }
}

/**
 * The catalog, with `getEntityByRef` answered once per entity and caller
 * for {@link CALLER_CACHE_TTL_MS}: each read of an entity's incident data
 * reads the entity on the caller's behalf, and the Incident tab sends
 * several at once. The catalog still decides what each caller may see; a
 * read without credentials is not cached. Every other method goes to the
 * catalog as it is.
 */
export function cacheEntityReadsPerCaller(
  catalog: CatalogService,
  options: { ttlMs?: number; now?: () => number } = {},
): CatalogService {
  const cache = new ShortLivedCache<
    Awaited<ReturnType<CatalogService['getEntityByRef']>>
  >({ ttlMs: options.ttlMs ?? CALLER_CACHE_TTL_MS, now: options.now });
  const getEntityByRef: CatalogService['getEntityByRef'] = (
    entityRef,
    requestOptions,
  ) => {
    const credentials = (
      requestOptions as { credentials?: BackstageCredentials } | undefined
    )?.credentials;
    if (!credentials) {
      return catalog.getEntityByRef(entityRef, requestOptions);
    }
    const ref =
      typeof entityRef === 'string' ? entityRef : JSON.stringify(entityRef);
    return cache.get(`${ref}\n${credentialsKey(credentials)}`, () =>
      catalog.getEntityByRef(entityRef, requestOptions),
    );
  };
  return new Proxy(catalog, {
    get(target, property, receiver) {
      if (property === 'getEntityByRef') return getEntityByRef;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
