import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { createForensicsRunStore, ForensicsRunStore } from './store';

/**
 * The plugin's node-forensics runs in its database (migrated on first use),
 * one store shared by the routes, the runner and the diagnosis.
 */
export const forensicsRunStoreServiceRef = createServiceRef<ForensicsRunStore>({
  id: 'observability-ir.forensics-runs',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { database: coreServices.database },
      factory: ({ database }) => createForensicsRunStore(database),
    }),
});
