import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { ObservabilityIrClient, observabilityIrApiRef } from './api';
import { rootRouteRef, scaffolderTemplateRouteRef } from './routes';

/**
 * The observability-ir plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const observabilityIrPlugin = createPlugin({
  id: 'observability-ir',
  apis: [
    createApiFactory({
      api: observabilityIrApiRef,
      deps: {
        fetchApi: fetchApiRef,
        kubernetesAuthProvidersApi: kubernetesAuthProvidersApiRef,
      },
      factory: deps => new ObservabilityIrClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
  externalRoutes: {
    scaffolderTemplate: scaffolderTemplateRouteRef,
  },
});

/**
 * The Incident tab content for the legacy frontend system, to place in an
 * `EntityLayout.Route` guarded by `isObservabilityIncidentAvailable`.
 *
 * @public
 */
export const EntityObservabilityIncidentContent = observabilityIrPlugin.provide(
  createRoutableExtension({
    name: 'EntityObservabilityIncidentContent',
    component: () =>
      import('./components/EntityIncidentContent').then(
        m => m.EntityIncidentContent,
      ),
    mountPoint: rootRouteRef,
  }),
);
