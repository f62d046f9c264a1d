import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { http, HttpHandler, HttpResponse } from 'msw';
import { ObservabilityIrClient, observabilityIrApiRef } from '../../../api';
import { IncidentRangeProvider } from '../../../hooks';
import {
  BASE_URL,
  checkoutApiEntity,
} from '../../../__testUtils__/renderPanel';
import { ReplicaTable } from '../../ReplicaTable';
import { NodeForensicsProvider } from '../NodeForensicsContext';

/** Where the forensics endpoints are in tests. */
export const FORENSICS_URL = `${BASE_URL}/v1/forensics`;

/** A Backstage error body, as the backend's error handler writes it. */
export function errorResponse(
  status: number,
  name: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'POST', url: '/v1/forensics' },
      response: { statusCode: status },
    },
    { status, headers },
  );
}

/** `GET /v1/forensics?entityRef=` answering these runs. */
export function listRuns(runs: object[]): HttpHandler {
  return http.get(FORENSICS_URL, () =>
    HttpResponse.json({
      entityRef: 'component:default/checkout-api',
      runs,
    }),
  );
}

/**
 * The Replicas panel with node forensics, as the Incident tab composes it,
 * for a user the permission API allows or denies.
 */
export function renderForensics(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    entity?: Entity;
  } = {},
) {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage.test' });
  const fetchApi = mockApis.fetch({ resolvePluginProtocol: { discoveryApi } });
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? checkoutApiEntity}>
      <IncidentRangeProvider>
        <NodeForensicsProvider>
          <ReplicaTable />
        </NodeForensicsProvider>
      </IncidentRangeProvider>
    </EntityProvider>,
    {
      apis: [
        discoveryApi,
        fetchApi,
        mockApis.permission({
          authorize: options.permission ?? AuthorizeResult.ALLOW,
        }),
        [observabilityIrApiRef, new ObservabilityIrClient({ fetchApi })],
      ],
    },
  );
}
