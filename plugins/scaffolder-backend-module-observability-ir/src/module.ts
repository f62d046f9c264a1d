import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createMemoryLimitApplyAction,
  createMemoryLimitRaiseAction,
} from './actions';

/**
 * The scaffolder module with the observability-ir memory-limit actions.
 *
 * @public
 */
export const scaffolderModuleObservabilityIr = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'observability-ir',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, config, discovery, auth }) {
        scaffolder.addActions(
          createMemoryLimitRaiseAction({ config, discovery, auth }),
          createMemoryLimitApplyAction({ config, discovery, auth }),
        );
      },
    });
  },
});
