import {
  AuthService,
  CacheService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import type { TelemetryService } from '../telemetry/TelemetryService';
import {
  FleetTelemetryService,
  readFleetTelemetryConfig,
  sweepFleetTelemetry,
} from './FleetTelemetryService';

/** The entity fields a row needs. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'spec.owner',
];

/**
 * The fleet's telemetry audit, its task scheduled when enabled. Everything
 * is read with the plugin's own credentials, no user's: the catalog
 * Components with Kubernetes annotations, and each one's audit (the
 * clusters with the credential their auth provider gives the plugin).
 */
export async function createFleetTelemetry(deps: {
  config: RootConfigService;
  catalog: typeof catalogServiceRef.T;
  auth: AuthService;
  scheduler: SchedulerService;
  cache: CacheService;
  logger: LoggerService;
  telemetry: Pick<TelemetryService, 'getTelemetry'>;
}): Promise<FleetTelemetryService> {
  const config = readFleetTelemetryConfig(deps.config);
  const logger = deps.logger.child({ task: 'fleet-telemetry' });
  const service = new FleetTelemetryService({
    config,
    scheduler: deps.scheduler,
    cache: deps.cache,
    logger,
    sweep: async signal => {
      const credentials = await deps.auth.getOwnServiceCredentials();
      return sweepFleetTelemetry(
        {
          entities: async () =>
            (
              await deps.catalog.getEntities(
                {
                  filter: [
                    {
                      kind: 'Component',
                      [`metadata.annotations.${KUBERNETES_ANNOTATION}`]:
                        CATALOG_FILTER_EXISTS,
                    },
                    {
                      kind: 'Component',
                      [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]:
                        CATALOG_FILTER_EXISTS,
                    },
                  ],
                  fields: ENTITY_FIELDS,
                },
                { credentials },
              )
            ).items,
          audit: entityRef =>
            deps.telemetry.getTelemetry(entityRef, { credentials }),
        },
        { concurrency: config.concurrency, signal },
      );
    },
  });
  await service.start();
  return service;
}
