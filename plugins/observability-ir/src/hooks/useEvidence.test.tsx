import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { labReplicas } from '../__testUtils__/fixtures';
import { BASE_URL, renderPanel } from '../__testUtils__/renderPanel';
import { useEvidence } from './useEvidence';
import { useIncidentRange } from './IncidentRangeContext';

const server = setupServer();
registerMswTestHooks(server);

/** Shows what a panel would: its pods, whether it loads, its error. */
function ReplicasProbe() {
  const { value, loading, error } = useEvidence('getReplicas');
  const { refresh } = useIncidentRange();
  return (
    <>
      <button onClick={refresh}>refresh</button>
      <span>{loading ? 'loading' : 'settled'}</span>
      <span>{value?.replicas.map(r => r.pod).join(' ') ?? 'no pods'}</span>
      <span>{error ? `failed: ${error.message}` : 'no error'}</span>
    </>
  );
}

describe('useEvidence', () => {
  it('keeps the previous answer while it refreshes, then shows the new one', async () => {
    const answers = [labReplicas(), undefined, labReplicas({ replicas: [] })];
    let requests = 0;
    let release = () => {};
    server.use(
      http.get(`${BASE_URL}/v1/replicas`, async () => {
        const answer = answers[requests++];
        if (!answer) {
          await new Promise<void>(resolve => {
            release = resolve;
          });
          return HttpResponse.json(answers[2]);
        }
        return HttpResponse.json(answer);
      }),
    );
    renderPanel(<ReplicasProbe />);
    expect(await screen.findByText(/checkout-api-v1-abc/)).toBeInTheDocument();

    await userEvent.click(screen.getByText('refresh'));
    expect(await screen.findByText('loading')).toBeInTheDocument();
    expect(screen.getByText(/checkout-api-v1-abc/)).toBeInTheDocument();

    release();
    expect(await screen.findByText('settled')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByText(/checkout-api-v1-abc/)).toBeNull(),
    );
  });

  it('shows the error of a failed request, and the answer of the next', async () => {
    let requests = 0;
    server.use(
      http.get(`${BASE_URL}/v1/replicas`, async () => {
        requests += 1;
        if (requests === 1) {
          await delay(10);
          return HttpResponse.json(
            {
              error: { name: 'Error', message: 'Kubernetes did not answer' },
              request: { method: 'GET', url: '/v1/replicas' },
              response: { statusCode: 502 },
            },
            { status: 502 },
          );
        }
        return HttpResponse.json(labReplicas());
      }),
    );
    renderPanel(<ReplicasProbe />);
    expect(
      await screen.findByText(/^failed: Request failed with 502/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByText('refresh'));
    expect(await screen.findByText(/checkout-api-v1-abc/)).toBeInTheDocument();
    expect(screen.getByText('no error')).toBeInTheDocument();
  });
});
