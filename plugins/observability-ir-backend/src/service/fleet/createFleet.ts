import {
  AuthService,
  CacheService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import pLimit from 'p-limit';
import { PrometheusClient } from '../../clients/PrometheusClient';
import { ClusterAccess } from '../../clusters/ClusterAccess';
import { readObservabilityIrConfig } from '../../config/readObservabilityIrConfig';
import { FleetOwnership } from './FleetOwnership';
import { FLEET_RANGES, FleetService } from './FleetService';
import { OomOwnerNotifier, oomNotificationsEnabled } from './OomOwnerNotifier';
import { readFleetConfig } from './readFleetConfig';
import { SweepSources, sweepFleet } from './sweepFleet';

/**
 * The most series read from one fleet query: the sweep's queries keep only
 * what is a finding, but across every namespace.
 */
const FLEET_MAX_SERIES = 20_000;

/** The entity fields ownership needs. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
];

/**
 * The fleet sweep's sources, all read with the plugin's own credentials:
 * the clusters of the cluster locators with the credential their auth
 * provider gives the plugin (no user's), each cluster's Prometheus, and
 * the catalog entities with Kubernetes annotations.
 */
export function fleetSources(deps: {
  config: RootConfigService;
  clusterAccess: ClusterAccess;
  catalog: typeof catalogServiceRef.T;
  auth: AuthService;
}): SweepSources {
  const settings = readObservabilityIrConfig(deps.config);
  const prometheusClients = new Map<string, PrometheusClient>();
  for (const source of settings.clusterSources) {
    if (source.prometheus) {
      prometheusClients.set(
        source.name,
        new PrometheusClient({
          cluster: source.name,
          source: source.prometheus,
          timeoutMs: settings.upstreamTimeoutMs,
          maxBodyBytes: settings.limits.responseBytes.prometheus,
          maxSeries: FLEET_MAX_SERIES,
          concurrency: pLimit(4),
        }),
      );
    }
  }
  return {
    clusters: () => deps.clusterAccess.clusters(),
    credential: cluster => deps.clusterAccess.credential(cluster, {}),
    prometheus: name => prometheusClients.get(name),
    ownership: async () => {
      const { items } = await deps.catalog.getEntities(
        {
          filter: [
            {
              [`metadata.annotations.${KUBERNETES_ANNOTATION}`]:
                CATALOG_FILTER_EXISTS,
            },
            {
              [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]:
                CATALOG_FILTER_EXISTS,
            },
          ],
          fields: ENTITY_FIELDS,
        },
        { credentials: await deps.auth.getOwnServiceCredentials() },
      );
      return new FleetOwnership(items);
    },
  };
}

/** The fleet service of the plugin, its sweep scheduled when enabled. */
export async function createFleet(deps: {
  config: RootConfigService;
  clusterAccess: ClusterAccess;
  catalog: typeof catalogServiceRef.T;
  auth: AuthService;
  scheduler: SchedulerService;
  cache: CacheService;
  logger: LoggerService;
  database: DatabaseService;
  notifications: NotificationService;
}): Promise<FleetService> {
  const fleetConfig = readFleetConfig(deps.config);
  const settings = readObservabilityIrConfig(deps.config);
  const logger = deps.logger.child({ task: 'fleet-sweep' });
  const sources = fleetSources(deps);
  // The owners of entities OOMKilled within the last hour are notified,
  // unless `observabilityIr.fleet.notifications.enabled` is false.
  const notifier =
    fleetConfig.enabled && oomNotificationsEnabled(deps.config)
      ? await OomOwnerNotifier.create({
          database: deps.database,
          notifications: deps.notifications,
          logger,
        })
      : undefined;
  const fleet = new FleetService({
    config: fleetConfig,
    scheduler: deps.scheduler,
    cache: deps.cache,
    logger,
    sweep: signal =>
      sweepFleet(sources, {
        ranges: FLEET_RANGES,
        nearOomShare: fleetConfig.nearOomShare,
        timeoutMs: settings.upstreamTimeoutMs,
        maxBodyBytes: settings.limits.responseBytes.kubernetes,
        pageSize: fleetConfig.pageSize,
        logger,
        signal,
      }),
    afterSweep: notifier && (results => notifier.notify(results['1h'])),
  });
  await fleet.start();
  return fleet;
}
