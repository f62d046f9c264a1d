import { Entity } from '@backstage/catalog-model';
import {
  mockApis,
  renderInTestApp,
  RenderTestAppOptions,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { http, HttpResponse, delay, HttpHandler } from 'msw';
import { ReactElement } from 'react';
import { ObservabilityIrClient, observabilityIrApiRef } from '../api';
import { IncidentRangeProvider, RangeSelection } from '../hooks';
import {
  labAlerts,
  labDiagnosis,
  labLogs,
  labMetrics,
  labReplicas,
  labTimeline,
} from './fixtures';
import { oomRunbook } from './runbooks';

/** Where the mocked discovery API puts the backend. */
export const BASE_URL = 'http://backstage.test/api/observability-ir';

/** The lab's entity. */
export const checkoutApiEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout-api',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout-api',
      'backstage.io/kubernetes-namespace': 'finance',
    },
  },
  spec: { type: 'service', owner: 'finance-team', lifecycle: 'production' },
};

/** The endpoints of the backend, by the name used in their path. */
export type Endpoint =
  | 'workload'
  | 'replicas'
  | 'metrics'
  | 'logs'
  | 'timeline'
  | 'diagnosis'
  | 'forensics'
  | 'clusters'
  | 'runbook'
  | 'telemetry'
  | 'alerts';

/** An msw handler answering one endpoint with a body (200). */
export function answer(endpoint: Endpoint, body: object): HttpHandler {
  return http.get(`${BASE_URL}/v1/${endpoint}`, () => HttpResponse.json(body));
}

/** An msw handler answering one endpoint with a Backstage error body. */
export function fail(
  endpoint: Endpoint,
  status: number,
  name: string,
  message: string,
): HttpHandler {
  return http.get(`${BASE_URL}/v1/${endpoint}`, () =>
    HttpResponse.json(
      {
        error: { name, message },
        request: { method: 'GET', url: `/v1/${endpoint}` },
        response: { statusCode: status },
      },
      { status },
    ),
  );
}

/** An msw handler that never answers. */
export function hang(endpoint: Endpoint): HttpHandler {
  return http.get(`${BASE_URL}/v1/${endpoint}`, async () => {
    await delay('infinite');
    return HttpResponse.json({});
  });
}

/** Handlers answering every endpoint with the lab scenario. */
export function labHandlers(): HttpHandler[] {
  return [
    answer('workload', {
      entityRef: 'component:default/checkout-api',
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: 'finance',
    }),
    answer('replicas', labReplicas()),
    answer('metrics', labMetrics()),
    answer('logs', labLogs()),
    answer('timeline', labTimeline()),
    answer('diagnosis', labDiagnosis()),
    answer('alerts', labAlerts()),
    // The lab's cluster takes the backend's own credentials.
    answer('clusters', {
      entityRef: 'component:default/checkout-api',
      clusters: [{ name: 'sandbox', authProvider: 'serviceAccount' }],
    }),
    // No node-forensics run yet.
    answer('forensics', {
      entityRef: 'component:default/checkout-api',
      runs: [],
    }),
    answer('runbook', oomRunbook()),
    // The telemetry pipeline is whole.
    answer('telemetry', {
      entityRef: 'component:default/checkout-api',
      metrics: [],
      logs: [],
      sources: [],
    }),
  ];
}

/**
 * Renders one panel of the Incident tab for the lab's entity, with the real
 * client talking to msw.
 */
export function renderPanel(
  element: ReactElement,
  options: {
    config?: RenderTestAppOptions['config'];
    initialSelection?: RangeSelection;
  } = {},
) {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage.test' });
  const fetchApi = mockApis.fetch({ resolvePluginProtocol: { discoveryApi } });
  return renderInTestApp(
    <EntityProvider entity={checkoutApiEntity}>
      <IncidentRangeProvider initialSelection={options.initialSelection}>
        {element}
      </IncidentRangeProvider>
    </EntityProvider>,
    {
      config: options.config,
      apis: [
        discoveryApi,
        fetchApi,
        [observabilityIrApiRef, new ObservabilityIrClient({ fetchApi })],
      ],
    },
  );
}
