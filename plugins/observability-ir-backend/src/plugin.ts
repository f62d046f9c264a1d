import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import type {
  AuthenticationStrategy,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { observabilityIrPermissions } from '@observability-ir/plugin-observability-ir-common';
import { clusterAccessServiceRef } from './clusters/clusterAccessServiceRef';
import {
  observabilityIrAuthStrategyExtensionPoint,
  observabilityIrClusterSupplierExtensionPoint,
  ObservabilityIrClusterSupplierFactory,
} from './clusters/extensionPoints';
import {
  readEvidenceLimits,
  readObservabilityIrConfig,
} from './config/readObservabilityIrConfig';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { registerIncidentActions } from './actions/registerIncidentActions';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { UserRateLimiter } from './rateLimit/UserRateLimiter';
import { readRunbookConfig } from './config/readRunbookConfig';
import { createRouter } from './router';
import { createTelemetryRouter } from './telemetryRouter';
import { createRawLogsRouter } from './rawLogsRouter';
import { RawLogsService } from './service/rawLogs/RawLogsService';
import { TelemetryService } from './service/telemetry/TelemetryService';
import { createFleetRouter } from './fleetRouter';
import { createFleet } from './service/fleet/createFleet';
import { createFleetTelemetry } from './service/fleet/createFleetTelemetry';
import { DatabaseResultCache } from './service/fleet/DatabaseResultCache';
import { MemoryLimitFixer } from './service/fixes/MemoryLimitFixer';
import { DatabaseIncidentStore } from './service/incidents/DatabaseIncidentStore';
import { RunbookService } from './service/runbook/RunbookService';
import { createForensics } from './service/forensics/createForensics';
import { forensicsRunStoreServiceRef } from './service/forensics/forensicsRunStoreServiceRef';
import { DefaultIncidentService } from './service/DefaultIncidentService';
import { incidentServiceRef } from './service/incidentServiceRef';

/**
 * The observability-ir backend plugin: incident evidence and diagnosis for
 * catalog entities.
 *
 * @public
 */
export const observabilityIrPlugin = createBackendPlugin({
  pluginId: 'observability-ir',
  register(env) {
    // Modules contribute before the plugin starts; init hands it all over.
    const suppliers: Array<
      KubernetesClustersSupplier | ObservabilityIrClusterSupplierFactory
    > = [];
    const strategies: Array<[string, AuthenticationStrategy]> = [];
    env.registerExtensionPoint(observabilityIrClusterSupplierExtensionPoint, {
      addClusterSupplier: supplier => {
        suppliers.push(supplier);
      },
    });
    env.registerExtensionPoint(observabilityIrAuthStrategyExtensionPoint, {
      addAuthStrategy: (key, strategy) => {
        strategies.push([key, strategy]);
      },
    });
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
        permissionsRegistry: coreServices.permissionsRegistry,
        config: coreServices.rootConfig,
        incidents: incidentServiceRef,
        clusterAccess: clusterAccessServiceRef,
        catalog: catalogServiceRef,
        forensicsRuns: forensicsRunStoreServiceRef,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        database: coreServices.database,
        actionsRegistry: actionsRegistryServiceRef,
        auth: coreServices.auth,
        notifications: notificationService,
      },
      async init({
        httpAuth,
        httpRouter,
        auditor,
        permissionsRegistry,
        config,
        incidents,
        clusterAccess,
        catalog,
        forensicsRuns,
        scheduler,
        lifecycle,
        logger,
        permissions,
        database,
        actionsRegistry,
        auth,
        notifications,
      }) {
        permissionsRegistry.addPermissions(observabilityIrPermissions);
        suppliers.forEach(supplier =>
          clusterAccess.addClusterSupplier(supplier),
        );
        strategies.forEach(([key, strategy]) =>
          clusterAccess.addAuthStrategy(key, strategy),
        );
        const limits = readEvidenceLimits(config);
        const rateLimiter = new UserRateLimiter({
          perMinute: limits.userRequestsPerMinute,
          burst: limits.userBurst,
        });
        const forensics = await createForensics({
          config,
          store: forensicsRuns,
          scheduler,
          lifecycle,
          logger,
          permissions,
          clusterAccess,
          // Lists an entity's pods as the evidence does, for the check that
          // a forensics target is one of them.
          pods: new DefaultIncidentService({
            catalog,
            config: readObservabilityIrConfig(config),
            logger,
            clusterAccess,
          }),
        });
        const runbookConfig = readRunbookConfig(config);
        const runbooks = new RunbookService({
          incidents,
          forensics,
          store: await DatabaseIncidentStore.create({ database }),
          permissions,
          fixer: new MemoryLimitFixer({
            incidents,
            permissions,
            clusterAccess,
            maxLimitBytes: runbookConfig.maxMemoryLimitBytes,
            timeoutMs: readObservabilityIrConfig(config).upstreamTimeoutMs,
          }),
          verification: runbookConfig.verification,
          logger,
        });
        registerIncidentActions({
          actionsRegistry,
          incidents,
          runbooks,
          forensics,
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            incidents,
            rateLimiter,
            forensics,
            runbooks,
          }),
        );
        const irConfig = readObservabilityIrConfig(config);
        // The telemetry audit and raw logs read only the entity's pods, as
        // its evidence lists them.
        const entityServiceDeps = {
          catalog,
          config: irConfig,
          logger,
          clusterAccess,
          permissions,
          pods: new DefaultIncidentService({
            catalog,
            config: irConfig,
            logger,
            clusterAccess,
          }),
        };
        const telemetry = new TelemetryService(entityServiceDeps);
        httpRouter.use(
          createTelemetryRouter({ httpAuth, auditor, rateLimiter, telemetry }),
        );
        httpRouter.use(
          createRawLogsRouter({
            httpAuth,
            auditor,
            rateLimiter,
            rawLogs: new RawLogsService(entityServiceDeps),
          }),
        );
        // The fleet's scheduled work runs on one instance at a time; its
        // results are kept in the database, so every instance answers them.
        const scheduledResults = await DatabaseResultCache.create({
          database,
        });
        httpRouter.use(
          createFleetRouter({
            httpAuth,
            auditor,
            permissions,
            fleet: await createFleet({
              config,
              clusterAccess,
              catalog,
              auth,
              scheduler,
              cache: scheduledResults,
              logger,
              database,
              notifications,
            }),
            telemetry: await createFleetTelemetry({
              config,
              catalog,
              auth,
              scheduler,
              cache: scheduledResults,
              logger,
              telemetry,
            }),
          }),
        );
      },
    });
  },
});
