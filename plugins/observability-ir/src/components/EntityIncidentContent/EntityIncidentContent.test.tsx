import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  labMetrics,
  labMetricsWithoutPrometheus,
  labReplicas,
} from '../../__testUtils__/fixtures';
import { renderIncidentTab } from '../../__testUtils__/renderIncidentTab';
import {
  answer,
  BASE_URL,
  checkoutApiEntity,
  fail,
  hang,
  labHandlers,
} from '../../__testUtils__/renderPanel';

const server = setupServer();
registerMswTestHooks(server);

const HOUR = 3600 * 1000;

// Whole tabs with charts and tables render slowly in jsdom.
jest.setTimeout(20_000);

/**
 * Records the range of each metrics request: the preset it names, or the
 * length of its bounds in ms.
 */
function recordMetricsRanges() {
  const ranges: Array<string | number> = [];
  server.use(
    http.get(`${BASE_URL}/v1/metrics`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      ranges.push(
        params.get('range') ??
          Date.parse(params.get('end')!) - Date.parse(params.get('start')!),
      );
      return HttpResponse.json(labMetrics());
    }),
  );
  return ranges;
}

describe('the Incident tab', () => {
  it('shows every panel of the lab in layout order', async () => {
    server.use(...labHandlers());
    renderIncidentTab(checkoutApiEntity);

    const diagnosis = await screen.findByRole('region', { name: 'Diagnosis' });
    expect(
      await within(diagnosis).findByText(/512Mi → 1Gi/),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole(
        'img',
        { name: 'Memory working set and limit over time' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Replicas' });
    expect(within(table).getByText('checkout-api-v1-abc')).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', { name: 'Error logs' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/Last updated \d\d:\d\d:\d\d/),
    ).toBeInTheDocument();

    const headings = screen
      .getAllByRole('heading', { level: 2 })
      .map(h => h.textContent);
    expect(headings).toEqual([
      'Diagnosis',
      'Alerts',
      'Runbook',
      'Timeline',
      'Replicas',
      'Error logs',
      'Telemetry pipeline',
    ]);
  });

  it('keeps the replicas when Prometheus fails, naming it on the chart', async () => {
    server.use(
      answer(
        'metrics',
        labMetricsWithoutPrometheus({
          status: 'error',
          error: 'no answer within 10 s',
        }),
      ),
      ...labHandlers(),
    );
    renderIncidentTab(checkoutApiEntity);

    const timeline = await screen.findByRole('region', { name: 'Timeline' });
    expect(
      await within(timeline).findByText(
        'Prometheus of cluster sandbox: no answer within 10 s',
      ),
    ).toBeInTheDocument();
    expect(within(timeline).queryByRole('img', { name: /Memory/ })).toBeNull();

    const table = await screen.findByRole('table', { name: 'Replicas' });
    expect(within(table).getByText('checkout-api-v1-abc')).toBeInTheDocument();
    expect(within(table).getByText('checkout-api-v1-xyz')).toBeInTheDocument();
  });

  it('keeps the other panels when one endpoint fails', async () => {
    server.use(
      fail('logs', 500, 'Error', 'Loki client crashed'),
      ...labHandlers(),
    );
    renderIncidentTab(checkoutApiEntity);

    const logs = await screen.findByRole('region', { name: 'Error logs' });
    expect(
      await within(logs).findByText(/Loki client crashed/),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('table', { name: 'Replicas' }),
    ).toBeInTheDocument();
  });

  it('shows the refusal alone when the user may not see the service', async () => {
    server.use(
      fail(
        'workload',
        403,
        'NotAllowedError',
        'You are not allowed to read the incident data of component:default/checkout-api',
      ),
      ...labHandlers(),
    );
    renderIncidentTab(checkoutApiEntity);

    expect(
      await screen.findByText(/You cannot see this service's incident data/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Diagnosis' })).toBeNull();
  });

  it('says what to configure when the backend has no cluster', async () => {
    const sources = [
      {
        cluster: '(none configured)',
        source: 'kubernetes' as const,
        status: 'not-configured' as const,
        error:
          'No Kubernetes cluster is configured: add one to kubernetes.clusterLocatorMethods',
      },
    ];
    server.use(
      answer(
        'replicas',
        labReplicas({ replicas: [], events: [], nodes: [], sources }),
      ),
      ...labHandlers(),
    );
    renderIncidentTab(checkoutApiEntity);

    const replicas = await screen.findByRole('region', { name: 'Replicas' });
    expect(
      await within(replicas).findByText(
        /No Kubernetes configured for cluster \(none configured\): add the cluster to kubernetes\.clusterLocatorMethods/,
      ),
    ).toBeInTheDocument();
  });

  it('shows progress per panel before the answers', async () => {
    server.use(
      hang('diagnosis'),
      hang('metrics'),
      hang('timeline'),
      hang('replicas'),
      hang('logs'),
      ...labHandlers(),
    );
    renderIncidentTab(checkoutApiEntity);

    for (const label of [
      'Loading diagnosis',
      'Loading metrics',
      'Loading replicas',
      'Loading error logs',
    ]) {
      expect(
        await screen.findByRole('progressbar', { name: label }),
      ).toBeInTheDocument();
    }
  });

  it('shows the diagnosis and the replicas while the metrics and the timeline are on their way', async () => {
    server.use(hang('metrics'), hang('timeline'), ...labHandlers());
    renderIncidentTab(checkoutApiEntity);

    const diagnosis = await screen.findByRole('region', { name: 'Diagnosis' });
    expect(
      await within(diagnosis).findByText(/512Mi → 1Gi/),
    ).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Replicas' });
    expect(within(table).getByText('checkout-api-v1-abc')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Loading metrics' }),
    ).toBeInTheDocument();
  });

  it('fetches again with the 6h preset when 6h is chosen', async () => {
    server.use(...labHandlers());
    const ranges = recordMetricsRanges();
    renderIncidentTab(checkoutApiEntity);

    await waitFor(() => expect(ranges).toEqual(['1h']));
    const sixHours = screen.getByRole('button', { name: 'Last 6h' });
    expect(sixHours).toHaveAttribute('aria-pressed', 'false');

    await userEvent.click(sixHours);

    await waitFor(() => expect(ranges).toEqual(['1h', '6h']));
    expect(sixHours).toHaveAttribute('aria-pressed', 'true');
  });

  it('refuses a custom range that ends before it starts, keeping the input', async () => {
    server.use(...labHandlers());
    const ranges = recordMetricsRanges();
    renderIncidentTab(checkoutApiEntity);
    await waitFor(() => expect(ranges).toEqual(['1h']));

    await userEvent.click(screen.getByRole('button', { name: 'Custom' }));
    const start = screen.getByLabelText('Start');
    const end = screen.getByLabelText('End');
    fireEvent.change(start, { target: { value: '2026-11-25T15:00' } });
    fireEvent.change(end, { target: { value: '2026-11-25T13:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply range' }));

    const form = screen.getByRole('form', { name: 'Custom range' });
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The start must be before the end.',
    );
    expect(start).toHaveValue('2026-11-25T15:00');
    expect(end).toHaveValue('2026-11-25T13:00');
    expect(ranges).toEqual(['1h']);

    // Corrected, it applies.
    fireEvent.change(start, { target: { value: '2026-11-25T11:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Apply range' }));
    await waitFor(() => expect(ranges).toEqual(['1h', 2 * HOUR]));
    expect(within(form).queryByRole('alert')).toBeNull();
  });
});
