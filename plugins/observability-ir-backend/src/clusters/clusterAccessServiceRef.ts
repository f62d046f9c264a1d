import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ClusterAccess } from './ClusterAccess';

/**
 * The plugin's {@link ClusterAccess}: one per plugin, shared by the
 * incident service and the plugin's init, which hands it what modules
 * registered through the extension points.
 */
export const clusterAccessServiceRef = createServiceRef<ClusterAccess>({
  id: 'observability-ir.cluster-access',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        logger: coreServices.logger,
      },
      factory: deps => new ClusterAccess(deps),
    }),
});
