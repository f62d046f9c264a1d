import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { AuthorizedIncidentService } from './AuthorizedIncidentService';
import { DefaultIncidentService } from './DefaultIncidentService';
import type { IncidentService } from './IncidentService';

/**
 * The service behind the plugin's routes: {@link DefaultIncidentService}
 * behind the permission checks of {@link AuthorizedIncidentService}.
 *
 * @public
 */
export const incidentServiceRef = createServiceRef<IncidentService>({
  id: 'observability-ir.incidents',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      factory: ({ catalog, permissions, config, logger }) => {
        const ownConfig = readObservabilityIrConfig(config);
        for (const problem of ownConfig.problems) {
          logger.warn(problem);
        }
        if (ownConfig.clusters.length === 0) {
          logger.warn(
            'No Kubernetes cluster is configured (kubernetes.clusterLocatorMethods); the Incident tab will say so',
          );
        }
        return new AuthorizedIncidentService(
          new DefaultIncidentService({ catalog, config: ownConfig, logger }),
          permissions,
        );
      },
    }),
});
