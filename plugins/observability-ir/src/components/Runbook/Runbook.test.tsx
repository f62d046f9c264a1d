import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ENTITY_REF } from '../../__testUtils__/fixtures';
import {
  healthyRunbook,
  networkRunbook,
  oomRunbook,
  resolvedRunbook,
  TRIAGE_COMMAND,
  verifyingRunbook,
  withStep,
} from '../../__testUtils__/runbooks';
import { scaffolderTemplateRouteRef } from '../../routes';
import {
  answerRunbooks,
  errorResponse,
  EXPORT_URL,
  recordActions,
  renderRunbook,
  RUNBOOK_URL,
} from './__testUtils__/renderRunbook';

// The copy button writes through this module; jsdom has no clipboard.
jest.mock('copy-to-clipboard', () => jest.fn(() => true));
const copyToClipboard = jest.requireMock<jest.Mock>('copy-to-clipboard');

const server = setupServer();
registerMswTestHooks(server);

/** A short poll, so a test sees several reads in well under a second. */
const POLL_MS = 40;

/** Lets `ms` pass with real timers. */
function wait(ms: number) {
  return act(() => new Promise<void>(resolve => setTimeout(resolve, ms)));
}

/** The list item of a step, by its heading ("4. Kernel"). */
async function findStep(title: RegExp | string) {
  const steps = await screen.findByRole('list', { name: 'Runbook steps' });
  return within(steps).getByRole('listitem', { name: title });
}

