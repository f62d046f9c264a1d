import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL } from '../../__testUtils__/renderPanel';
import { FINDINGS_TABLE_LABEL } from './FindingsTables';
import { SilentOutages } from './SilentOutages';
import { finding, renderFleet, silentOutages } from './__testUtils__/fleet';
import { SilentOutagesResponse } from '@observability-ir/plugin-observability-ir-common';

const server = setupServer();
registerMswTestHooks(server);

const URL_PATH = `${BASE_URL}/v1/fleet/silent-outages`;

/** Answers the sweep with `body`, recording each request's range. */
function answerSweep(...bodies: SilentOutagesResponse[]) {
  const ranges: Array<string | null> = [];
  server.use(
    http.get(URL_PATH, ({ request }) => {
      ranges.push(new URL(request.url).searchParams.get('range'));
      const body = bodies[Math.min(ranges.length - 1, bodies.length - 1)];
      return HttpResponse.json(body);
    }),
  );
  return ranges;
}

async function findingsTable() {
  return screen.findByRole('table', { name: FINDINGS_TABLE_LABEL });
}

/** The pods listed in the findings table, in order. */
function podsIn(table: HTMLElement): string[] {
  // DOM queries: role queries over hundreds of cells are slow in jsdom.
  return Array.from(table.querySelectorAll('tbody tr'))
    .map(row => row.querySelectorAll('td'))
    .filter(cells => cells.length > 1)
    .map(cells => cells[3].textContent ?? '');
}

function currentQuery(): URLSearchParams {
  return new URLSearchParams(
    screen.getByRole('status', { name: 'Current query' }).textContent ?? '',
  );
}

