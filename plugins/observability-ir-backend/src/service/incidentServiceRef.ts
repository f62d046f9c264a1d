import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { clusterAccessServiceRef } from '../clusters/clusterAccessServiceRef';
import { readForensicsConfig } from '../config/readForensicsConfig';
import { readObservabilityIrConfig } from '../config/readObservabilityIrConfig';
import { AuthorizedIncidentService } from './AuthorizedIncidentService';
import { cacheEntityReadsPerCaller } from './callerCache';
import { DefaultIncidentService } from './DefaultIncidentService';
import { forensicsRunStoreServiceRef } from './forensics/forensicsRunStoreServiceRef';
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
        forensicsRuns: forensicsRunStoreServiceRef,
      },
      factory: ({
        catalog,
        permissions,
        config,
        logger,
        clusterAccess,
        forensicsRuns,
      }) => {
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
            // Each read reads the entity on the caller's behalf; the
            // Incident tab's reads of one entity share that read.
            catalog: cacheEntityReadsPerCaller(catalog),
            config: readObservabilityIrConfig(config),
            logger,
            clusterAccess,
            // The newest node-forensics verdict weighs in the diagnosis.
            ...(readForensicsConfig(config).enabled ? { forensicsRuns } : {}),
          }),
          permissions,
        );
      },
    }),
});
