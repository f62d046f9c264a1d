import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  PreviousLogsResponse,
  RawLogsResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { labReplicas } from '../../__testUtils__/fixtures';
import { answer, BASE_URL, renderPanel } from '../../__testUtils__/renderPanel';
import { ReplicaTable } from '../ReplicaTable';
import { RawLogsProvider } from './RawLogsContext';

const server = setupServer();
registerMswTestHooks(server);

const ENTITY_REF = 'component:default/checkout-api';
const POD = 'checkout-api-v1-abc';
const KILLED_AT = '2026-11-25T13:59:55Z';
const OOM_ENTRY =
  '2026-11-25T13:59:54.100Z ERROR 1 --- [catalog-loader] c.e.checkoutapi.catalog.CatalogCache : Unrecoverable error while warming up the catalog cache: java.lang.OutOfMemoryError: Java heap space\njava.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)';

function rawLogs(overrides: Partial<RawLogsResponse> = {}): RawLogsResponse {
  return {
    entityRef: ENTITY_REF,
    cluster: 'sandbox',
    namespace: 'finance',
    pod: POD,
    container: 'checkout-api',
    window: {
      start: '2026-11-25T13:54:55.000Z',
      at: '2026-11-25T13:59:55.000Z',
      end: '2026-11-25T14:00:55.000Z',
    },
    lines: [
      {
        timestamp: '2026-11-25T13:59:40.000Z',
        line: 'INFO Catalog cache warm-up: loaded page 11/48, heap used 498MiB',
      },
      { timestamp: '2026-11-25T13:59:54.100Z', line: OOM_ENTRY },
      {
        timestamp: '2026-11-25T14:00:20.000Z',
        line: 'INFO Starting CheckoutApiApplication using Java 17',
      },
    ],
    limits: { lines: 500, bytes: 262144 },
    query: {
      name: 'raw log lines',
      cluster: 'sandbox',
      query:
        '{namespace="finance",pod=~"(?:checkout-api-v1-abc)",container="checkout-api"}',
    },
    sources: [
      { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
      { cluster: 'sandbox', source: 'loki', status: 'ok' },
    ],
    ...overrides,
  };
}

function previousLogs(
  overrides: Partial<PreviousLogsResponse> = {},
): PreviousLogsResponse {
  return {
    entityRef: ENTITY_REF,
    cluster: 'sandbox',
    namespace: 'finance',
    pod: POD,
    container: 'checkout-api',
    lines: [
      {
        timestamp: '2026-11-25T13:59:54.100Z',
        line: 'java.lang.OutOfMemoryError: Java heap space',
      },
      {
        timestamp: '2026-11-25T13:59:54.100Z',
        line: '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
      },
    ],
    limits: { lines: 500, bytes: 262144 },
    kubectlCommand:
      "kubectl --context 'sandbox' -n 'finance' logs 'checkout-api-v1-abc' -c 'checkout-api' --previous --timestamps --tail=500",
    sources: [{ cluster: 'sandbox', source: 'kubernetes', status: 'ok' }],
    ...overrides,
  };
}

/** Answers raw and previous logs, recording the queries asked. */
function logHandlers(
  raw: (q: URLSearchParams) => RawLogsResponse | Response = () => rawLogs(),
  previous: () => PreviousLogsResponse = () => previousLogs(),
) {
  const asked: { raw: URLSearchParams[]; previous: URLSearchParams[] } = {
    raw: [],
    previous: [],
  };
  server.use(
    answer('replicas', labReplicas()),
    http.get(`${BASE_URL}/v1/logs/raw`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      asked.raw.push(q);
      const body = raw(q);
      return body instanceof Response ? body : HttpResponse.json(body);
    }),
    http.get(`${BASE_URL}/v1/logs/previous`, ({ request }) => {
      asked.previous.push(new URL(request.url).searchParams);
      return HttpResponse.json(previous());
    }),
  );
  return asked;
}

type AppConfig = NonNullable<Parameters<typeof renderPanel>[1]>['config'];

