import { randomUUID } from 'node:crypto';
import {
  LifecycleService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { ClusterAccess } from '../../clusters/ClusterAccess';
import { readForensicsConfig } from '../../config/readForensicsConfig';
import { readObservabilityIrConfig } from '../../config/readObservabilityIrConfig';
import { DefaultIncidentService } from '../DefaultIncidentService';
import { ForensicsRunChanges } from './ForensicsRunChanges';
import { ForensicsRunner } from './ForensicsRunner';
import {
  DefaultForensicsService,
  DisabledForensicsService,
  ForensicsService,
  serviceForensicsClusters,
} from './ForensicsService';
import type { ForensicsRunStore } from './store';

/** How long finished runs are kept by default. */
export const FORENSICS_RETENTION_DEFAULT_MS = 30 * 24 * 3_600_000;

/** The scheduled task that resumes orphaned runs and cleans up. */
export const FORENSICS_UPKEEP_TASK_ID = 'observability-ir-forensics-upkeep';

const RETENTION_KEY = 'observabilityIr.forensics.retention';

/** `observabilityIr.forensics.retention`: 1 day to 10 years, default 30 days. */
export function readForensicsRetentionMs(config: RootConfigService): number {
  if (!config.has(RETENTION_KEY)) return FORENSICS_RETENTION_DEFAULT_MS;
  const ms = durationToMilliseconds(
    readDurationFromConfig(config, { key: RETENTION_KEY }),
  );
  if (!(ms >= 24 * 3_600_000 && ms <= 3650 * 24 * 3_600_000)) {
    throw new Error(
      `${RETENTION_KEY} must be from 1 day to 10 years, got ${ms} ms`,
    );
  }
  return ms;
}

/**
 * Node forensics as configured: off ({@link DisabledForensicsService},
 * every route answers 503), or the service with its store (migrated), its
 * runner, and a task on the scheduler (`scope: 'global'`, one instance at
 * a time) that takes over runs whose backend stopped, deletes leftover
 * Jobs and forgets runs older than the retention. On shutdown the runner
 * stops following and lets its leases end, for the next instance.
 */
export async function createForensics(deps: {
  config: RootConfigService;
  store: ForensicsRunStore;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  logger: LoggerService;
  permissions: PermissionsService;
  clusterAccess: ClusterAccess;
  /** The pods of an entity, listed as the evidence lists them. */
  pods: DefaultIncidentService;
}): Promise<ForensicsService> {
  const forensics = readForensicsConfig(deps.config);
  if (!forensics.enabled) {
    return new DisabledForensicsService();
  }
  const { enabled: _, ...settings } = forensics;
  const retentionMs = readForensicsRetentionMs(deps.config);
  const { upstreamTimeoutMs } = readObservabilityIrConfig(deps.config);
  const logger = deps.logger.child({ feature: 'node-forensics' });
  const { store } = deps;
  const changes = new ForensicsRunChanges();
  const runner = new ForensicsRunner({
    store,
    changes,
    settings,
    clusters: serviceForensicsClusters(deps.clusterAccess, upstreamTimeoutMs),
    logger,
    instanceId: `${process.pid}-${randomUUID()}`,
  });
  deps.lifecycle.addShutdownHook(() => runner.stop());

  await deps.scheduler.scheduleTask({
    id: FORENSICS_UPKEEP_TASK_ID,
    scope: 'global',
    frequency: { seconds: 30 },
    timeout: { minutes: 5 },
    fn: async () => {
      await runner.resumeStale();
      await runner.cleanup(new Date(Date.now() - retentionMs));
    },
  });

  return new DefaultForensicsService({
    settings,
    store,
    runner,
    pods: deps.pods,
    clusterAccess: deps.clusterAccess,
    permissions: deps.permissions,
    logger,
    timeoutMs: upstreamTimeoutMs,
    changes,
  });
}
