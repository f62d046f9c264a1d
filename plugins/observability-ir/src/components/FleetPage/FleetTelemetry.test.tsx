import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FleetTelemetryResponse } from '@observability-ir/plugin-observability-ir-common';
import { BASE_URL } from '../../__testUtils__/renderPanel';
import { FleetTelemetry } from './FleetTelemetry';
import { checkoutApi, renderFleet, search } from './__testUtils__/fleet';

const server = setupServer();
registerMswTestHooks(server);

const URL_PATH = `${BASE_URL}/v1/fleet/telemetry`;

function answerAudit(...bodies: FleetTelemetryResponse[]) {
  let count = 0;
  server.use(
    http.get(URL_PATH, () =>
      HttpResponse.json(bodies[Math.min(count++, bodies.length - 1)]),
    ),
  );
}

function errorBody(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/v1/fleet/telemetry' },
      response: { statusCode: status },
    },
    { status },
  );
}

describe('FleetTelemetry', () => {
  it('lists each entity with its metrics and logs state, the worst first', async () => {
    answerAudit({
      auditedAt: new Date(Date.now() - 3 * 60_000).toISOString(),
      rows: [
        { owner: search, metrics: 'ok', logs: 'ok' },
        {
          owner: checkoutApi,
          metrics: 'missing',
          logs: 'ok',
          problem: 'No ServiceMonitor selects Service checkout-api.',
        },
      ],
      sources: [],
    });
    renderFleet(<FleetTelemetry />);

    const table = await screen.findByRole('table', {
      name: 'Telemetry of every entity',
    });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map(r =>
        within(r)
          .getAllByRole('cell')
          .map(c => c.textContent),
      );
    expect(rows).toEqual([
      [
        'Checkout API',
        'finance-team',
        'Missing',
        'OK',
        'No ServiceMonitor selects Service checkout-api.',
      ],
      ['Search', 'storefront-team', 'OK', 'OK', '—'],
    ]);
    expect(
      within(table).getByRole('link', { name: 'Checkout API' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-api/incident',
    );
    expect(
      screen.getByText('Audited 3 min ago · 2 entities'),
    ).toBeInTheDocument();
  });

  it('says plainly when the backend does not serve the audit yet', async () => {
    server.use(
      http.get(URL_PATH, () =>
        errorBody(404, 'NotFoundError', 'No route for /v1/fleet/telemetry'),
      ),
    );
    renderFleet(<FleetTelemetry />);

    expect(
      await screen.findByText(
        /The backend does not offer the fleet telemetry audit yet/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No route for \/v1\/fleet\/telemetry \(404\)/),
    ).toBeInTheDocument();
  });

  it('says the first audit is running, then shows it', async () => {
    answerAudit(
      { rows: [], sources: [], pending: true },
      {
        auditedAt: new Date().toISOString(),
        rows: [{ owner: search, metrics: 'ok', logs: 'warning' }],
        sources: [],
      },
    );
    renderFleet(<FleetTelemetry pollMs={50} />);

    expect(
      await screen.findByText('The first audit is running…'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Telemetry of every entity' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Warning')).toBeInTheDocument();
  });

  it('names the permission a refusal is about', async () => {
    server.use(
      http.get(URL_PATH, () =>
        errorBody(403, 'NotAllowedError', 'You may not read the fleet'),
      ),
    );
    renderFleet(<FleetTelemetry />);

    expect(
      await screen.findByText(
        /You need the observability-ir\.fleet\.read permission \(platform teams\)/,
      ),
    ).toBeInTheDocument();
  });
});