async function openLogsOfAbc(config?: AppConfig) {
  renderPanel(
    <RawLogsProvider>
      <ReplicaTable />
    </RawLogsProvider>,
    config ? { config } : {},
  );
  await userEvent.click(
    await screen.findByRole('button', {
      name: `Logs of ${POD}, container checkout-api, around its last termination`,
    }),
  );
  return screen.findByRole('dialog', {
    name: `Logs of ${POD}, container checkout-api`,
  });
}

describe('RawLogsDialog', () => {
  it('opens from a replica at its last termination, the moment marked among the lines', async () => {
    const asked = logHandlers();
    const dialog = await openLogsOfAbc();

    const block = await within(dialog).findByRole('region', {
      name: `Log lines of ${POD}`,
    });
    expect(block).toHaveTextContent(
      'java.lang.OutOfMemoryError: Java heap space',
    );
    // The block scrolls: it takes keyboard focus.
    expect(block).toHaveAttribute('tabindex', '0');
    const moment = within(block).getByRole('note');
    expect(moment).toHaveTextContent('last termination (OOMKilled)');
    // The OOM entry is the last before the moment; the restart after it.
    const text = block.textContent!;
    expect(text.indexOf('OutOfMemoryError')).toBeLessThan(
      text.indexOf('last termination (OOMKilled)'),
    );
    expect(text.indexOf('last termination (OOMKilled)')).toBeLessThan(
      text.indexOf('Starting CheckoutApiApplication'),
    );
    expect(asked.raw).toHaveLength(1);
    expect(Object.fromEntries(asked.raw[0])).toEqual({
      entityRef: ENTITY_REF,
      pod: POD,
      container: 'checkout-api',
      cluster: 'sandbox',
      namespace: 'finance',
      at: KILLED_AT,
    });
    // No Grafana configured: no Explore link.
    expect(
      within(dialog).queryByRole('link', { name: /Open in Grafana Explore/ }),
    ).not.toBeInTheDocument();
  });

  it('filters the loaded lines as one types, and asks Loki with search on Enter', async () => {
    const asked = logHandlers(q =>
      q.get('search')
        ? rawLogs({
            search: q.get('search')!,
            lines: rawLogs().lines.filter(l =>
              l.line.includes(q.get('search')!),
            ),
          })
        : rawLogs(),
    );
    const dialog = await openLogsOfAbc();
    const block = await within(dialog).findByRole('region', {
      name: `Log lines of ${POD}`,
    });
    const box = within(dialog).getByRole('textbox', {
      name: 'Search in lines',
    });

    await userEvent.type(box, 'heap used');
    expect(block).toHaveTextContent('loaded page 11/48');
    expect(block).not.toHaveTextContent('OutOfMemoryError');
    expect(within(block).getByText('heap used').tagName).toBe('MARK');
    expect(asked.raw).toHaveLength(1);

    await userEvent.clear(box);
    await userEvent.type(box, 'nothing like this');
    expect(
      within(dialog).getByText(/No loaded line contains “nothing like this”/),
    ).toBeInTheDocument();

    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(asked.raw).toHaveLength(2));
    expect(asked.raw[1].get('search')).toBe('nothing like this');
    expect(
      await within(dialog).findByText(
        `No line of ${POD} contains “nothing like this” in this window.`,
      ),
    ).toBeInTheDocument();
  });

  it('shows the previous container log, and says so plainly when there is none', async () => {
    const previousState: { unavailable?: string } = {};
    const asked = logHandlers(undefined, () =>
      previousState.unavailable
        ? previousLogs({ lines: [], unavailable: previousState.unavailable })
        : previousLogs(),
    );
    const dialog = await openLogsOfAbc();
    await within(dialog).findByRole('region', { name: `Log lines of ${POD}` });
    expect(asked.previous).toHaveLength(0);

    await userEvent.click(
      within(dialog).getByRole('tab', { name: 'Previous container' }),
    );
    const block = await within(dialog).findByRole('region', {
      name: `Previous container log of ${POD}`,
    });
    expect(block).toHaveTextContent(
      'java.lang.OutOfMemoryError: Java heap space',
    );
    expect(
      within(dialog).getByText(/--previous --timestamps/),
    ).toBeInTheDocument();
    expect(Object.fromEntries(asked.previous[0])).toEqual({
      entityRef: ENTITY_REF,
      pod: POD,
      container: 'checkout-api',
      cluster: 'sandbox',
      namespace: 'finance',
    });

    // Another pod whose container never restarted.
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    previousState.unavailable =
      'Container checkout-api of pod checkout-api-v1-abc has no previous instance to read: it has not restarted since the pod started. The Kubernetes API answered 400: previous terminated container "checkout-api" in pod "checkout-api-v1-abc" not found';
    const again = await openLogsOfAbc();
    await userEvent.click(
      within(again).getByRole('tab', { name: 'Previous container' }),
    );
    expect(
      await within(again).findByText(/has no previous instance to read/),
    ).toBeInTheDocument();
    expect(
      within(again).queryByRole('region', {
        name: `Previous container log of ${POD}`,
      }),
    ).not.toBeInTheDocument();
  });

  it("links to Explore in the Grafana of the pod's cluster when it has one", async () => {
    logHandlers();
    const dialog = await openLogsOfAbc({
      observabilityIr: {
        grafana: { url: 'https://grafana.example.com', lokiDatasource: 'all' },
        clusters: [
          {
            name: 'sandbox',
            grafana: {
              url: 'https://grafana-sandbox.example.com',
              lokiDatasource: 'loki-sandbox',
            },
          },
        ],
      },
    });
    const link = await within(dialog).findByRole('link', {
      name: /Open in Grafana Explore/,
    });
    const url = new URL(link.getAttribute('href')!);
    expect(url.origin).toBe('https://grafana-sandbox.example.com');
    const panes = JSON.parse(url.searchParams.get('panes')!);
    expect(panes.incident.datasource).toBe('loki-sandbox');
  });

  it('says when the answer was capped, and links to Grafana Explore when configured', async () => {
    logHandlers(() => rawLogs({ truncated: 'bytes' }));
    const dialog = await openLogsOfAbc({
      observabilityIr: { grafana: { url: 'https://grafana.example.com' } },
    });
    expect(
      await within(dialog).findByText(
        /Loki has more lines in this window than one answer holds.*showing 3 lines \(at most 256 KiB of lines\)/,
      ),
    ).toBeInTheDocument();
    const link = within(dialog).getByRole('link', {
      name: /Open in Grafana Explore/,
    });
    const url = new URL(link.getAttribute('href')!);
    expect(url.origin).toBe('https://grafana.example.com');
    const panes = JSON.parse(url.searchParams.get('panes')!);
    expect(panes.incident.queries[0].expr).toBe(rawLogs().query.query);
    expect(panes.incident.range).toEqual({
      from: String(Date.parse('2026-11-25T13:54:55.000Z')),
      to: String(Date.parse('2026-11-25T14:00:55.000Z')),
    });
  });

  it('shows loading, then the error the backend answered', async () => {
    logHandlers(() => new Response(null));
    let release!: () => void;
    const answered = new Promise<void>(resolve => {
      release = resolve;
    });
    server.use(
      http.get(`${BASE_URL}/v1/logs/raw`, async () => {
        await answered;
        return HttpResponse.json(
          {
            error: {
              name: 'NotFoundError',
              message: `Pod ${POD} is not one of the pods of ${ENTITY_REF} in cluster sandbox`,
            },
            request: { method: 'GET', url: '/v1/logs/raw' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        );
      }),
    );
    const dialog = await openLogsOfAbc();
    expect(
      within(dialog).getByText('Reading the lines from Loki…'),
    ).toBeInTheDocument();
    release();
    expect(
      await within(dialog).findByText(/is not one of the pods of/),
    ).toBeInTheDocument();
  });

  it('says when Loki has no lines in the window', async () => {
    logHandlers(() => rawLogs({ lines: [] }));
    const dialog = await openLogsOfAbc();
    expect(
      await within(dialog).findByText(
        `Loki has no lines of ${POD} in this window.`,
      ),
    ).toBeInTheDocument();
  });
});
