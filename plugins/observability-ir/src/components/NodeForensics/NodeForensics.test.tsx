import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { labReplicas } from '../../__testUtils__/fixtures';
import { answer, checkoutApiEntity } from '../../__testUtils__/renderPanel';
import {
  errorResponse,
  FORENSICS_URL,
  listRuns,
  renderForensics,
} from './__testUtils__/renderForensics';
import {
  labRun,
  OOM_SENTENCE,
  RUN_ID,
  succeededRun,
} from './__testUtils__/runs';

const server = setupServer();
registerMswTestHooks(server);

// Runs are followed with real timers.
jest.setTimeout(30_000);

const ACTION = 'Run node forensics on checkout-api-v1-abc';

/** The lab's replicas and, unless told otherwise, no forensics runs yet. */
function labScenario(runs: object[] = []) {
  server.use(answer('replicas', labReplicas()), listRuns(runs));
}

/** Records the bodies of `POST /v1/forensics` and answers with `reply`. */
function recordStarts(reply: () => Response) {
  const bodies: unknown[] = [];
  server.use(
    http.post(FORENSICS_URL, async ({ request }) => {
      bodies.push(await request.json());
      return reply();
    }),
  );
  return bodies;
}

/** How long the fake backend holds a read until the status it answers changed. */
const CHANGE_MS = 300;
/** How long it holds a read when the status stays the same (its longest wait). */
const LONGEST_WAIT_MS = 2_000;

