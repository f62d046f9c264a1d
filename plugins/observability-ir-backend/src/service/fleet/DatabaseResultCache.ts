import {
  CacheService,
  CacheServiceOptions,
  CacheServiceSetOptions,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds, JsonValue } from '@backstage/types';
import type { Knex } from 'knex';
import { DateValue, toIso } from '../../database/columns';
import { migratePluginDatabase } from '../../database/migrations';

const TABLE = 'observability_ir_scheduled_results';

/** A result kept without a TTL is kept this long. */
const DEFAULT_TTL_MS = 24 * 3_600_000;

interface ResultRow {
  key: string;
  value: string;
  expires_at: DateValue;
}

function ttlMs(ttl: CacheServiceSetOptions['ttl'], fallback: number): number {
  if (ttl === undefined) return fallback;
  return typeof ttl === 'number' ? ttl : durationToMilliseconds(ttl);
}

/**
 * The results of scheduled work, kept in the plugin's database: the task
 * runs on one backend instance at a time, and every instance answers its
 * last result, whether the cache is shared between them or not. Only the
 * cache's get, set and delete are offered; expired rows are removed as new
 * results are written.
 */
export class DatabaseResultCache implements CacheService {
  static async create(options: {
    database: DatabaseService;
    now?: () => number;
  }): Promise<DatabaseResultCache> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migratePluginDatabase(db);
    }
    return new DatabaseResultCache(db, options.now ?? Date.now);
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => number,
    private readonly defaultTtlMs = DEFAULT_TTL_MS,
  ) {}

  async get<TValue extends JsonValue>(
    key: string,
  ): Promise<TValue | undefined> {
    const row = await this.db<ResultRow>(TABLE).where({ key }).first();
    if (!row || Date.parse(toIso(row.expires_at)) <= this.now()) {
      return undefined;
    }
    return JSON.parse(row.value) as TValue;
  }

  async set(
    key: string,
    value: JsonValue,
    options?: CacheServiceSetOptions,
  ): Promise<void> {
    const now = this.now();
    const expiresAt = new Date(now + ttlMs(options?.ttl, this.defaultTtlMs));
    await this.db<ResultRow>(TABLE)
      .insert({ key, value: JSON.stringify(value), expires_at: expiresAt })
      .onConflict('key')
      .merge(['value', 'expires_at']);
    await this.db<ResultRow>(TABLE)
      .where('expires_at', '<', new Date(now))
      .delete();
  }

  async delete(key: string): Promise<void> {
    await this.db<ResultRow>(TABLE).where({ key }).delete();
  }

  withOptions(options: CacheServiceOptions): CacheService {
    return new DatabaseResultCache(
      this.db,
      this.now,
      ttlMs(options.defaultTtl, this.defaultTtlMs),
    );
  }
}
