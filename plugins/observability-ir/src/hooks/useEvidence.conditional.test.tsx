import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { useRef } from 'react';
import { labReplicas } from '../__testUtils__/fixtures';
import { BASE_URL, renderPanel } from '../__testUtils__/renderPanel';
import { ReplicaTable } from '../components/ReplicaTable';
import { useEvidence } from './useEvidence';
import { useIncidentRange, useLastUpdated } from './IncidentRangeContext';

const server = setupServer();
registerMswTestHooks(server);

/**
 * What the panels see: how many different answers arrived, whether one
 * ever went missing once shown, and when the tab was last updated.
 */
function ReplicasProbe() {
  const { value, loading } = useEvidence('getReplicas');
  const { refresh } = useIncidentRange();
  const lastUpdated = useLastUpdated();
  const seen = useRef(new Set<object>());
  const lost = useRef(false);
  if (value) {
    seen.current.add(value);
  } else if (seen.current.size > 0) {
    lost.current = true;
  }
  return (
    <>
      <button onClick={refresh}>refresh</button>
      <span>{loading ? 'loading' : 'settled'}</span>
      <span>answers: {seen.current.size}</span>
      <span>{lost.current ? 'answer lost' : 'answer kept'}</span>
      <span data-testid="updated">{lastUpdated?.getTime() ?? 'never'}</span>
    </>
  );
}

/** The replicas endpoint with validators: 304 while the answer is `current`. */
function replicasWithValidators() {
  const log: { ifNoneMatch: string | null; status: number }[] = [];
  const state = { version: 1, body: labReplicas() as object };
  server.use(
    http.get(`${BASE_URL}/v1/replicas`, async ({ request }) => {
      const ifNoneMatch = request.headers.get('If-None-Match');
      const etag = `"v${state.version}"`;
      await delay(20);
      if (ifNoneMatch === etag) {
        log.push({ ifNoneMatch, status: 304 });
        return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
      }
      log.push({ ifNoneMatch, status: 200 });
      return HttpResponse.json(state.body, { headers: { ETag: etag } });
    }),
  );
  return { log, state };
}

describe('useEvidence with conditional requests', () => {
  it('keeps the same answer on a 304, without a flicker, and still marks the tab updated', async () => {
    const { log } = replicasWithValidators();
    renderPanel(
      <>
        <ReplicasProbe />
        <ReplicaTable />
      </>,
    );
    expect(await screen.findByText('answers: 1')).toBeInTheDocument();
    expect(
      (await screen.findAllByText('checkout-api-v1-abc')).length,
    ).toBeGreaterThan(0);
    const firstUpdate = Number(screen.getByTestId('updated').textContent);
    // The two panels asked at once: one request.
    expect(log).toEqual([{ ifNoneMatch: null, status: 200 }]);

    await userEvent.click(screen.getByText('refresh'));
    expect(await screen.findByText('loading')).toBeInTheDocument();
    // While asking, the panel keeps what it shows.
    expect(screen.getAllByText('checkout-api-v1-abc').length).toBeGreaterThan(
      0,
    );
    expect(screen.queryByLabelText('Loading replicas')).toBeNull();
    expect(await screen.findByText('settled')).toBeInTheDocument();

    // Both panels shared one request with the validator they had: 304.
    await waitFor(() => expect(log).toHaveLength(2));
    expect(log[1]).toEqual({ ifNoneMatch: '"v1"', status: 304 });
    expect(screen.getByText('answers: 1')).toBeInTheDocument();
    expect(screen.getByText('answer kept')).toBeInTheDocument();
    expect(screen.getAllByText('checkout-api-v1-abc').length).toBeGreaterThan(
      0,
    );
    await waitFor(() =>
      expect(Number(screen.getByTestId('updated').textContent)).toBeGreaterThan(
        firstUpdate,
      ),
    );
  });

  it('shows the new answer once the backend has a new one', async () => {
    const { log, state } = replicasWithValidators();
    renderPanel(<ReplicasProbe />);
    expect(await screen.findByText('answers: 1')).toBeInTheDocument();

    state.version = 2;
    state.body = labReplicas({ replicas: [] });
    await userEvent.click(screen.getByText('refresh'));

    expect(await screen.findByText('answers: 2')).toBeInTheDocument();
    expect(log).toEqual([
      { ifNoneMatch: null, status: 200 },
      { ifNoneMatch: '"v1"', status: 200 },
    ]);

    // The next refresh asks with the new answer's validator.
    await userEvent.click(screen.getByText('refresh'));
    await waitFor(() => expect(log).toHaveLength(3));
    expect(log[2]).toEqual({ ifNoneMatch: '"v2"', status: 304 });
    expect(await screen.findByText('settled')).toBeInTheDocument();
    expect(screen.getByText('answers: 2')).toBeInTheDocument();
  });
});
