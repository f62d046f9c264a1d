import { Entity } from '@backstage/catalog-model';
import {
  mockApis,
  renderTestApp,
  RenderTestAppOptions,
} from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import observabilityIrPlugin from '../alpha';

const incidentContent = observabilityIrPlugin.getExtension(
  'entity-content:observability-ir/incident',
);
const clientApi = observabilityIrPlugin.getExtension('api:observability-ir');

/**
 * Renders the Incident tab as the app does: the plugin's extensions on a
 * test entity page, with the real client talking to msw.
 */
export function renderIncidentTab(
  entity: Entity,
  config?: RenderTestAppOptions['config'],
) {
  const discoveryApi = mockApis.discovery({
    baseUrl: 'http://backstage.test',
  });
  return renderTestApp({
    config,
    extensions: [createTestEntityPage({ entity }), incidentContent, clientApi],
    apis: [
      discoveryApi,
      mockApis.fetch({ resolvePluginProtocol: { discoveryApi } }),
      // What the Kubernetes plugin provides; no cluster here needs a user token.
      [
        kubernetesAuthProvidersApiRef,
        {
          getCredentials: async () => ({}),
          decorateRequestBodyForAuth: async (_provider, body) => body,
        },
      ],
    ],
  });
}