function hold(ms: number, signal: AbortSignal) {
  return new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Answers `GET /v1/forensics/{id}` with each run in turn, the last one
 * after, as the backend does: a read with `waitForChangeAfter` is held until
 * the answer has another status (here CHANGE_MS), or for the longest wait
 * when it has the same. Records the run read and the status waited after.
 */
function followRun(...answers: Array<{ status: string }>) {
  const reads: string[] = [];
  const waitedAfter: Array<string | null> = [];
  const abandoned: number[] = [];
  server.use(
    http.get(`${FORENSICS_URL}/:id`, async ({ params, request }) => {
      reads.push(String(params.id));
      const index = reads.length - 1;
      const next = answers[Math.min(index, answers.length - 1)];
      const after = new URL(request.url).searchParams.get('waitForChangeAfter');
      waitedAfter.push(after);
      if (after) {
        let answered = false;
        request.signal.addEventListener('abort', () => {
          if (!answered) abandoned.push(index);
        });
        await hold(
          after === next.status ? LONGEST_WAIT_MS : CHANGE_MS,
          request.signal,
        );
        answered = true;
      }
      return HttpResponse.json(next);
    }),
  );
  return { reads, waitedAfter, abandoned };
}

async function openConfirmation() {
  const action = await screen.findByRole('button', { name: ACTION });
  await waitFor(() => expect(action).toBeEnabled());
  await userEvent.click(action);
  return screen.findByRole('dialog', {
    name: 'Run node forensics on checkout-api-v1-abc?',
  });
}

describe('node forensics in the Replicas panel', () => {
  it('disables the action with the reason for a user without the permission', async () => {
    labScenario();
    // usePermission keeps answers per permission and entity for the whole
    // module (SWR): the refusal is for another service than the others use.
    renderForensics({
      permission: AuthorizeResult.DENY,
      entity: {
        ...checkoutApiEntity,
        metadata: { ...checkoutApiEntity.metadata, name: 'cart-service' },
      },
    });

    const action = await screen.findByRole('button', { name: ACTION });
    await waitFor(() =>
      expect(action).toHaveAccessibleDescription(
        /You may not run node forensics on this service: the portal's permission policy does not grant you observability-ir.forensics.run on it/,
      ),
    );
    expect(action).toBeDisabled();

    // The tooltip says the same on hover.
    await userEvent.hover(action.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      /You may not run node forensics/,
    );
  });

  it('disables the action with the reason the history gives when forensics is off', async () => {
    const reason =
      'Node forensics is disabled on this Backstage instance: an administrator turns it on with observabilityIr.forensics.enabled';
    server.use(
      answer('replicas', labReplicas()),
      http.get(FORENSICS_URL, () =>
        HttpResponse.json({
          entityRef: 'component:default/checkout-api',
          runs: [],
          disabled: reason,
        }),
      ),
    );
    renderForensics();

    const action = await screen.findByRole('button', { name: ACTION });
    await waitFor(() => expect(action).toBeDisabled());
    expect(action).toHaveAccessibleDescription(reason);
    expect(
      screen.getByRole('region', { name: 'Node forensics' }),
    ).toHaveTextContent(reason);
  });

  it('disables the action when forensics is off in this Backstage (503)', async () => {
    server.use(
      answer('replicas', labReplicas()),
      http.get(FORENSICS_URL, () =>
        errorResponse(
          503,
          'ServiceUnavailableError',
          'Node forensics is disabled on this Backstage instance: an administrator turns it on with observabilityIr.forensics.enabled',
        ),
      ),
    );
    renderForensics();

    const action = await screen.findByRole('button', { name: ACTION });
    await waitFor(() => expect(action).toBeDisabled());
    expect(action).toHaveAccessibleDescription(
      'Node forensics is disabled on this Backstage instance: an administrator turns it on with observabilityIr.forensics.enabled',
    );
    const history = screen.getByRole('region', { name: 'Node forensics' });
    expect(history).toHaveTextContent(
      /Node forensics is disabled on this Backstage instance/,
    );
  });

  it('shows the pod, node, cluster, privileges and commands before anything runs', async () => {
    labScenario();
    const starts = recordStarts(() =>
      HttpResponse.json(labRun(), { status: 202 }),
    );
    renderForensics();

    const dialog = await openConfirmation();
    const target = within(dialog).getByLabelText('Target');
    expect(target).toHaveTextContent('Podfinance/checkout-api-v1-abc');
    expect(target).toHaveTextContent('Containercheckout-api');
    expect(target).toHaveTextContent('Nodeworker-1');
    expect(target).toHaveTextContent('Clustersandbox');

    const privileges = within(dialog).getByRole('list', {
      name: "The Job's privileges",
    });
    expect(privileges).toHaveTextContent(/process ID namespace/);
    expect(privileges).toHaveTextContent(/only the SYS_ADMIN and SYS_PTRACE/);
    expect(privileges).toHaveTextContent(
      /socket and the node's cgroup tree read-only/,
    );
    expect(privileges).toHaveTextContent(/no host network/);
    expect(privileges).toHaveTextContent(/no service account token/);
    expect(privileges).toHaveTextContent(/deadline/);

    const commands = within(dialog).getByRole('list', { name: 'What it runs' });
    for (const command of [
      "crictl ps --name '^checkout-api$'",
      'crictl inspect',
      'nsenter -t PID -n -- ip addr',
      'nsenter -t PID -n -- ss -ltnp',
      '/proc/PID/status',
      'memory.events',
    ]) {
      expect(commands).toHaveTextContent(command);
    }

    // Cancelling starts nothing.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(starts).toEqual([]);
  });

  it('posts only the pod, follows the run and shows the verdict with its tables', async () => {
    labScenario();
    const starts = recordStarts(() =>
      HttpResponse.json(labRun(), { status: 202 }),
    );
    const { waitedAfter } = followRun(
      labRun({ status: 'running' }),
      succeededRun(),
    );
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );

    const run = await screen.findByRole('dialog', {
      name: 'Node forensics of checkout-api-v1-abc',
    });
    expect(starts).toEqual([
      {
        entityRef: 'component:default/checkout-api',
        cluster: 'sandbox',
        namespace: 'finance',
        pod: 'checkout-api-v1-abc',
        container: 'checkout-api',
      },
    ]);
    const status = within(run).getByRole('status');
    expect(status).toHaveTextContent(
      /^Pending: waiting for the Job's pod on worker-1 \(\d+s\)$/,
    );
    await waitFor(
      () => expect(status).toHaveTextContent(/^Running on worker-1 \(\d+s\)$/),
      { timeout: 5_000 },
    );
    const verdict = await within(run).findByRole(
      'region',
      { name: 'Verdict' },
      { timeout: 8_000 },
    );
    expect(status).toHaveTextContent('Succeeded on worker-1 in 7s');
    // Each read waited for the next status: no reads in between.
    expect(waitedAfter).toEqual(['pending', 'running']);
    expect(verdict).toHaveTextContent('Dies before it is Ready');
    expect(verdict).toHaveTextContent(OOM_SENTENCE);
    expect(verdict).toHaveTextContent('OOM kills: 46');
    expect(verdict).toHaveTextContent('Memory limit: 512Mi');
    expect(within(run).queryByLabelText('Forensics in progress')).toBeNull();

    const interfaces = within(run).getByRole('table', { name: 'Interfaces' });
    expect(interfaces).toHaveTextContent('eth0@if12UP10.244.1.17/241450');
    expect(interfaces).toHaveTextContent('loUNKNOWN (loopback)127.0.0.1/8');
    const sockets = within(run).getByRole('table', {
      name: 'Listening sockets (ss)',
    });
    expect(sockets).toHaveTextContent(
      '127.0.0.15005java (pid 4242)loopback only',
    );
    const memory = within(run).getByRole('table', {
      name: 'Memory (cgroup v2)',
    });
    expect(memory).toHaveTextContent('Container46512Mi509Mi');
    const process = within(run).getByRole('table', { name: 'Process' });
    expect(process).toHaveTextContent('4242javaS (sleeping)31505Mi511Mi');

    // The raw output, collapsed until asked for, with the truncation said.
    expect(within(run).queryByLabelText('Raw output')).toBeNull();
    await userEvent.click(
      within(run).getByRole('button', { name: /Raw output/ }),
    );
    const raw = await within(run).findByLabelText('Raw output');
    expect(raw).toHaveTextContent('=== node-forensics format=1 ===');
    expect(raw.tagName).toBe('PRE');
    expect(within(run).getByText(/^Truncated:/)).toBeInTheDocument();
  });

  it('stops reading a run once it has ended', async () => {
    labScenario();
    recordStarts(() => HttpResponse.json(labRun(), { status: 202 }));
    const { reads } = followRun(succeededRun());
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    await screen.findByRole('region', { name: 'Verdict' }, { timeout: 5_000 });
    expect(reads).toEqual([RUN_ID]);

    // Nothing is read after the end.
    await new Promise(resolve => setTimeout(resolve, 2_500));
    expect(reads).toEqual([RUN_ID]);
  });

  it('stops reading a run in flight when the dialog closes, ending the read it waits on', async () => {
    labScenario();
    recordStarts(() => HttpResponse.json(labRun(), { status: 202 }));
    const { reads, abandoned } = followRun(labRun({ status: 'running' }));
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    const run = await screen.findByRole('dialog', {
      name: 'Node forensics of checkout-api-v1-abc',
    });
    await waitFor(
      () =>
        expect(within(run).getByRole('status')).toHaveTextContent(/^Running/),
      { timeout: 5_000 },
    );
    // Now waiting for the status after running.
    await waitFor(() => expect(reads).toHaveLength(2));
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(abandoned).toEqual([1]));

    await new Promise(resolve => setTimeout(resolve, LONGEST_WAIT_MS + 500));
    expect(reads).toHaveLength(2);
  });

  it('reads a run in flight again with backoff when the backend answers it at once, unchanged', async () => {
    labScenario();
    recordStarts(() => HttpResponse.json(labRun(), { status: 202 }));
    // A backend that does not hold reads: always the same answer, at once.
    const reads: string[] = [];
    server.use(
      http.get(`${FORENSICS_URL}/:id`, ({ params }) => {
        reads.push(String(params.id));
        return HttpResponse.json(labRun({ status: 'running' }));
      }),
    );
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    await waitFor(() => expect(reads.length).toBeGreaterThanOrEqual(2));
    // Then 1 s, then 1.5 s later: no more than a few reads in 2 s.
    await new Promise(resolve => setTimeout(resolve, 2_000));
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.length).toBeLessThanOrEqual(4);
    expect(
      within(
        screen.getByRole('dialog', {
          name: 'Node forensics of checkout-api-v1-abc',
        }),
      ).getByRole('status'),
    ).toHaveTextContent(/^Running/);
  });

  it('shows why a run failed, opened from the history', async () => {
    const failed = labRun({
      status: 'failed',
      finishedAt: new Date().toISOString(),
      reason:
        "The Job's pod never started: node worker-1 is gone from the cluster",
    });
    labScenario([failed]);
    followRun(failed);
    renderForensics();

    const history = await screen.findByRole('table', {
      name: 'Node forensics runs',
    });
    await userEvent.click(
      within(history).getByRole('button', {
        name: /Open the run of checkout-api-v1-abc/,
      }),
    );
    const run = await screen.findByRole('dialog', {
      name: 'Node forensics of checkout-api-v1-abc',
    });
    const verdict = within(run).getByRole('region', { name: 'Verdict' });
    expect(verdict).toHaveTextContent('The run failed');
    expect(verdict).toHaveTextContent(
      "The Job's pod never started: node worker-1 is gone from the cluster",
    );
    expect(within(run).getByRole('status')).toHaveTextContent(
      /^Failed on worker-1 after \d+s$/,
    );
  });

  it('says how long to wait when the user started too many runs (429)', async () => {
    labScenario();
    recordStarts(() =>
      errorResponse(
        429,
        'TooManyRequestsError',
        'You started 3 forensics runs in the last hour',
        { 'Retry-After': '120' },
      ),
    );
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Too many forensics runs');
    expect(alert).toHaveTextContent(
      'You started 3 forensics runs in the last hour. Try again in 2 min.',
    );
  });

  it('shows the run already under way instead of starting another (200)', async () => {
    const existing = labRun({
      status: 'running',
      requestedBy: 'user:default/jane',
    });
    labScenario();
    recordStarts(() => HttpResponse.json(existing, { status: 200 }));
    followRun(existing);
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    const run = await screen.findByRole('dialog', {
      name: 'Node forensics of checkout-api-v1-abc',
    });
    expect(
      within(run).getByText(/already under way or finished recently/),
    ).toHaveTextContent(/requested by user:default\/jane/);
    expect(within(run).getByRole('status')).toHaveTextContent(/^Running/);
  });

  it('shows the run of the same container after a conflict (409)', async () => {
    const existing = succeededRun({ requestedBy: 'user:default/jane' });
    labScenario([existing]);
    recordStarts(() =>
      errorResponse(
        409,
        'ConflictError',
        'A forensics Job for this pod exists',
      ),
    );
    followRun(existing);
    renderForensics();

    const dialog = await openConfirmation();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start forensics' }),
    );
    const run = await screen.findByRole('dialog', {
      name: 'Node forensics of checkout-api-v1-abc',
    });
    expect(
      within(run).getByText(/already under way or finished recently/),
    ).toBeInTheDocument();
    expect(
      await within(run).findByRole('region', { name: 'Verdict' }),
    ).toHaveTextContent(OOM_SENTENCE);
  });

  it('lists the runs newest first, with who ran them and the verdict', async () => {
    const hour = 3600_000;
    const at = (ago: number) => new Date(Date.now() - ago).toISOString();
    labScenario([
      succeededRun({
        id: 'a',
        createdAt: at(3 * hour),
        requestedBy: 'user:default/jane',
      }),
      labRun({
        id: 'b',
        status: 'running',
        createdAt: at(1000),
        pod: 'checkout-api-v1-xyz',
        node: 'worker-2',
      }),
      labRun({
        id: 'c',
        status: 'failed',
        createdAt: at(hour),
        reason: 'Deadline exceeded',
      }),
    ]);
    renderForensics();

    const history = await screen.findByRole('table', {
      name: 'Node forensics runs',
    });
    const rows = within(history).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent(
      /Running.*checkout-api-v1-xyz \/ checkout-api.*worker-2.*guest/,
    );
    expect(rows[1]).toHaveTextContent(/Failed.*checkout-api-v1-abc.*worker-1/);
    expect(rows[2]).toHaveTextContent(
      /Succeeded.*checkout-api-v1-abc.*worker-1.*jane.*Dies before it is Ready/,
    );
  });

  it('says so when there are no runs yet', async () => {
    labScenario();
    renderForensics();
    expect(
      await screen.findByText(
        "No forensics runs yet. Run one from a replica's row above.",
      ),
    ).toBeInTheDocument();
  });
});
