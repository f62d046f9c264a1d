import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { labAlerts, okSources } from '../../__testUtils__/fixtures';
import {
  answer,
  fail,
  hang,
  renderPanel,
} from '../../__testUtils__/renderPanel';
import { AlertsPanel } from './AlertsPanel';

const server = setupServer();
registerMswTestHooks(server);

describe('AlertsPanel', () => {
  it('lists the lab’s alerts per pod, firing ones as still firing and a resolved one with its end', async () => {
    server.use(answer('alerts', labAlerts()));
    renderPanel(<AlertsPanel />);

    const table = await screen.findByRole('table', {
      name: 'Alerts of the entity’s pods',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    const cells = rows.map(row =>
      within(row)
        .getAllByRole('cell')
        .map(c => c.textContent),
    );
    expect(cells[0].slice(0, 4)).toEqual([
      'KubePodCrashLooping',
      'warning',
      'firing',
      'checkout-api-v1-abc (checkout-api)',
    ]);
    expect(cells[0][5]).toBe('still firing');
    expect(cells[0][6]).toContain('Pod is crash looping.');
    expect(cells[3].slice(0, 3)).toEqual([
      'ContainerMemoryNearLimit',
      'warning',
      'resolved',
    ]);
    expect(cells[3][5]).toMatch(/2026-11-25/);
  });

  it('lists the first ten alerts of a workload of many pods, and all of them on request', async () => {
    const [crashLooping] = labAlerts().alerts;
    const alerts = Array.from({ length: 25 }, (_, i) => ({
      ...crashLooping,
      pod: `checkout-api-v1-${String(i).padStart(3, '0')}`,
      labels: { ...crashLooping.labels, pod: `checkout-api-v1-${i}` },
    }));
    server.use(answer('alerts', labAlerts({ alerts })));
    renderPanel(<AlertsPanel />);

    const table = await screen.findByRole('table', {
      name: 'Alerts of the entity’s pods',
    });
    const pods = () =>
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map(row => within(row).getAllByRole('cell')[3].textContent);
    expect(pods()).toHaveLength(10);
    expect(pods()[0]).toBe('checkout-api-v1-000 (checkout-api)');

    await userEvent.click(
      screen.getByRole('button', { name: 'Show all 25 alerts (15 more)' }),
    );
    expect(pods()).toHaveLength(25);
    expect(pods()[24]).toBe('checkout-api-v1-024 (checkout-api)');

    await userEvent.click(
      screen.getByRole('button', { name: 'Show the first 10 alerts' }),
    );
    expect(pods()).toHaveLength(10);
  });

  it('says so when no alert fired', async () => {
    server.use(answer('alerts', labAlerts({ alerts: [] })));
    renderPanel(<AlertsPanel />);

    expect(
      await screen.findByText('No alert fired for these pods in this range'),
    ).toBeInTheDocument();
  });

  it('shows Prometheus’ alerts and names Alertmanager when it failed', async () => {
    const body = labAlerts({
      sources: [
        ...okSources(['kubernetes', 'prometheus']),
        {
          cluster: 'sandbox',
          source: 'alertmanager',
          status: 'error',
          error: 'Alertmanager of cluster sandbox: unreachable: ECONNREFUSED',
        },
      ],
    });
    server.use(answer('alerts', body));
    renderPanel(<AlertsPanel />);

    expect(
      await screen.findByText('Alertmanager of cluster sandbox failed'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Alerts of the entity’s pods' }),
    ).toBeInTheDocument();
  });

  it('shows the error of a refused request', async () => {
    server.use(
      fail(
        'alerts',
        403,
        'NotAllowedError',
        'The incident data of component:default/checkout-api is refused',
      ),
    );
    renderPanel(<AlertsPanel />);

    expect(
      await screen.findByText(/The incident data of .* is refused/),
    ).toBeInTheDocument();
  });

  it('shows a skeleton while the alerts are on their way', async () => {
    server.use(hang('alerts'));
    renderPanel(<AlertsPanel />);

    expect(
      await screen.findByRole('progressbar', { name: 'Loading alerts' }),
    ).toBeInTheDocument();
  });
});
