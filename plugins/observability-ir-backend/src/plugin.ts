import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { observabilityIrPermissions } from '@observability-ir/plugin-observability-ir-common';
import { createRouter } from './router';
import { incidentServiceRef } from './service/IncidentService';

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
        incidents: incidentServiceRef,
      },
      async init({
        httpAuth,
        httpRouter,
        auditor,
        permissionsRegistry,
        incidents,
      }) {
        permissionsRegistry.addPermissions(observabilityIrPermissions);
        httpRouter.use(await createRouter({ httpAuth, auditor, incidents }));
      },
    });
  },
});
