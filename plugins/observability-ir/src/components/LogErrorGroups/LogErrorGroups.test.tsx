import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import {
  labLogs,
  manyLogGroups,
  okSources,
} from '../../__testUtils__/fixtures';
import { answer, hang, renderPanel } from '../../__testUtils__/renderPanel';
import { LogErrorGroups } from './LogErrorGroups';

const server = setupServer();
registerMswTestHooks(server);

describe('LogErrorGroups', () => {
  it('shows the OutOfMemoryError group with its count, expanding to the stack trace', async () => {
    server.use(answer('logs', labLogs()));
    renderPanel(<LogErrorGroups />);

    const region = await screen.findByRole('region', { name: 'Error logs' });
    expect(
      within(region).getByRole('heading', { name: 'Error logs' }),
    ).toBeInTheDocument();
    const oom = await within(region).findByRole('button', {
      // Named by its visible words: the signature first, the count last.
      name: /^java\.lang\.OutOfMemoryError: Java heap space First .* 87 lines$/,
    });
    expect(oom).toHaveTextContent('87 lines');
    expect(oom).toHaveTextContent(
      '2 pods: checkout-api-v1-abc, checkout-api-v1-xyz',
    );
    expect(
      within(oom).getByRole('img', {
        name: 'java.lang.OutOfMemoryError: Java heap space over the range',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/CatalogCache.warm/)).not.toBeInTheDocument();

    await userEvent.click(oom);

    const sample = await screen.findByRole('region', {
      name: 'Sample log line and stack trace',
    });
    // It scrolls sideways: a keyboard reaches it after the group's button.
    await userEvent.tab();
    expect(sample).toHaveFocus();
    expect(sample).toHaveTextContent(
      'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    );
    expect(sample).toHaveTextContent(
      'at com.acme.checkout.catalog.CatalogCache.warm(CatalogCache.java:88)',
    );
  });

  it('offers the LogQL to copy, and Grafana Explore when configured', async () => {
    server.use(answer('logs', labLogs()));
    renderPanel(<LogErrorGroups />, {
      config: {
        observabilityIr: { grafana: { url: 'https://grafana.example.com' } },
      },
    });

    expect(
      await screen.findByRole('button', { name: 'Copy LogQL query' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        '{namespace="finance", pod=~"checkout-api-.*"} |~ "(?i)(error|exception)"',
      ),
    ).toBeInTheDocument();
    const explore = screen.getByRole('link', {
      name: /Open in Grafana Explore/,
    });
    const url = new URL(explore.getAttribute('href')!);
    expect(url.origin).toBe('https://grafana.example.com');
    expect(url.searchParams.get('panes')).toContain('checkout-api-.*');
  });

  it("links each cluster's LogQL to that cluster's Grafana", async () => {
    const base = labLogs();
    const query = (cluster: string) => ({
      name: 'error lines',
      cluster,
      query: `{cluster="${cluster}"} |~ "(?i)(error|exception)"`,
    });
    server.use(
      answer('logs', {
        ...base,
        queries: [query('production-eu'), query('staging')],
      }),
    );
    renderPanel(<LogErrorGroups />, {
      config: {
        observabilityIr: {
          grafana: {
            url: 'https://grafana.example.com',
            lokiDatasource: 'loki',
          },
          clusters: [
            {
              name: 'production-eu',
              grafana: { url: 'https://grafana-eu.example.com' },
            },
          ],
        },
      },
    });

    const eu = new URL(
      (
        await screen.findByRole('link', {
          name: /^Open in Grafana Explore \(production-eu\)/,
        })
      ).getAttribute('href')!,
    );
    expect(eu.origin).toBe('https://grafana-eu.example.com');
    const euPane = JSON.parse(eu.searchParams.get('panes')!).incident;
    expect(euPane.queries[0].expr).toContain('production-eu');
    expect(euPane.datasource).toBeUndefined();

    const staging = new URL(
      screen
        .getByRole('link', { name: /^Open in Grafana Explore \(staging\)/ })
        .getAttribute('href')!,
    );
    expect(staging.origin).toBe('https://grafana.example.com');
    const stagingPane = JSON.parse(staging.searchParams.get('panes')!).incident;
    expect(stagingPane.queries[0].expr).toContain('staging');
    expect(stagingPane.datasource).toBe('loki');
  });

  it('links only the clusters that have a Grafana', async () => {
    server.use(
      answer('logs', {
        ...labLogs(),
        queries: [
          { name: 'error lines', cluster: 'production-eu', query: '{a="1"}' },
          { name: 'error lines', cluster: 'staging', query: '{a="2"}' },
        ],
      }),
    );
    renderPanel(<LogErrorGroups />, {
      config: {
        observabilityIr: {
          clusters: [
            {
              name: 'production-eu',
              grafana: { url: 'https://grafana-eu.example.com' },
            },
            { name: 'staging' },
          ],
        },
      },
    });
    await screen.findByRole('link', {
      name: /^Open in Grafana Explore \(production-eu\)/,
    });
    expect(screen.getAllByRole('link', { name: /Grafana/ })).toHaveLength(1);
  });

  it('has no Grafana link without Grafana configured', async () => {
    server.use(answer('logs', labLogs()));
    renderPanel(<LogErrorGroups />);
    await screen.findByRole('button', { name: 'Copy LogQL query' });
    expect(screen.queryByRole('link', { name: /Grafana/ })).toBeNull();
  });

  it('renders 20 of 2,000 groups and more on request', async () => {
    server.use(
      answer('logs', labLogs({ groups: manyLogGroups(2000), linesRead: 5000 })),
    );
    renderPanel(<LogErrorGroups />);

    expect(
      await screen.findByText(
        '5000 error lines in 2000 groups; showing the 20 most frequent.',
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /Failure\d+/ })).toHaveLength(
      20,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Show 20 more groups' }),
    );
    expect(screen.getAllByRole('button', { name: /Failure\d+/ })).toHaveLength(
      40,
    );
  });

  it('says so when there are no error lines', async () => {
    server.use(answer('logs', labLogs({ groups: [], linesRead: 0 })));
    renderPanel(<LogErrorGroups />);

    expect(
      await screen.findByText('No error log lines in this range'),
    ).toBeInTheDocument();
  });

  it('says how to configure a missing Loki', async () => {
    server.use(
      answer(
        'logs',
        labLogs({
          groups: [],
          queries: [],
          sources: [
            ...okSources(['kubernetes']),
            { cluster: 'sandbox', source: 'loki', status: 'not-configured' },
          ],
        }),
      ),
    );
    renderPanel(<LogErrorGroups />);

    expect(
      await screen.findByText(
        'No Loki configured for cluster sandbox: set observabilityIr.clusters[].loki.url.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('No error log lines in this range')).toBeNull();
  });

  it('warns that counts are lower bounds when Loki had more lines', async () => {
    server.use(answer('logs', labLogs({ truncated: true, linesRead: 5000 })));
    renderPanel(<LogErrorGroups />);
    expect(
      await screen.findByText(/Loki had more error lines than the 5000 read/),
    ).toBeInTheDocument();
  });

  it('shows a skeleton until the logs arrive', async () => {
    server.use(hang('logs'));
    renderPanel(<LogErrorGroups />);
    expect(
      await screen.findByRole('progressbar', { name: 'Loading error logs' }),
    ).toBeInTheDocument();
  });
});
