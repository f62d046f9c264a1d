import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { observabilityIrPermissions } from '@observability-ir/plugin-observability-ir-common';
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
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
        permissionsRegistry: coreServices.permissionsRegistry,
        config: coreServices.rootConfig,
        incidents: incidentServiceRef,
      },
      async init({
        httpAuth,
        httpRouter,
        auditor,
        permissionsRegistry,
        config,
        incidents,
      }) {
        permissionsRegistry.addPermissions(observabilityIrPermissions);
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
