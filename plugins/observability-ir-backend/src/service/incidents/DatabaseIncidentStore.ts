import { randomUUID } from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  HypothesisId,
  IncidentAction,
  RunbookStepId,
} from '@observability-ir/plugin-observability-ir-common';
import type { Knex } from 'knex';
import {
  DateValue,
  fromJson,
  optionalIso,
  toIso,
  toJson,
} from '../../database/columns';
import { migratePluginDatabase } from '../../database/migrations';
import {
  ContainerMemoryLimits,
  INCIDENT_ACTION_MESSAGE_MAX_LENGTH,
  INCIDENT_MAX_ACTIONS,
  IncidentStore,
  NewIncident,
  ObservedFix,
  StoredIncident,
  VerificationState,
  VerifiedState,
} from './IncidentStore';

const INCIDENTS = 'observability_ir_incidents';
const ACTIONS = 'observability_ir_incident_actions';

interface IncidentRow {
  id: string;
  entity_ref: string;
  open_key: string | null;
  status: 'open' | 'resolved';
  hypothesis: string;
  title: string;
  opened_at: DateValue;
  closed_at: DateValue | null;
  baseline: string | null;
  fix: string | null;
  verification: string | null;
  verified: string | null;
  updated_at: DateValue;
}

interface ActionRow {
  id: number;
  incident_id: string;
  at: DateValue;
  actor: string;
  kind: IncidentAction['kind'];
  step_id: string | null;
  message: string;
}

function capMessage(message: string): string {
  return message.length > INCIDENT_ACTION_MESSAGE_MAX_LENGTH
    ? `${message.slice(0, INCIDENT_ACTION_MESSAGE_MAX_LENGTH - 1)}…`
    : message;
}

function toAction(row: ActionRow): IncidentAction {
  return {
    at: toIso(row.at),
    actor: row.actor,
    kind: row.kind,
    ...(row.step_id ? { stepId: row.step_id as RunbookStepId } : {}),
    message: row.message,
  };
}

function toIncident(row: IncidentRow, actions: ActionRow[]): StoredIncident {
  const openedAt = toIso(row.opened_at);
  const closedAt = optionalIso(row.closed_at);
  return {
    id: row.id,
    entityRef: row.entity_ref,
    status: row.status,
    hypothesis: row.hypothesis as HypothesisId,
    title: row.title,
    openedAt,
    ...(closedAt
      ? {
          closedAt,
          timeToRecoverySeconds: Math.round(
            (Date.parse(closedAt) - Date.parse(openedAt)) / 1000,
          ),
        }
      : {}),
    actions: actions.map(toAction),
    baseline: fromJson<ContainerMemoryLimits>(row.baseline) ?? {},
    fix: fromJson<ObservedFix>(row.fix),
    verification: fromJson<VerificationState>(row.verification),
    verified: fromJson<VerifiedState>(row.verified),
  };
}

/** Whether an insert failed on a unique constraint, on any database. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e.code === '23505' || // PostgreSQL
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'ER_DUP_ENTRY' || // MySQL
    /UNIQUE constraint failed/.test(e.message ?? '')
  );
}

/**
 * The incident records in the plugin's database. One open incident per
 * entity is the database's rule: `open_key` holds the entity ref while the
 * incident is open and null once it is resolved, under a unique index, so
 * two backend instances opening one at once cannot both succeed.
 */
