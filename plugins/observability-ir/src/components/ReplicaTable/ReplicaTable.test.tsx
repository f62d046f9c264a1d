import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import {
  labReplicas,
  manyReplicas,
  okSources,
} from '../../__testUtils__/fixtures';
import { answer, hang, renderPanel } from '../../__testUtils__/renderPanel';
import { http, HttpResponse } from 'msw';
import {
  FORENSICS_URL,
  renderForensics,
} from '../NodeForensics/__testUtils__/renderForensics';
import { labRun } from '../NodeForensics/__testUtils__/runs';
import { FORENSICS_HISTORY_LABEL } from '../NodeForensics/ForensicsHistory';
import { ReplicaTable } from './ReplicaTable';

const server = setupServer();
registerMswTestHooks(server);

function bodyRows(table: HTMLElement) {
  // The first row is the header.
  return within(table).getAllByRole('row').slice(1);
}

describe('ReplicaTable', () => {
  it('lists both pods, most restarts first, with OOMKilled highlighted', async () => {
    server.use(answer('replicas', labReplicas()));
    renderPanel(<ReplicaTable />);

    const table = await screen.findByRole('table', { name: 'Replicas' });
    const rows = bodyRows(table);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('checkout-api-v1-abc');
    expect(rows[0]).toHaveTextContent('45');
    expect(rows[0]).toHaveTextContent('worker-1');
    expect(rows[0]).toHaveTextContent('cluster sandbox');
    expect(rows[0]).toHaveTextContent('not ready');
    expect(rows[0]).toHaveTextContent('waiting: CrashLoopBackOff');
    expect(rows[0]).toHaveTextContent('99% of 512Mi');
    expect(rows[0]).toHaveTextContent('exit 137');
    expect(rows[1]).toHaveTextContent('checkout-api-v1-xyz');
    expect(rows[1]).toHaveTextContent('42');

    const oom = within(rows[0]).getByTestId('oom-killed');
    expect(oom).toHaveTextContent('OOMKilled');
    expect(oom.className).toMatch(/oom/);
  });

  it('lists warning events and troubled nodes', async () => {
    server.use(
      answer(
        'replicas',
        labReplicas({
          nodes: [
            {
              cluster: 'sandbox',
              name: 'worker-1',
              conditions: [
                { type: 'Ready', status: 'True' },
                { type: 'MemoryPressure', status: 'False' },
              ],
            },
            {
              cluster: 'sandbox',
              name: 'worker-2',
              conditions: [
                { type: 'Ready', status: 'True' },
                {
                  type: 'MemoryPressure',
                  status: 'True',
                  message: 'low memory',
                },
              ],
            },
          ],
        }),
      ),
    );
    renderPanel(<ReplicaTable />);

    const events = await screen.findByRole('list', { name: 'Warning events' });
    expect(events).toHaveTextContent(
      'checkout-api-v1-abc: Back-off restarting failed container checkout-api',
    );
    const nodes = screen.getByRole('list', { name: 'Node conditions' });
    expect(nodes).toHaveTextContent(
      'worker-2 (sandbox): MemoryPressure=True (low memory)',
    );
    expect(nodes).not.toHaveTextContent('worker-1');
  });

  it('sorts by another column on request', async () => {
    server.use(answer('replicas', labReplicas()));
    renderPanel(<ReplicaTable />);

    const table = await screen.findByRole('table', { name: 'Replicas' });
    await userEvent.click(within(table).getByText('Restarts'));
    expect(bodyRows(table)[0]).toHaveTextContent('checkout-api-v1-xyz');
  });

  it('offers the kubectl JSONPath command to copy', async () => {
    server.use(answer('replicas', labReplicas()));
    renderPanel(<ReplicaTable />);

    expect(
      await screen.findByRole('button', { name: 'Copy kubectl command' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /kubectl --context sandbox -n finance get pods .* -o jsonpath=/,
      ),
    ).toBeInTheDocument();
  });

  it('pages 200 replicas', async () => {
    server.use(
      answer('replicas', labReplicas({ replicas: manyReplicas(200) })),
    );
    renderPanel(<ReplicaTable />);

    const table = await screen.findByRole('table', { name: 'Replicas' });
    const rows = bodyRows(table);
    expect(rows).toHaveLength(20);
    expect(rows[0]).toHaveTextContent('checkout-api-v1-p199');
    expect(screen.getAllByText(/1-20 of 200/).length).toBeGreaterThan(0);
  });

  it('keeps the order and the page the user chose when the forensics runs arrive', async () => {
    let release = () => {};
    const released = new Promise<void>(resolve => {
      release = resolve;
    });
    server.use(
      answer('replicas', labReplicas({ replicas: manyReplicas(30) })),
      http.get(FORENSICS_URL, async () => {
        await released;
        return HttpResponse.json({
          entityRef: 'component:default/checkout-api',
          runs: [labRun()],
        });
      }),
    );
    renderForensics();

    const table = await screen.findByRole('table', { name: 'Replicas' });
    // Fewest restarts first, then the second page.
    await userEvent.click(within(table).getByText('Restarts'));
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Next Page' })[0],
    );
    const page = () => bodyRows(table).map(row => row.textContent);
    const chosen = page();
    expect(screen.getAllByText(/21-30 of 30/).length).toBeGreaterThan(0);

    release();
    // The run arrived: the history below the table lists it.
    expect(
      await screen.findByRole('table', { name: FORENSICS_HISTORY_LABEL }),
    ).toBeInTheDocument();
    expect(page()).toEqual(chosen);
    expect(screen.getAllByText(/21-30 of 30/).length).toBeGreaterThan(0);
  });

  it('names the failing Kubernetes API and shows no table', async () => {
    server.use(
      answer(
        'replicas',
        labReplicas({
          replicas: [],
          sources: [
            {
              cluster: 'sandbox',
              source: 'kubernetes',
              status: 'error',
              error: 'connect ECONNREFUSED 10.0.0.1:6443',
            },
            ...okSources(['prometheus']),
          ],
        }),
      ),
    );
    renderPanel(<ReplicaTable />);

    expect(
      await screen.findByText(
        'Kubernetes of cluster sandbox: connect ECONNREFUSED 10.0.0.1:6443',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Replicas' })).toBeNull();
  });

  it('shows a skeleton until the replicas arrive', async () => {
    server.use(hang('replicas'));
    renderPanel(<ReplicaTable />);
    expect(
      await screen.findByRole('progressbar', { name: 'Loading replicas' }),
    ).toBeInTheDocument();
  });
});
