import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterAccessServiceRef } from '../clusters/clusterAccessServiceRef';
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
        clusterAccess: clusterAccessServiceRef,
      },
      factory: ({ catalog, permissions, config, logger, clusterAccess }) => {
        if (
          (
            config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ??
            []
          ).length === 0
        ) {
          logger.warn(
            'No Kubernetes cluster locator is configured (kubernetes.clusterLocatorMethods); the Incident tab will say so',
          );
        }
        return new AuthorizedIncidentService(
          new DefaultIncidentService({
            catalog,
            config: readObservabilityIrConfig(config),
            logger,
            clusterAccess,
          }),
          permissions,
        );
      },
    }),
});
