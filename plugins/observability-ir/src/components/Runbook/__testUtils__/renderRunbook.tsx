import {
  mockApis,
  renderInTestApp,
  RenderTestAppOptions,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { RunbookResponse } from '@observability-ir/plugin-observability-ir-common';
import { http, HttpResponse } from 'msw';
import { ObservabilityIrClient, observabilityIrApiRef } from '../../../api';
import { IncidentRangeProvider } from '../../../hooks';
import {
  BASE_URL,
  checkoutApiEntity,
} from '../../../__testUtils__/renderPanel';
import { TimeRangeToolbar } from '../../TimeRangeToolbar';
import { Runbook } from '../Runbook';

/** Where the runbook endpoints are in tests. */
export const RUNBOOK_URL = `${BASE_URL}/v1/runbook`;
export const ACTIONS_URL = `${BASE_URL}/v1/runbook/actions`;
export const EXPORT_URL = `${BASE_URL}/v1/runbook/export`;

/** A Backstage error body, as the backend's error handler writes it. */
export function errorResponse(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/v1/runbook' },
      response: { statusCode: status },
    },
    { status },
  );
}

/**
 * `GET /v1/runbook` answering each runbook in turn, the last one after;
 * records the entity of each read.
 */
export function answerRunbooks(...runbooks: RunbookResponse[]) {
  const reads: string[] = [];
  const handler = http.get(RUNBOOK_URL, ({ request }) => {
    reads.push(new URL(request.url).searchParams.get('entityRef')!);
    return HttpResponse.json(
      runbooks[Math.min(reads.length - 1, runbooks.length - 1)],
    );
  });
  return { handler, reads };
}

/**
 * `POST /v1/runbook/actions` recording each body and answering `reply`
 * (201 with a runbook, or a response of its own), once `answerAfter` (if
 * given) settled.
 */
export function recordActions(
  reply: () => RunbookResponse | Response,
  options: { answerAfter?: Promise<void> } = {},
) {
  const bodies: unknown[] = [];
  const handler = http.post(ACTIONS_URL, async ({ request }) => {
    bodies.push(await request.json());
    await options.answerAfter;
    const answer = reply();
    return answer instanceof Response
      ? answer
      : HttpResponse.json(answer, { status: 201 });
  });
  return { handler, bodies };
}

/**
 * The Runbook section for the lab's entity, as the Incident tab places it,
 * with the real client talking to msw.
 */
export function renderRunbook(
  options: {
    pollMs?: number;
    mountedRoutes?: RenderTestAppOptions['mountedRoutes'];
    /** With the tab's toolbar above, whose refresh the section follows. */
    withToolbar?: boolean;
  } = {},
) {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage.test' });
  const fetchApi = mockApis.fetch({ resolvePluginProtocol: { discoveryApi } });
  return renderInTestApp(
    <EntityProvider entity={checkoutApiEntity}>
      <IncidentRangeProvider>
        {options.withToolbar && <TimeRangeToolbar />}
        <Runbook pollMs={options.pollMs} />
      </IncidentRangeProvider>
    </EntityProvider>,
    {
      mountedRoutes: options.mountedRoutes,
      apis: [
        discoveryApi,
        fetchApi,
        [observabilityIrApiRef, new ObservabilityIrClient({ fetchApi })],
      ],
    },
  );
}
