import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  registerMswTestHooks,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { kubernetesAuthProvidersApiRef } from '@backstage/plugin-kubernetes-react';
import { screen } from '@testing-library/react';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import observabilityIrPlugin from './alpha';
import { checkoutApiEntity, labHandlers } from './__testUtils__/renderPanel';
import { silentOutages } from './components/FleetPage/__testUtils__/fleet';
import { fleetRouteRef } from './routes';

const incidentContent = observabilityIrPlugin.getExtension(
  'entity-content:observability-ir/incident',
);
const clientApi = observabilityIrPlugin.getExtension('api:observability-ir');
const fleetPage = observabilityIrPlugin.getExtension(
  'page:observability-ir/fleet',
);

const recommendations: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'recommendations' },
  spec: { type: 'service', owner: 'storefront-team', lifecycle: 'production' },
};

const baseUrl = 'http://backstage.test/api/observability-ir';
const server = setupServer();
registerMswTestHooks(server);

function renderIncidentTab(entity: Entity) {
  const discoveryApi = mockApis.discovery({
    baseUrl: 'http://backstage.test',
  });
  return renderTestApp({
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

describe('the Incident tab', () => {
  it('shows where the entity runs below the incident evidence', async () => {
    const requested: string[] = [];
    server.use(
      http.get(`${baseUrl}/v1/workload`, ({ request }) => {
        requested.push(new URL(request.url).searchParams.get('entityRef')!);
        return HttpResponse.json({
          entityRef: 'component:default/checkout-api',
          kubernetesId: 'checkout-api',
          labelSelector: 'backstage.io/kubernetes-id=checkout-api',
          namespace: 'finance',
        });
      }),
      ...labHandlers(),
    );

    renderIncidentTab(checkoutApiEntity);

    expect(
      await screen.findByText('backstage.io/kubernetes-id=checkout-api'),
    ).toBeInTheDocument();
    expect(screen.getByText('finance')).toBeInTheDocument();
    expect(screen.getByText('every configured cluster')).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', {
        name: 'Most likely cause: Memory limit too low',
      }),
    ).toBeInTheDocument();
    expect(requested).toEqual(['component:default/checkout-api']);
  });

  it('shows the telemetry pipeline in its own panel, never holding up the rest', async () => {
    server.use(
      // Before the lab's handlers: the first that matches answers.
      http.get(`${baseUrl}/v1/telemetry`, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
      ...labHandlers(),
    );

    renderIncidentTab(checkoutApiEntity);

    expect(
      await screen.findByRole('heading', {
        name: 'Most likely cause: Memory limit too low',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', {
        name: 'Loading the telemetry pipeline',
      }),
    ).toBeInTheDocument();
  });

  it('shows a progress indicator while the backend answers', async () => {
    server.use(
      http.get(`${baseUrl}/v1/workload`, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );

    renderIncidentTab(checkoutApiEntity);

    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('explains a refusal from the backend in plain words', async () => {
    server.use(
      http.get(`${baseUrl}/v1/workload`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'You are not allowed to read the incident data of component:default/checkout-api',
            },
            request: { method: 'GET', url: '/v1/workload' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );

    renderIncidentTab(checkoutApiEntity);

    expect(
      await screen.findByText(/You cannot see this service's incident data/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /You are not allowed to read the incident data of component:default\/checkout-api\. Incident data is shown to the owners/,
      ),
    ).toBeInTheDocument();
  });

  it('reports a backend failure as an error', async () => {
    server.use(
      http.get(`${baseUrl}/v1/workload`, () =>
        HttpResponse.json(
          {
            error: { name: 'Error', message: 'catalog unavailable' },
            request: { method: 'GET', url: '/v1/workload' },
            response: { statusCode: 500 },
          },
          { status: 500 },
        ),
      ),
    );

    renderIncidentTab(checkoutApiEntity);

    expect(
      await screen.findByText(/Request failed with 500/),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/You cannot see this service's incident data/),
    ).not.toBeInTheDocument();
  });

  it('is not offered on entities without Kubernetes annotations', async () => {
    let requests = 0;
    server.use(
      http.get(`${baseUrl}/v1/workload`, () => {
        requests += 1;
        return HttpResponse.json({});
      }),
    );

    renderIncidentTab(recommendations);

    // The entity page has filtered the tab out, so it renders nothing.
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
    expect(screen.queryByText('Workload')).not.toBeInTheDocument();
    expect(requests).toBe(0);
  });
});

describe('the fleet health page', () => {
  it('is offered in the nav as "Fleet health" with an icon', () => {
    const tester = createExtensionTester(fleetPage);

    expect(tester.get(coreExtensionData.routePath)).toBe('/fleet-health');
    expect(tester.get(coreExtensionData.title)).toBe('Fleet health');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBe(fleetRouteRef);
  });

  it('shows the fleet’s silent outages and telemetry at /fleet-health', async () => {
    server.use(
      http.get(`${baseUrl}/v1/fleet/silent-outages`, () =>
        HttpResponse.json(silentOutages()),
      ),
      http.get(`${baseUrl}/v1/fleet/telemetry`, () =>
        HttpResponse.json({
          rows: [],
          sources: [],
          auditedAt: new Date().toISOString(),
        }),
      ),
    );
    const discoveryApi = mockApis.discovery({
      baseUrl: 'http://backstage.test',
    });
    renderTestApp({
      extensions: [fleetPage, clientApi],
      initialRouteEntries: ['/fleet-health'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        discoveryApi,
        mockApis.fetch({ resolvePluginProtocol: { discoveryApi } }),
        [
          kubernetesAuthProvidersApiRef,
          {
            getCredentials: async () => ({}),
            decorateRequestBodyForAuth: async (_provider, body) => body,
          },
        ],
      ],
    });

    expect(
      await screen.findByRole('link', { name: 'Checkout API' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-api/incident',
    );
    expect(
      screen.getByRole('heading', { name: 'Fleet health' }),
    ).toBeInTheDocument();
    // The nav item and the page's title both lead here.
    const links = screen.getAllByRole('link', { name: 'Fleet health' });
    expect(links.map(l => l.getAttribute('href'))).toContain('/fleet-health');
    expect(links.every(l => l.getAttribute('href') === '/fleet-health')).toBe(
      true,
    );
    expect(await screen.findByText('No entity to audit')).toBeInTheDocument();
  });
});
