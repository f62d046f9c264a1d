import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  FleetOwner,
  FleetTelemetryRow,
  SourceStatus,
  TelemetryCheck,
  TelemetryCheckStatus,
  TelemetryResponse,
} from '@observability-ir/plugin-observability-ir-common';
import pLimit from 'p-limit';

const SEVERITY: Record<TelemetryCheckStatus, number> = {
  ok: 0,
  unknown: 1,
  warning: 2,
  missing: 3,
};

/** The worst state among checks: missing, then warning, unknown, ok. */
export function worstStatus(checks: TelemetryCheck[]): TelemetryCheckStatus {
  return checks.reduce<TelemetryCheckStatus>(
    (worst, c) => (SEVERITY[c.status] > SEVERITY[worst] ? c.status : worst),
    checks.length ? 'ok' : 'unknown',
  );
}

function ownerOf(entity: Entity): FleetOwner {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  let ownerRef: string | undefined;
  if (typeof owner === 'string' && owner) {
    try {
      ownerRef = stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      );
    } catch {
      ownerRef = undefined;
    }
  }
  return {
    entityRef: stringifyEntityRef(entity),
    title: entity.metadata.title ?? entity.metadata.name,
    ...(ownerRef ? { ownerRef } : {}),
  };
}

/**
 * The fleet's telemetry table: one row per entity with the worst state of
 * its metrics checks and of its logs checks across its clusters, and the
 * detail of its worst failing check (missing before warning, metrics
 * first among equals). `audit` reads one entity
 * (with whatever credentials the caller holds); an entity whose audit
 * fails gets a row of unknowns that says why, and the others stand.
 */
export async function auditFleetTelemetry(
  entities: Entity[],
  audit: (entityRef: string) => Promise<TelemetryResponse>,
  options: { concurrency?: number } = {},
): Promise<{ rows: FleetTelemetryRow[]; sources: SourceStatus[] }> {
  const limit = pLimit(options.concurrency ?? 4);
  const sources = new Map<string, SourceStatus>();
  const rows = await Promise.all(
    entities.map(entity =>
      limit(async (): Promise<FleetTelemetryRow> => {
        const owner = ownerOf(entity);
        try {
          const response = await audit(owner.entityRef);
          for (const s of response.sources) {
            const key = `${s.cluster}/${s.source}`;
            const known = sources.get(key);
            if (!known || (known.status === 'ok' && s.status !== 'ok')) {
              sources.set(key, s);
            }
          }
          const metricChecks = response.metrics.flatMap(m => m.checks);
          const logChecks = response.logs.flatMap(l => l.checks);
          // The worst failing check, metrics first among equals.
          const all = [...metricChecks, ...logChecks];
          const failing =
            all.find(c => c.status === 'missing') ??
            all.find(c => c.status === 'warning');
          return {
            owner,
            metrics: worstStatus(metricChecks),
            logs: worstStatus(logChecks),
            ...(failing ? { problem: failing.detail } : {}),
          };
        } catch (error) {
          return {
            owner,
            metrics: 'unknown',
            logs: 'unknown',
            problem: `The audit of ${owner.entityRef} failed: ${
              (error as Error).message
            }`,
          };
        }
      }),
    ),
  );
  return {
    rows,
    sources: [...sources.values()].sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) || a.source.localeCompare(b.source),
    ),
  };
}