describe('Runbook', () => {
  it('shows the incident and the six steps of an OOM runbook in order', async () => {
    const { handler, reads } = answerRunbooks(oomRunbook());
    server.use(handler);
    renderRunbook({ pollMs: POLL_MS });

    const region = await screen.findByRole('region', { name: 'Runbook' });
    expect(
      await within(region).findByRole('heading', {
        name: 'Memory limit too low',
      }),
    ).toBeInTheDocument();
    expect(
      within(region).getByText('92% confidence (likely)'),
    ).toBeInTheDocument();
    expect(within(region).getByText('Incident open')).toBeInTheDocument();
    expect(within(region).getByText(/^Opened \d{4}-\d\d-\d\d/)).toBeVisible();

    const steps = within(region).getByRole('list', { name: 'Runbook steps' });
    const items = within(steps).getAllByRole('listitem', { name: /^\d\./ });
    expect(
      items.map(item => [
        within(item).getByRole('heading').textContent,
        // The chip: its words, whatever the icon.
        within(item).getByText(/^(Done|Needs a person|In progress|Skipped)$/)
          .textContent,
      ]),
    ).toEqual([
      ['1. Triage', 'Done'],
      ['2. Logs', 'Done'],
      ['3. Replicas', 'Done'],
      ['4. Kernel', 'Needs a person'],
      ['5. Fix', 'Needs a person'],
      ['6. Verify', 'Needs a person'],
    ]);

    const triage = await findStep('1. Triage');
    expect(
      within(triage).getByText(
        'Both replicas restart in a loop: OOMKilled (exit 137).',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(triage).getByRole('button', {
        name: 'Evidence and commands (1 + 1)',
      }),
    );
    const evidence = within(triage).getByRole('list', {
      name: 'Evidence of Triage',
    });
    expect(
      within(evidence).getByText(/OOMKilled \(exit 137\) after 45 restarts/),
    ).toBeInTheDocument();
    expect(within(triage).getByText(TRIAGE_COMMAND)).toBeInTheDocument();
    // Only the steps that wait for a person offer to record anything.
    expect(
      within(triage).queryByRole('button', { name: 'Mark done' }),
    ).toBeNull();
    expect(
      within(await findStep('4. Kernel')).getByRole('button', {
        name: 'Mark done',
      }),
    ).toBeEnabled();

    // Verification passes on what the replicas do, never by a click.
    expect(
      within(await findStep('6. Verify')).queryByRole('button', {
        name: 'Mark done',
      }),
    ).toBeNull();

    // Nothing changes by itself before a fix: no reading again.
    await wait(POLL_MS * 5);
    expect(reads).toEqual([ENTITY_REF]);
  });

  it('follows another cause: a skipped step with its reason, one under way', async () => {
    server.use(answerRunbooks(networkRunbook()).handler);
    renderRunbook();

    expect(
      await screen.findByRole('heading', { name: 'Network fault' }),
    ).toBeInTheDocument();
    expect(screen.getByText('64% confidence (possible)')).toBeInTheDocument();

    const replicas = await findStep('3. Replicas');
    expect(within(replicas).getByText('Skipped')).toBeInTheDocument();
    expect(
      within(replicas).getByText(
        'Reason for skipping: Every replica fails alike: the fault is outside the pods.',
      ),
    ).toBeInTheDocument();
    expect(
      within(await findStep('4. Kernel')).getByText('In progress'),
    ).toBeInTheDocument();
    const fix = await findStep('5. Fix');
    expect(
      within(fix).getByText('Restore the route to payments-db.'),
    ).toBeInTheDocument();
    expect(
      within(fix).queryByRole('link', { name: /Raise the limit/ }),
    ).toBeNull();
  });

  it('folds a done step’s evidence and commands; opened, a command copies exactly', async () => {
    server.use(answerRunbooks(oomRunbook()).handler);
    renderRunbook();

    const triage = await findStep('1. Triage');
    const fold = within(triage).getByRole('button', {
      name: 'Evidence and commands (1 + 1)',
    });
    expect(fold).toHaveAttribute('aria-expanded', 'false');
    // The summary and status stay in view; the long lines do not.
    expect(
      within(triage).getByText(
        'Both replicas restart in a loop: OOMKilled (exit 137).',
      ),
    ).toBeVisible();
    expect(within(triage).queryByText(TRIAGE_COMMAND)).toBeNull();
    expect(
      within(triage).queryByRole('list', { name: 'Commands of Triage' }),
    ).toBeNull();

    await userEvent.click(fold);

    expect(fold).toHaveAttribute('aria-expanded', 'true');
    const commands = within(triage).getByRole('list', {
      name: 'Commands of Triage',
    });
    expect(within(commands).getByText(TRIAGE_COMMAND)).toBeVisible();
    expect(
      within(triage).getByRole('list', { name: 'Evidence of Triage' }),
    ).toBeVisible();
    await userEvent.click(
      within(commands).getByRole('button', {
        name: 'Copy Last termination of each pod',
      }),
    );
    expect(copyToClipboard).toHaveBeenLastCalledWith(TRIAGE_COMMAND);

    await userEvent.click(fold);
    expect(fold).toHaveAttribute('aria-expanded', 'false');
    await waitFor(() =>
      expect(
        within(triage).queryByRole('list', { name: 'Commands of Triage' }),
      ).toBeNull(),
    );
  });

  it('opens the commands of the step at hand only, and keeps each fold as the person left it', async () => {
    const kernelCommand = "kubectl --context 'sandbox' debug node/worker-1";
    const patchCommand = "kubectl --context 'sandbox' -n 'finance' patch";
    const withCommands = withStep(
      withStep(oomRunbook(), 'kernel', {
        commands: [
          { label: 'Kernel OOM kills', language: 'shell', text: kernelCommand },
        ],
      }),
      'fix',
      {
        commands: [
          { label: 'Patch the limit', language: 'shell', text: patchCommand },
        ],
      },
    );
    const { handler } = answerRunbooks(
      withCommands,
      withStep(withCommands, 'kernel', { status: 'done' }),
    );
    server.use(handler);
    renderRunbook({ withToolbar: true });

    // Kernel is the first step that waits for a person: its commands are
    // how to act on it, next to its buttons.
    const kernel = await findStep('4. Kernel');
    expect(
      within(kernel).getByRole('button', { name: 'Commands (1)' }),
    ).toHaveAttribute('aria-expanded', 'true');
    expect(within(kernel).getByText(kernelCommand)).toBeVisible();
    expect(
      within(kernel).getByRole('button', { name: 'Mark done' }),
    ).toBeVisible();
    // Fix waits for a person too, but comes after: its commands fold.
    const fix = await findStep('5. Fix');
    expect(
      within(fix).getByRole('button', { name: 'Commands (1)' }),
    ).toHaveAttribute('aria-expanded', 'false');
    expect(within(fix).queryByText(patchCommand)).toBeNull();
    expect(
      within(fix).getByRole('link', {
        name: 'Raise the limit with a template',
      }),
    ).toBeVisible();
    // Steps without evidence or commands have nothing to fold.
    expect(
      within(await findStep('3. Replicas')).queryByRole('button'),
    ).toBeNull();

    await userEvent.click(
      within(fix).getByRole('button', { name: 'Commands (1)' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Refresh now' }));

    expect(
      await within(await findStep('4. Kernel')).findByText('Done'),
    ).toBeInTheDocument();
    expect(
      within(await findStep('4. Kernel')).getByText(kernelCommand),
    ).toBeVisible();
    expect(
      within(await findStep('5. Fix')).getByText(patchCommand),
    ).toBeVisible();
  });

  it('records a step done by hand and shows the runbook the backend answers', async () => {
    server.use(answerRunbooks(oomRunbook()).handler);
    let release = () => {};
    const held = new Promise<void>(resolve => {
      release = resolve;
    });
    const { handler, bodies } = recordActions(
      () =>
        withStep(oomRunbook(), 'kernel', {
          status: 'done',
          summary: 'Kernel done by hand.',
        }),
      { answerAfter: held },
    );
    server.use(handler);
    renderRunbook();

    const kernel = await findStep('4. Kernel');
    await userEvent.click(
      within(kernel).getByRole('button', { name: 'Mark done' }),
    );

    // While it is on its way, neither action can be taken again.
    expect(
      await within(kernel).findByRole('button', { name: 'Marking done…' }),
    ).toBeDisabled();
    expect(
      within(kernel).getByRole('button', { name: 'Skip…' }),
    ).toBeDisabled();

    release();
    await waitFor(() =>
      expect(within(kernel).getByText('Done')).toBeInTheDocument(),
    );
    expect(bodies).toEqual([
      {
        entityRef: ENTITY_REF,
        kind: 'step-completed',
        stepId: 'kernel',
        message: 'Kernel done by hand.',
      },
    ]);
    expect(
      within(kernel).queryByRole('button', { name: 'Mark done' }),
    ).toBeNull();
  });

  it('says why a step was not marked done, and leaves it as it was', async () => {
    server.use(
      answerRunbooks(oomRunbook()).handler,
      recordActions(() =>
        errorResponse(
          403,
          'NotAllowedError',
          'You may not update the runbook of component:default/checkout-api',
        ),
      ).handler,
    );
    renderRunbook();

    const kernel = await findStep('4. Kernel');
    await userEvent.click(
      within(kernel).getByRole('button', { name: 'Mark done' }),
    );

    expect(await within(kernel).findByRole('alert')).toHaveTextContent(
      'Kernel was not marked done: You may not update the runbook of component:default/checkout-api (403)',
    );
    expect(within(kernel).getByText('Needs a person')).toBeInTheDocument();
    expect(
      within(kernel).getByRole('button', { name: 'Mark done' }),
    ).toBeEnabled();
  });

  it('skips a step only with a reason', async () => {
    server.use(answerRunbooks(oomRunbook()).handler);
    const reason = 'The node was replaced; its kernel log is gone.';
    const { handler, bodies } = recordActions(() =>
      withStep(oomRunbook(), 'kernel', {
        status: 'skipped',
        skippedReason: reason,
      }),
    );
    server.use(handler);
    renderRunbook();

    const kernel = await findStep('4. Kernel');
    await userEvent.click(
      within(kernel).getByRole('button', { name: 'Skip…' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Skip Kernel' });
    const skip = within(dialog).getByRole('button', { name: 'Skip step' });
    expect(skip).toBeDisabled();

    const field = within(dialog).getByRole('textbox', { name: /Reason/ });
    await userEvent.type(field, '   ');
    expect(skip).toBeDisabled();
    expect(bodies).toEqual([]);

    await userEvent.clear(field);
    await userEvent.type(field, reason);
    await userEvent.click(skip);

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bodies).toEqual([
      {
        entityRef: ENTITY_REF,
        kind: 'step-skipped',
        stepId: 'kernel',
        message: reason,
      },
    ]);
    expect(within(kernel).getByText('Skipped')).toBeInTheDocument();
    expect(
      within(kernel).getByText(`Reason for skipping: ${reason}`),
    ).toBeInTheDocument();
  });

  it('keeps the reason typed when skipping fails', async () => {
    server.use(
      answerRunbooks(oomRunbook()).handler,
      recordActions(() =>
        errorResponse(500, 'Error', 'The incident store is not reachable'),
      ).handler,
    );
    renderRunbook();

    const kernel = await findStep('4. Kernel');
    await userEvent.click(
      within(kernel).getByRole('button', { name: 'Skip…' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Skip Kernel' });
    const field = within(dialog).getByRole('textbox', { name: /Reason/ });
    await userEvent.type(field, 'Not a kernel matter');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Skip step' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The step was not skipped: The incident store is not reachable (500)',
    );
    expect(field).toHaveValue('Not a kernel matter');
    expect(
      within(dialog).getByRole('button', { name: 'Skip step' }),
    ).toBeEnabled();
  });

  it('links the Fix step to the template, filled in with the proposed 1Gi', async () => {
    server.use(answerRunbooks(oomRunbook()).handler);
    renderRunbook();

    const fix = await findStep('5. Fix');
    expect(within(fix).getByText('limits.memory: 512Mi → 1Gi')).toBeVisible();
    const link = within(fix).getByRole('link', {
      name: 'Raise the limit with a template',
    });
    const url = new URL(link.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe('/create/templates/default/raise-memory-limit');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      entity: ENTITY_REF,
      container: 'checkout-api',
      limit: '1Gi',
      cluster: 'sandbox',
      namespace: 'finance',
      workloadKind: 'Deployment',
      workloadName: 'checkout-api',
    });
  });

  it('finds the template page through the app’s routes where it is bound', async () => {
    server.use(answerRunbooks(oomRunbook()).handler);
    renderRunbook({
      mountedRoutes: {
        '/scaffolder/templates/:namespace/:templateName':
          scaffolderTemplateRouteRef,
      },
    });

    const fix = await findStep('5. Fix');
    const link = within(fix).getByRole('link', {
      name: 'Raise the limit with a template',
    });
    const url = new URL(link.getAttribute('href')!, 'http://localhost');
    expect(url.pathname).toBe(
      '/scaffolder/templates/default/raise-memory-limit',
    );
    expect(JSON.parse(url.searchParams.get('formData')!).limit).toBe('1Gi');
  });

  it('watches verification until the incident is resolved, then stops', async () => {
    const { handler, reads } = answerRunbooks(
      verifyingRunbook(0.4),
      verifyingRunbook(0.7),
      resolvedRunbook(),
    );
    server.use(handler);
    renderRunbook({ pollMs: POLL_MS });

    const verify = await findStep('6. Verify');
    const progress = await within(verify).findByRole('progressbar', {
      name: 'Verification progress',
    });
    expect(progress).toHaveAttribute('aria-valuenow', '40');
    const checks = within(verify).getByRole('list', {
      name: 'Verification checks',
    });
    expect(within(checks).getByText('No OOM kill: passed')).toBeVisible();
    expect(within(checks).getByText('Restarts: failed')).toBeVisible();
    expect(
      within(checks).getByText('(checkout-api-v1-xyz restarted at 14:03)'),
    ).toBeVisible();
    expect(
      within(verify).getByText(/^40% of 10 min watched, since /),
    ).toBeVisible();
    // The fix is made: its change stays in view, the template is no longer
    // offered.
    const fix = await findStep('5. Fix');
    expect(within(fix).getByText(/limits\.memory: 512Mi → 1Gi/)).toBeVisible();
    expect(
      within(fix).queryByRole('link', {
        name: 'Raise the limit with a template',
      }),
    ).toBeNull();

    expect(await screen.findByText('Incident resolved')).toBeInTheDocument();
    expect(screen.getByText(/Time to recovery: 32 min/)).toBeInTheDocument();
    expect(
      within(await findStep('6. Verify')).getByRole('progressbar', {
        name: 'Verification progress',
      }),
    ).toHaveAttribute('aria-valuenow', '100');
    expect(reads).toHaveLength(3);

    await wait(POLL_MS * 5);
    expect(reads).toHaveLength(3);
  });

  it('stops watching when it leaves the page', async () => {
    const { handler, reads } = answerRunbooks(verifyingRunbook(0.4));
    server.use(handler);
    const { unmount } = await renderRunbook({ pollMs: POLL_MS });

    await waitFor(() => expect(reads.length).toBeGreaterThanOrEqual(2));
    unmount();
    const seen = reads.length;
    await wait(POLL_MS * 5);
    expect(reads).toHaveLength(seen);
  });

  it('reads the runbook again when the tab is refreshed', async () => {
    const { handler, reads } = answerRunbooks(
      oomRunbook(),
      withStep(oomRunbook(), 'kernel', { status: 'done' }),
    );
    server.use(handler);
    renderRunbook({ withToolbar: true });

    const kernel = await findStep('4. Kernel');
    expect(within(kernel).getByText('Needs a person')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Refresh now' }));

    expect(
      await within(await findStep('4. Kernel')).findByText('Done'),
    ).toBeInTheDocument();
    expect(reads).toHaveLength(2);
  });

  it('exports the postmortem as a Markdown download', async () => {
    const markdown =
      '# Postmortem: checkout-api\n\n- 13:40 Opened for Memory limit too low.\n';
    const queries: URLSearchParams[] = [];
    server.use(
      answerRunbooks(resolvedRunbook()).handler,
      http.get(EXPORT_URL, ({ request }) => {
        queries.push(new URL(request.url).searchParams);
        return new HttpResponse(markdown, {
          headers: {
            'Content-Type': 'text/markdown; charset=utf-8',
            'Content-Disposition':
              'attachment; filename="postmortem-checkout-api-inc-1.md"',
          },
        });
      }),
    );
    const blobs: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:postmortem';
    });
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const downloads: Array<{ href: string; download: string }> = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push({ href: this.href, download: this.download });
      });
    try {
      renderRunbook();

      await userEvent.click(
        await screen.findByRole('button', { name: 'Export postmortem' }),
      );

      await waitFor(() => expect(downloads).toHaveLength(1));
      expect(downloads[0]).toEqual({
        href: 'blob:postmortem',
        download: 'postmortem-checkout-api-inc-1.md',
      });
      expect(queries[0].get('entityRef')).toBe(ENTITY_REF);
      expect(queries[0].get('format')).toBe('markdown');
      expect(blobs[0].type).toBe('text/markdown');
      expect(await readBlob(blobs[0])).toBe(markdown);
    } finally {
      click.mockRestore();
    }
  });

  it('shows the backend’s error when the runbook cannot be read', async () => {
    server.use(
      http.get(RUNBOOK_URL, () =>
        errorResponse(500, 'Error', 'The incident store is not reachable'),
      ),
    );
    renderRunbook();

    const region = await screen.findByRole('region', { name: 'Runbook' });
    expect(
      await within(region).findAllByText(/The incident store is not reachable/),
    ).not.toHaveLength(0);
    expect(
      within(region).queryByRole('list', { name: 'Runbook steps' }),
    ).toBeNull();
  });

  it('says there is nothing to do without an incident', async () => {
    server.use(answerRunbooks(healthyRunbook()).handler);
    renderRunbook();

    expect(
      await screen.findByText(/^No incident: nothing to do/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Runbook steps' })).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Export postmortem' }),
    ).toBeNull();
  });

  it('shows progress until the runbook answers', async () => {
    server.use(
      http.get(RUNBOOK_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    renderRunbook();

    expect(
      await screen.findByRole('progressbar', { name: 'Loading runbook' }),
    ).toBeInTheDocument();
  });
});

/** A Blob's text, with `text()` where the Blob has it. */
function readBlob(blob: Blob): Promise<string> {
  if (typeof blob.text === 'function') {
    return blob.text();
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}
