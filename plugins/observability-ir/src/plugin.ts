import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { ObservabilityIrClient, observabilityIrApiRef } from './api';
import {
  fleetRouteRef,
  rootRouteRef,
  scaffolderTemplateRouteRef,
} from './routes';

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
    fleet: fleetRouteRef,
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

/**
 * The fleet health page of platform teams for the legacy frontend system:
 * silent outages across every cluster and the telemetry pipeline of every
 * entity. Mount it on a route of the app, e.g.
 * `<Route path="/fleet-health" element={<ObservabilityIrFleetPage />} />`.
 *
 * @public
 */
export const ObservabilityIrFleetPage = observabilityIrPlugin.provide(
  createRoutableExtension({
    name: 'ObservabilityIrFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);
