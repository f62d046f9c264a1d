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
import { readEvidenceLimits } from './config/readObservabilityIrConfig';
import { UserRateLimiter } from './rateLimit/UserRateLimiter';
import { createRouter } from './router';
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
      },
      async init({
        httpAuth,
        httpRouter,
        auditor,
        permissionsRegistry,
        config,
        incidents,
        clusterAccess,
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
        httpRouter.use(
          await createRouter({ httpAuth, auditor, incidents, rateLimiter }),
        );
      },
    });
  },
});