export class DatabaseIncidentStore implements IncidentStore {
  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<DatabaseIncidentStore> {
    const { database } = options;
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await migratePluginDatabase(db);
    }
    return new DatabaseIncidentStore(db, options.now ?? (() => new Date()));
  }

  private constructor(
    private readonly db: Knex,
    private readonly now: () => Date,
  ) {}

  async open(
    incident: NewIncident,
  ): Promise<{ incident: StoredIncident; created: boolean }> {
    const id = randomUUID();
    try {
      await this.db.transaction(async tx => {
        await tx<IncidentRow>(INCIDENTS).insert({
          id,
          entity_ref: incident.entityRef,
          open_key: incident.entityRef,
          status: 'open',
          hypothesis: incident.hypothesis,
          title: incident.title,
          opened_at: incident.openedAt as unknown as DateValue,
          closed_at: null,
          baseline: toJson(incident.baseline),
          fix: null,
          verification: null,
          verified: null,
          updated_at: this.now() as unknown as DateValue,
        });
        await tx<ActionRow>(ACTIONS).insert({
          incident_id: id,
          at: incident.openedAt as unknown as DateValue,
          actor: 'system',
          kind: 'opened',
          step_id: null,
          message: capMessage(incident.message),
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
      const open = await this.openFor(incident.entityRef);
      if (!open) {
        // Closed between the failed insert and this read: try once more.
        return this.open(incident);
      }
      return { incident: open, created: false };
    }
    return { incident: (await this.read(id))!, created: true };
  }

  async latest(entityRef: string): Promise<StoredIncident | undefined> {
    const open = await this.openFor(entityRef);
    if (open) {
      return open;
    }
    const row = await this.db<IncidentRow>(INCIDENTS)
      .where({ entity_ref: entityRef })
      .orderBy('opened_at', 'desc')
      .first();
    return row ? this.withActions(row) : undefined;
  }

  async addAction(incidentId: string, action: IncidentAction): Promise<void> {
    const exists = await this.db<IncidentRow>(INCIDENTS)
      .where({ id: incidentId })
      .first('id');
    if (!exists) {
      throw new NotFoundError(`No incident ${incidentId}`);
    }
    await this.db<ActionRow>(ACTIONS).insert({
      incident_id: incidentId,
      at: new Date(action.at) as unknown as DateValue,
      actor: action.actor,
      kind: action.kind,
      step_id: action.stepId ?? null,
      message: capMessage(action.message),
    });
    await this.trimActions(incidentId);
  }

  async recordFix(incidentId: string, fix: ObservedFix): Promise<boolean> {
    const updated = await this.db<IncidentRow>(INCIDENTS)
      .where({ id: incidentId, status: 'open' })
      .whereNull('fix')
      .update({
        fix: toJson(fix),
        updated_at: this.now() as unknown as DateValue,
      });
    return updated > 0;
  }

  async setVerification(
    incidentId: string,
    verification: VerificationState,
  ): Promise<void> {
    await this.db<IncidentRow>(INCIDENTS)
      .where({ id: incidentId, status: 'open' })
      .update({
        verification: toJson(verification),
        updated_at: this.now() as unknown as DateValue,
      });
  }

  async close(
    incidentId: string,
    closed: { at: Date; verified: VerifiedState; message: string },
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx<IncidentRow>(INCIDENTS)
        .where({ id: incidentId, status: 'open' })
        .update({
          status: 'resolved',
          open_key: null,
          closed_at: closed.at as unknown as DateValue,
          verified: toJson(closed.verified),
          updated_at: this.now() as unknown as DateValue,
        });
      if (updated === 0) {
        return false;
      }
      await tx<ActionRow>(ACTIONS).insert({
        incident_id: incidentId,
        at: closed.at as unknown as DateValue,
        actor: 'system',
        kind: 'closed',
        step_id: 'verify',
        message: capMessage(closed.message),
      });
      return true;
    });
  }

  private async openFor(
    entityRef: string,
  ): Promise<StoredIncident | undefined> {
    const row = await this.db<IncidentRow>(INCIDENTS)
      .where({ open_key: entityRef })
      .first();
    return row ? this.withActions(row) : undefined;
  }

  private async read(id: string): Promise<StoredIncident | undefined> {
    const row = await this.db<IncidentRow>(INCIDENTS).where({ id }).first();
    return row ? this.withActions(row) : undefined;
  }

  private async withActions(row: IncidentRow): Promise<StoredIncident> {
    const actions = await this.db<ActionRow>(ACTIONS)
      .where({ incident_id: row.id })
      .orderBy('id', 'asc')
      .limit(INCIDENT_MAX_ACTIONS);
    return toIncident(row, actions);
  }

  /** Keeps an incident's history bounded: the oldest notes go first. */
  private async trimActions(incidentId: string): Promise<void> {
    const [{ count }] = await this.db<ActionRow>(ACTIONS)
      .where({ incident_id: incidentId })
      .count({ count: '*' });
    const excess = Number(count) - INCIDENT_MAX_ACTIONS;
    if (excess <= 0) {
      return;
    }
    const oldestNotes = await this.db<ActionRow>(ACTIONS)
      .where({ incident_id: incidentId, kind: 'note' })
      .orderBy('id', 'asc')
      .limit(excess)
      .select('id');
    await this.db<ActionRow>(ACTIONS)
      .whereIn(
        'id',
        oldestNotes.map(r => r.id),
      )
      .delete();
  }
}
