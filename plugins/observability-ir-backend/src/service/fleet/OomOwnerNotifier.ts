import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  FleetOwner,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import type { Knex } from 'knex';
import { DateValue } from '../../database/columns';
import { migratePluginDatabase } from '../../database/migrations';

const TABLE = 'observability_ir_oom_notified';

/** `observabilityIr.fleet.notifications.enabled`, default true. */
export function oomNotificationsEnabled(config: Config): boolean {
  return (
    config.getOptionalBoolean('observabilityIr.fleet.notifications.enabled') ??
    true
  );
}

/** The notification topic, which users can mute in their settings. */
export const OOM_NOTIFICATION_TOPIC = 'observability-ir';

/** One notification per entity: a new incident updates the same one. */
export const oomNotificationScope = (entityRef: string) =>
  `observability-ir:oom:${entityRef}`;

interface NotifiedRow {
  entity_ref: string;
  last_killed_at: DateValue;
  notified_at: DateValue;
  recovered_at: DateValue | null;
}

/** An entity's OOM kills in one sweep. */
interface OomIncident {
  owner: FleetOwner & { ownerRef: string };
  lastKilledMs: number;
  containers: string[];
}

const millis = (value: DateValue) =>
  typeof value === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(value)
    ? new Date(`${value.replace(' ', 'T')}Z`).getTime()
    : new Date(value).getTime();

function incidentLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/incident`;
}

/**
 * Tells an entity's owning group, through the notifications service, when
 * the fleet sweep finds its containers OOMKilled: once per incident. An
 * incident lasts from the first kill until a sweep finds no kill of the
 * entity in its range; a kill after that is a new incident. What was
 * notified is kept in the plugin's database, so neither the next sweep
 * nor a restart notifies again for the same kills.
 */
export class OomOwnerNotifier {
  static async create(options: {
    database: DatabaseService;
    notifications: NotificationService;
    logger: LoggerService;
    now?: () => Date;
  }): Promise<OomOwnerNotifier> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migratePluginDatabase(db);
    }
    return new OomOwnerNotifier(
      db,
      options.notifications,
      options.logger,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly db: Knex,
    private readonly notifications: NotificationService,
    private readonly logger: LoggerService,
    private readonly now: () => Date,
  ) {}

  /** Notifies the owners of the entities with a new OOM incident. */
  async notify(result: SilentOutagesResponse): Promise<void> {
    if (result.pending) {
      return;
    }
    const incidents = this.incidents(result);
    const rows: NotifiedRow[] = await this.db(TABLE).select();
    const records = new Map(rows.map(row => [row.entity_ref, row]));
    const now = this.now();

    for (const incident of incidents.values()) {
      const { entityRef } = incident.owner;
      const record = records.get(entityRef);
      const recordedMs = record ? millis(record.last_killed_at) : undefined;
      const isNew =
        !record ||
        (record.recovered_at !== null &&
          record.recovered_at !== undefined &&
          incident.lastKilledMs > recordedMs!);
      if (!isNew) {
        // The same incident: remember its latest kill, notify nobody.
        if (incident.lastKilledMs > recordedMs!) {
          await this.db(TABLE)
            .where({ entity_ref: entityRef })
            .update({ last_killed_at: new Date(incident.lastKilledMs) });
        }
        continue;
      }
      try {
        await this.send(incident, result.range);
      } catch (error) {
        // Not recorded: the next sweep tries again.
        this.logger.warn(
          `OOM notification for ${entityRef} not sent: ${
            (error as Error).message
          }`,
        );
        continue;
      }
      await this.db(TABLE)
        .insert({
          entity_ref: entityRef,
          last_killed_at: new Date(incident.lastKilledMs),
          notified_at: now,
          recovered_at: null,
        })
        .onConflict('entity_ref')
        .merge();
    }

    // An entity without a kill in the range has recovered, unless a source
    // failed: then its kills may merely be unseen.
    if (result.sources.some(source => source.status === 'error')) {
      return;
    }
    const recovered = rows
      .filter(row => !row.recovered_at && !incidents.has(row.entity_ref))
      .map(row => row.entity_ref);
    if (recovered.length > 0) {
      await this.db(TABLE)
        .whereIn('entity_ref', recovered)
        .update({ recovered_at: now });
    }
  }

  /** The owned entities with OOMKilled containers, by entity ref. */
  private incidents(result: SilentOutagesResponse): Map<string, OomIncident> {
    const sweptMs = result.sweptAt
      ? new Date(result.sweptAt).getTime()
      : this.now().getTime();
    const incidents = new Map<string, OomIncident>();
    for (const finding of result.findings) {
      const owner = finding.owner;
      if (finding.reason !== 'OOMKilled' || !owner?.ownerRef) {
        continue;
      }
      const killedMs = finding.lastKilledAt
        ? new Date(finding.lastKilledAt).getTime()
        : sweptMs;
      const container = `${finding.namespace}/${finding.pod}/${finding.container}`;
      const known = incidents.get(owner.entityRef);
      if (known) {
        known.lastKilledMs = Math.max(known.lastKilledMs, killedMs);
        known.containers.push(container);
      } else {
        incidents.set(owner.entityRef, {
          owner: { ...owner, ownerRef: owner.ownerRef },
          lastKilledMs: killedMs,
          containers: [container],
        });
      }
    }
    return incidents;
  }

  private async send(incident: OomIncident, range: string): Promise<void> {
    const { owner, containers } = incident;
    const shown = containers.slice(0, 5).join(', ');
    const more =
      containers.length > 5 ? ` and ${containers.length - 5} more` : '';
    await this.notifications.send({
      recipients: { type: 'entity', entityRef: owner.ownerRef },
      payload: {
        title: `${owner.title} was OOMKilled`,
        description: `${containers.length} container${
          containers.length === 1 ? '' : 's'
        } OOMKilled within the last ${range}, the latest at ${new Date(
          incident.lastKilledMs,
        ).toISOString()}: ${shown}${more}.`,
        link: incidentLink(owner.entityRef),
        severity: 'high',
        topic: OOM_NOTIFICATION_TOPIC,
        scope: oomNotificationScope(owner.entityRef),
      },
    });
  }
}