describe('SilentOutages', () => {
  it('groups findings by owner, with an Unowned group and no link for it', async () => {
    answerSweep(silentOutages());
    renderFleet(<SilentOutages />);

    const table = await findingsTable();
    const groups = within(table)
      .getAllByRole('rowheader')
      .map(h => h.textContent);
    expect(groups).toEqual([
      'finance-team (2 containers)',
      'storefront-team (1 container)',
      'Unowned (1 container)',
    ]);
    expect(podsIn(table)).toEqual([
      'checkout-api-7d9f-abcde',
      'ledger-5c4b-xyz12',
      'search-6f7a-qwert',
      'orphan-job-abc',
    ]);

    expect(
      within(table).getByRole('link', { name: 'Checkout API' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout-api/incident',
    );
    const orphanRow = within(table).getByText('orphan-job-abc').closest('tr')!;
    expect(within(orphanRow).queryByRole('link')).toBeNull();

    // The row of checkout-api, as a person reads it.
    const row = within(table)
      .getByText('checkout-api-7d9f-abcde')
      .closest('tr')!;
    const cells = within(row)
      .getAllByRole('cell')
      .map(c => c.textContent);
    expect(cells).toEqual([
      'Checkout API',
      'prod',
      'finance',
      'checkout-api-7d9f-abcde',
      'app',
      'OOMKilled',
      '137',
      '4',
      '5 min ago',
      '512Mi',
      'Kubernetes',
    ]);
    expect(screen.getByText('Swept 2 min ago')).toBeInTheDocument();
    expect(screen.getByText(/10,000 pods scanned/)).toBeInTheDocument();
  });

  it('filters by cluster, namespace, owner and reason, kept in the URL', async () => {
    answerSweep(silentOutages());
    renderFleet(<SilentOutages />);
    const table = await findingsTable();

    await userEvent.selectOptions(screen.getByLabelText('Cluster'), 'staging');
    expect(podsIn(table)).toEqual(['search-6f7a-qwert', 'orphan-job-abc']);
    expect(currentQuery().get('cluster')).toBe('staging');

    await userEvent.selectOptions(
      screen.getByLabelText('Namespace'),
      'kube-system',
    );
    expect(podsIn(table)).toEqual(['orphan-job-abc']);

    await userEvent.selectOptions(screen.getByLabelText('Namespace'), '');
    await userEvent.selectOptions(screen.getByLabelText('Owner'), 'Unowned');
    expect(podsIn(table)).toEqual(['orphan-job-abc']);
    expect(currentQuery().get('owner')).toBe('unowned');
    expect(currentQuery().has('namespace')).toBe(false);

    await userEvent.selectOptions(screen.getByLabelText('Cluster'), '');
    await userEvent.selectOptions(screen.getByLabelText('Owner'), '');
    await userEvent.selectOptions(screen.getByLabelText('Reason'), 'Error');
    expect(podsIn(table)).toEqual(['ledger-5c4b-xyz12', 'orphan-job-abc']);
    expect(currentQuery().toString()).toBe('reason=Error');

    // The next-to-OOM and top-restarter lists follow the location filters.
    await userEvent.selectOptions(
      screen.getByLabelText('Owner'),
      'finance-team',
    );
    expect(
      within(screen.getByRole('table', { name: 'Next to OOM' })).getByText(
        'ledger-5c4b-near1',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Top restarters' })).toBeNull();
  });

  it('opens a shared link with its filters and range applied', async () => {
    const ranges = answerSweep(silentOutages({ range: '6h' }));
    renderFleet(<SilentOutages />, {
      initialRouteEntries: [
        '/?range=6h&owner=group%3Adefault%2Ffinance-team&reason=OOMKilled',
      ],
    });

    const table = await findingsTable();
    expect(podsIn(table)).toEqual(['checkout-api-7d9f-abcde']);
    expect(screen.getByLabelText('Owner')).toHaveValue(
      'group:default/finance-team',
    );
    expect(screen.getByLabelText('Range')).toHaveValue('6h');
    expect(ranges).toEqual(['6h']);

    await userEvent.selectOptions(screen.getByLabelText('Range'), '24h');
    await waitFor(() => expect(ranges).toEqual(['6h', '24h']));
    expect(currentQuery().get('range')).toBe('24h');
    expect(currentQuery().get('reason')).toBe('OOMKilled');
  });

  it('renders one page of 25 rows out of 500 findings, and pages on', async () => {
    const findings = Array.from({ length: 500 }, (_, i) =>
      finding({ pod: `pod-${String(i).padStart(3, '0')}`, restartsInRange: 1 }),
    );
    answerSweep(silentOutages({ findings }));
    renderFleet(<SilentOutages />);

    const table = await findingsTable();
    expect(podsIn(table)).toHaveLength(25);
    expect(podsIn(table)[0]).toBe('pod-000');
    expect(screen.getByText('1-25 of 500')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(podsIn(table)[0]).toBe('pod-025');
    expect(podsIn(table)).toHaveLength(25);
    // The group continues with its header at the top of the page.
    expect(within(table).getAllByRole('rowheader')).toHaveLength(1);

    await userEvent.click(screen.getByRole('button', { name: /25/ }));
    await userEvent.click(screen.getByRole('option', { name: '100' }));
    expect(podsIn(table)).toHaveLength(100);
  });

  it('says the first sweep is running, then shows its result', async () => {
    const ranges = answerSweep(
      silentOutages({
        sweptAt: undefined,
        pending: true,
        findings: [],
        nearOom: [],
        topRestarters: [],
        podsScanned: 0,
      }),
      silentOutages(),
    );
    renderFleet(<SilentOutages pollMs={50} />);

    expect(
      await screen.findByText('The first sweep is running…'),
    ).toBeInTheDocument();
    expect(await findingsTable()).toBeInTheDocument();
    expect(ranges.length).toBe(2);
    expect(screen.queryByText('The first sweep is running…')).toBeNull();
  });

  it('names the permission a refusal is about', async () => {
    server.use(
      http.get(URL_PATH, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You may not read the fleet',
            },
            request: { method: 'GET', url: '/v1/fleet/silent-outages' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    renderFleet(<SilentOutages />);

    expect(
      await screen.findByText(
        /You need the observability-ir\.fleet\.read permission \(platform teams\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/You may not read the fleet \(403\)/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('says when nothing terminated abnormally, and names failed sources', async () => {
    answerSweep(
      silentOutages({
        findings: [],
        sources: [
          { cluster: 'prod', source: 'kubernetes', status: 'ok' },
          {
            cluster: 'staging',
            source: 'prometheus',
            status: 'error',
            error: 'connect ECONNREFUSED',
          },
        ],
      }),
    );
    renderFleet(<SilentOutages />);

    expect(
      await screen.findByText(
        'No container was OOMKilled or terminated abnormally in the last hour',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Prometheus of cluster staging failed'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  });

  it('exports the filtered findings as CSV', async () => {
    answerSweep(
      silentOutages({
        findings: [
          finding({ pod: '=HYPERLINK("x")', reason: 'Error' }),
          finding({ pod: 'kept,with comma', reason: 'Error' }),
          finding({ pod: 'filtered-out' }),
        ],
      }),
    );
    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: jest.fn((blob: Blob) => {
        blobs.push(blob);
        return 'blob:csv';
      }),
      revokeObjectURL: jest.fn(),
    });
    const downloads: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    try {
      renderFleet(<SilentOutages />, {
        initialRouteEntries: ['/?reason=Error'],
      });
      await findingsTable();

      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

      expect(downloads).toEqual(['silent-outages-1h.csv']);
      const lines = (await readBlob(blobs[0])).split('\r\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^owner,entity,cluster,namespace,pod,/);
      expect(lines.slice(1, 3).map(l => l.split(',')[4])).toEqual([
        '"\'=HYPERLINK(""x"")"',
        '"kept',
      ]);
      expect(lines[2]).toContain('"kept,with comma"');
      expect(lines.join('\n')).not.toContain('filtered-out');
    } finally {
      click.mockRestore();
    }
  });
});

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
