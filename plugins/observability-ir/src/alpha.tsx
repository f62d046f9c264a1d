import {
  ApiBlueprint,
  createFrontendPlugin,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Content } from '@backstage/core-components';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { isObservabilityIncidentAvailable } from '@observability-ir/plugin-observability-ir-common';
import { ObservabilityIrClient, observabilityIrApiRef } from './api';
import AssessmentIcon from '@material-ui/icons/Assessment';
import { fleetRouteRef, scaffolderTemplateRouteRef } from './routes';

/** The client of the observability-ir backend. */
export const observabilityIrApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: observabilityIrApiRef,
      // The user's Kubernetes credentials, as the Kubernetes plugin gets them.
      deps: {
        fetchApi: fetchApiRef,
        kubernetesAuthProvidersApi: kubernetesAuthProvidersApiRef,
      },
      factory: deps => new ObservabilityIrClient(deps),
    }),
});

/** The Incident tab, on entities annotated for Kubernetes. */
export const entityIncidentContent = EntityContentBlueprint.make({
  name: 'incident',
  params: {
    path: '/incident',
    title: 'Incident',
    filter: isObservabilityIncidentAvailable,
    loader: () =>
      import('./components/EntityIncidentContent').then(m => (
        <m.EntityIncidentContent />
      )),
  },
});

/**
 * The fleet health page of platform teams, with its item in the app's nav.
 */
export const fleetPage = PageBlueprint.make({
  name: 'fleet',
  params: {
    path: '/fleet-health',
    title: 'Fleet health',
    icon: <AssessmentIcon />,
    routeRef: fleetRouteRef,
    // The app draws the page's header; the content keeps the usual margins.
    loader: () =>
      import('./components/FleetPage').then(m => (
        <Content>
          <m.FleetHealthContent />
        </Content>
      )),
  },
});

/**
 * The observability-ir plugin for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'observability-ir',
  info: { packageJson: () => import('../package.json') },
  routes: { fleet: fleetRouteRef },
  externalRoutes: { scaffolderTemplate: scaffolderTemplateRouteRef },
  extensions: [observabilityIrApi, entityIncidentContent, fleetPage],
});
