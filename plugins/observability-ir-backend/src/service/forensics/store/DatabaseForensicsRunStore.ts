import { randomUUID } from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  DateValue,
  fromJson,
  optionalIso,
  toIso,
  toJson,
} from '../../../database/columns';
import { migratePluginDatabase } from '../../../database/migrations';
import {
  FORENSICS_LIST_DEFAULT_LIMIT,
  FORENSICS_LIST_MAX_LIMIT,
  FORENSICS_RAW_OUTPUT_MAX_BYTES,
  FORENSICS_REASON_MAX_LENGTH,
  ForensicsRun,
  ForensicsRunPatch,
  ForensicsRunStatus,
  ForensicsRunStore,
  ForensicsRunSummary,
  ForensicsRunTarget,
  NewForensicsRun,
} from './ForensicsRunStore';

const TABLE = 'observability_ir_forensics_runs';

const IN_FLIGHT: ForensicsRunStatus[] = ['pending', 'running'];
const FINAL: ForensicsRunStatus[] = ['succeeded', 'failed'];

/** The statuses a run may be in for a patch to move it to `to`. */
function allowedFrom(to: ForensicsRunStatus | undefined): ForensicsRunStatus[] {
  switch (to) {
    case 'pending':
      return ['pending'];
    case 'running':
    case 'succeeded':
    case 'failed':
    case undefined:
      return IN_FLIGHT;
    default:
      throw new InputError(`Unknown forensics run status '${to}'`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RunRow {
  id: string;
  job_name: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  node: string | null;
  entity_ref: string;
  requested_by: string;
  status: ForensicsRunStatus;
  reason: string | null;
  created_at: DateValue;
  started_at: DateValue | null;
  finished_at: DateValue | null;
  updated_at: DateValue;
  verdict: string | null;
  sections: string | null;
  raw_output: string | null;
  raw_output_truncated: boolean | number;
  claimed_by: string | null;
  lease_expires_at: DateValue | null;
}

const SUMMARY_COLUMNS: Array<keyof RunRow> = [
  'id',
  'job_name',
  'cluster',
  'namespace',
  'pod',
  'container',
  'node',
  'entity_ref',
  'requested_by',
  'status',
  'reason',
  'created_at',
  'started_at',
  'finished_at',
  'updated_at',
  'verdict',
  'raw_output_truncated',
  'claimed_by',
  'lease_expires_at',
];

/**
 * The head of the log, at most {@link FORENSICS_RAW_OUTPUT_MAX_BYTES} of
 * UTF-8, never cutting a character in two. PostgreSQL's text holds no NUL:
 * those become U+FFFD.
 */
export function capRawOutput(output: string): {
  text: string;
  truncated: boolean;
} {
  const text = output.replaceAll('\u0000', '\uFFFD');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= FORENSICS_RAW_OUTPUT_MAX_BYTES) {
    return { text, truncated: false };
  }
  // A streaming decode holds back a trailing partial character.
  const head = new TextDecoder('utf-8').decode(
    bytes.subarray(0, FORENSICS_RAW_OUTPUT_MAX_BYTES),
    { stream: true },
  );
  return { text: head, truncated: true };
}

function capReason(reason: string): string {
  return reason.replaceAll('\u0000', '').slice(0, FORENSICS_REASON_MAX_LENGTH);
}

function toSummary(row: RunRow): ForensicsRunSummary {
  const verdict = fromJson<ForensicsRunSummary['verdict']>(row.verdict);
  return {
    id: row.id,
    jobName: row.job_name,
    cluster: row.cluster,
    namespace: row.namespace,
    pod: row.pod,
    container: row.container,
    ...(row.node !== null && { node: row.node }),
    entityRef: row.entity_ref,
    requestedBy: row.requested_by,
    status: row.status,
    ...(row.reason !== null && { reason: row.reason }),
    createdAt: toIso(row.created_at),
    ...(row.started_at !== null && { startedAt: toIso(row.started_at) }),
    ...(row.finished_at !== null && { finishedAt: toIso(row.finished_at) }),
    updatedAt: toIso(row.updated_at),
    ...(verdict !== undefined && { verdict }),
    rawOutputTruncated: Boolean(row.raw_output_truncated),
    ...(row.claimed_by !== null && { claimedBy: row.claimed_by }),
    ...(row.lease_expires_at !== null && {
      leaseExpiresAt: optionalIso(row.lease_expires_at),
    }),
  };
}

function toRun(row: RunRow): ForensicsRun {
  const sections = fromJson<ForensicsRun['sections']>(row.sections);
  return {
    ...toSummary(row),
    ...(sections !== undefined && { sections }),
    ...(row.raw_output !== null && { rawOutput: row.raw_output }),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InputError(`${name} must be a positive integer, not ${value}`);
  }
  return value;
}

/** Options of {@link DatabaseForensicsRunStore.create}. */
export interface DatabaseForensicsRunStoreOptions {
  database: DatabaseService;
  /** The time written as `createdAt`, `updatedAt` and the like. */
  now?: () => Date;
}

/**
 * {@link ForensicsRunStore} in the plugin's database (SQLite in development,
 * PostgreSQL in production), through knex.
 */
export class DatabaseForensicsRunStore implements ForensicsRunStore {
  static async create(
    options: DatabaseForensicsRunStoreOptions,
  ): Promise<DatabaseForensicsRunStore> {
    const { database } = options;
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await migratePluginDatabase(db);
    }
    return new DatabaseForensicsRunStore(db, options.now ?? (() => new Date()));
  }

  private readonly lockRowsOnClaim: boolean;

  private constructor(
    private readonly db: Knex,
    private readonly now: () => Date,
  ) {
    // Row locks that other claimers skip: PostgreSQL and MySQL. SQLite
    // serializes writers anyway.
    this.lockRowsOnClaim = !String(db.client.config.client).includes('sqlite');
  }

  async create(run: NewForensicsRun): Promise<ForensicsRun> {
    if (run.id !== undefined && !UUID.test(run.id)) {
      throw new InputError(`A forensics run id is a UUID, not '${run.id}'`);
    }
    const id = (run.id ?? randomUUID()).toLowerCase();
    const now = this.now();
    await this.db(TABLE).insert({
      id,
      job_name: run.jobName,
      cluster: run.target.cluster,
      namespace: run.target.namespace,
      pod: run.target.pod,
      container: run.target.container,
      node: run.node ?? null,
      entity_ref: run.entityRef,
      requested_by: run.requestedBy,
      status: run.status ?? 'pending',
      created_at: now,
      started_at: run.status === 'running' ? now : null,
      updated_at: now,
      raw_output_truncated: false,
      claimed_by: run.lease?.owner ?? null,
      lease_expires_at: run.lease?.expiresAt ?? null,
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ForensicsRun | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.db<RunRow>(TABLE)
      .where({ id: id.toLowerCase() })
      .first();
    return row ? toRun(row) : undefined;
  }

  async listForEntity(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<ForensicsRunSummary[]> {
    const limit = Math.min(
      positiveInteger('limit', options?.limit ?? FORENSICS_LIST_DEFAULT_LIMIT),
      FORENSICS_LIST_MAX_LIMIT,
    );
    const rows: RunRow[] = await this.db<RunRow>(TABLE)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select(SUMMARY_COLUMNS);
    return rows.map(toSummary);
  }

  async findRecent(
    target: ForensicsRunTarget,
    since: Date,
  ): Promise<ForensicsRun | undefined> {
    const row = await this.db<RunRow>(TABLE)
      .where({
        cluster: target.cluster,
        namespace: target.namespace,
        pod: target.pod,
        container: target.container,
      })
      .andWhere(q =>
        q.whereIn('status', IN_FLIGHT).orWhere('finished_at', '>=', since),
      )
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toRun(row) : undefined;
  }

  async countInFlightOnNode(cluster: string, node: string): Promise<number> {
    const [row] = await this.db(TABLE)
      .where({ cluster, node })
      .whereIn('status', IN_FLIGHT)
      .count({ count: '*' });
    return Number((row as { count: number | string }).count);
  }

  async update(id: string, patch: ForensicsRunPatch): Promise<ForensicsRun> {
    const from = allowedFrom(patch.status);
    const now = this.now();
    const changes: Record<string, unknown> = { updated_at: now };
    if (patch.status !== undefined) changes.status = patch.status;
    if (patch.reason !== undefined) changes.reason = capReason(patch.reason);
    if (patch.node !== undefined) changes.node = patch.node;
    if (patch.verdict !== undefined) changes.verdict = toJson(patch.verdict);
    if (patch.sections !== undefined) changes.sections = toJson(patch.sections);
    if (patch.rawOutput !== undefined) {
      const { text, truncated } = capRawOutput(patch.rawOutput);
      changes.raw_output = text;
      changes.raw_output_truncated = truncated;
    }
    if (patch.status === 'running') {
      changes.started_at = this.db.raw('COALESCE(??, ?)', ['started_at', now]);
    }
    if (patch.status && FINAL.includes(patch.status)) {
      changes.finished_at = now;
      changes.lease_expires_at = null;
    }

    // One statement: the check and the change cannot be interleaved.
    const updated = UUID.test(id)
      ? await this.db(TABLE)
          .where({ id: id.toLowerCase() })
          .whereIn('status', from)
          .update(changes)
      : 0;
    if (updated === 0) {
      const current = await this.get(id);
      if (!current) {
        throw new NotFoundError(`No forensics run '${id}'`);
      }
      throw new ConflictError(
        patch.status && current.status !== patch.status
          ? `Forensics run '${id}' is ${current.status}; it cannot become ${patch.status}`
          : `Forensics run '${id}' is ${current.status} and does not change any more`,
      );
    }
    return (await this.get(id))!;
  }

  async claimStale(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<ForensicsRun[]> {
    positiveInteger('leaseMs', leaseMs);
    positiveInteger('limit', limit);
    const expiresAt = new Date(now.getTime() + leaseMs);
    const claimable = (q: Knex.QueryBuilder) =>
      q
        .whereIn('status', IN_FLIGHT)
        .andWhere(lease =>
          lease
            .whereNull('lease_expires_at')
            .orWhere('lease_expires_at', '<=', now),
        );

    return this.db.transaction(async tx => {
      let candidates = claimable(tx(TABLE).select('id'))
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(limit);
      if (this.lockRowsOnClaim) {
        candidates = candidates.forUpdate().skipLocked();
      }
      const ids = (await candidates).map((row: { id: string }) => row.id);
      if (ids.length === 0) return [];

      await claimable(tx(TABLE).whereIn('id', ids)).update({
        claimed_by: owner,
        lease_expires_at: expiresAt,
        updated_at: now,
      });
      const rows: RunRow[] = await tx<RunRow>(TABLE)
        .whereIn('id', ids)
        .where({ claimed_by: owner, lease_expires_at: expiresAt })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]);
      return rows.map(toRun);
    });
  }

  async renewLease(
    id: string,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    positiveInteger('leaseMs', leaseMs);
    if (!UUID.test(id)) return false;
    const updated = await this.db(TABLE)
      .where({ id: id.toLowerCase(), claimed_by: owner })
      .whereIn('status', IN_FLIGHT)
      .update({
        lease_expires_at: new Date(now.getTime() + leaseMs),
        updated_at: now,
      });
    return updated > 0;
  }

  async deleteFinishedBefore(date: Date): Promise<number> {
    return this.db(TABLE)
      .whereIn('status', FINAL)
      .andWhere('finished_at', '<', date)
      .delete();
  }
}

/**
 * The forensics run store in the plugin's database, its migrations applied
 * unless the backend skips migrations.
 */
export async function createForensicsRunStore(
  database: DatabaseService,
): Promise<ForensicsRunStore> {
  return DatabaseForensicsRunStore.create({ database });
}
