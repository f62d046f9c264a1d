import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { useNavigate } from 'react-router-dom';
import { setupServer } from 'msw/node';
import {
  LAB_END,
  LAB_START,
  labMetrics,
  labReplicas,
} from '../../__testUtils__/fixtures';
import { BASE_URL, renderPanel } from '../../__testUtils__/renderPanel';
import { toDateTimeLocal, useEvidence } from '../../hooks';
import { ReplicaTable } from '../ReplicaTable';
import { TimeRangeToolbar } from './TimeRangeToolbar';

const server = setupServer();
registerMswTestHooks(server);

describe('TimeRangeToolbar', () => {
  it('shows when the data was last updated, and refreshes on request', async () => {
    let requests = 0;
    server.use(
      http.get(`${BASE_URL}/v1/replicas`, () => {
        requests += 1;
        return HttpResponse.json(labReplicas());
      }),
    );
    renderPanel(
      <>
        <TimeRangeToolbar />
        <ReplicaTable />
      </>,
    );

    expect(
      await screen.findByText(/^Last updated \d\d:\d\d:\d\d$/),
    ).toBeInTheDocument();
    expect(requests).toBe(1);

    await userEvent.click(screen.getByRole('button', { name: 'Refresh now' }));
    await waitFor(() => expect(requests).toBe(2));
  });

  it('offers the presets, custom and auto-refresh as toggle buttons', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/replicas`, () =>
        HttpResponse.json(labReplicas()),
      ),
    );
    renderPanel(<TimeRangeToolbar />);

    for (const name of [
      'Last 15m',
      'Last 1h',
      'Last 6h',
      'Last 24h',
      'Custom',
    ]) {
      expect(screen.getByRole('button', { name })).toBeInTheDocument();
    }
    expect(screen.getByRole('button', { name: 'Last 1h' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    const every30s = screen.getByRole('button', { name: 'Refresh every 30s' });
    await userEvent.click(every30s);
    expect(every30s).toHaveAttribute('aria-pressed', 'true');
    expect(
      screen.getByRole('button', { name: 'Auto-refresh off' }),
    ).toHaveAttribute('aria-pressed', 'false');
  });

  it('starts a custom range from the range the backend answered for', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/metrics`, () => HttpResponse.json(labMetrics())),
    );
    /** A panel that shows nothing but asks for the metrics. */
    function MetricsProbe() {
      const { value } = useEvidence('getMetrics');
      return <span>{value ? 'metrics answered' : 'asking'}</span>;
    }
    renderPanel(
      <>
        <TimeRangeToolbar />
        <MetricsProbe />
      </>,
    );
    expect(await screen.findByText('metrics answered')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Custom' }));

    expect(screen.getByLabelText('Start')).toHaveValue(
      toDateTimeLocal(new Date(LAB_START)),
    );
    expect(screen.getByLabelText('End')).toHaveValue(
      toDateTimeLocal(new Date(LAB_END)),
    );
  });

  it('follows the browser back to the range chosen before', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/replicas`, () =>
        HttpResponse.json(labReplicas()),
      ),
    );
    function Back() {
      const navigate = useNavigate();
      return <button onClick={() => navigate(-1)}>Browser back</button>;
    }
    renderPanel(
      <>
        <TimeRangeToolbar />
        <Back />
      </>,
    );
    const pressed = () =>
      screen
        .getAllByRole('button', { pressed: true })
        .map(button => button.textContent);

    await userEvent.click(screen.getByRole('button', { name: 'Last 6h' }));
    await userEvent.click(screen.getByRole('button', { name: 'Custom' }));
    fireEvent.change(screen.getByLabelText('Start'), {
      target: { value: '2026-11-25T10:00' },
    });
    fireEvent.change(screen.getByLabelText('End'), {
      target: { value: '2026-11-25T12:00' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Apply range' }));
    expect(pressed()).toEqual(['Custom', 'Off']);

    await userEvent.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(pressed()).toEqual(['6h', 'Off']));
    expect(
      screen.queryByRole('form', { name: 'Custom range' }),
    ).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(pressed()).toEqual(['1h', 'Off']));
  });
});
