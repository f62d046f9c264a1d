import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  labAlerts,
  labMetrics,
  labMetricsWithoutPrometheus,
  labTimeline,
} from '../../__testUtils__/fixtures';
import {
  answer,
  BASE_URL,
  hang,
  renderPanel,
} from '../../__testUtils__/renderPanel';
import { RawLogsProvider } from '../RawLogs';
import { IncidentTimeline } from './IncidentTimeline';

const server = setupServer();
registerMswTestHooks(server);

// No alert unless a test says otherwise.
beforeEach(() => server.use(answer('alerts', labAlerts({ alerts: [] }))));

describe('IncidentTimeline', () => {
  it('draws memory and CPU of both pods with the limit and the OOM kills', async () => {
    server.use(
      answer('metrics', labMetrics()),
      answer('timeline', labTimeline()),
    );
    renderPanel(<IncidentTimeline />);

    const memory = await screen.findByRole(
      'img',
      { name: 'Memory working set and limit over time' },
      { timeout: 10_000 },
    );
    expect(
      screen.getByRole('img', { name: 'CPU usage and limit over time' }),
    ).toBeInTheDocument();
    // The legend names both pods and the one shared limit and request.
    expect(within(memory).getByText('checkout-api-v1-abc')).toBeInTheDocument();
    expect(within(memory).getByText('checkout-api-v1-xyz')).toBeInTheDocument();
    expect(within(memory).getByText('limit 512Mi')).toBeInTheDocument();
    expect(within(memory).getByText('request 384Mi')).toBeInTheDocument();
    // Two lines per pod, one limit and one request.
    expect(memory.querySelectorAll('.recharts-line')).toHaveLength(4);
    // A marker per event.
    expect(memory.querySelectorAll('.incident-event-marker')).toHaveLength(3);

    expect(
      screen.getByText(/All 2 terminations followed the working set at 99%/),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: /Events in this range: 2 terminations, 1 error bursts/,
      }),
    );
    expect(
      await screen.findAllByText(/OOMKilled at .* working set 99% of 512Mi/),
    ).toHaveLength(2);
  });

  it('shades the time axis while the lab’s alerts fired, one band per alert, and lists them', async () => {
    server.use(
      answer('metrics', labMetrics()),
      answer('timeline', labTimeline()),
      answer('alerts', labAlerts()),
    );
    renderPanel(<IncidentTimeline />);

    const memory = await screen.findByRole(
      'img',
      { name: 'Memory working set and limit over time' },
      { timeout: 10_000 },
    );
    // Overlapping intervals of one alert (two pods) are one band.
    expect(memory.querySelectorAll('.incident-alert-band')).toHaveLength(2);
    expect(within(memory).getByText('KubePodCrashLooping')).toBeInTheDocument();
    expect(
      within(memory).getByText('ContainerMemoryNearLimit'),
    ).toBeInTheDocument();
    const cpu = screen.getByRole('img', {
      name: 'CPU usage and limit over time',
    });
    expect(cpu.querySelectorAll('.incident-alert-band')).toHaveLength(2);

    const legend = screen.getByRole('list', { name: 'Alerts on the timeline' });
    const entries = within(legend).getAllByRole('listitem');
    expect(entries.map(e => e.textContent)).toEqual([
      expect.stringMatching(
        /^ContainerMemoryNearLimit \(checkout-api-v1-xyz, checkout-api-v1-abc\): .* to still firing$/,
      ),
      expect.stringMatching(
        /^KubePodCrashLooping \(checkout-api-v1-abc, checkout-api-v1-xyz\): .* to still firing$/,
      ),
    ]);
  });

  it('draws no band when no alert fired', async () => {
    server.use(
      answer('metrics', labMetrics()),
      answer('timeline', labTimeline()),
    );
    renderPanel(<IncidentTimeline />);

    const memory = await screen.findByRole(
      'img',
      { name: 'Memory working set and limit over time' },
      { timeout: 10_000 },
    );
    expect(memory.querySelectorAll('.incident-alert-band')).toHaveLength(0);
    expect(
      screen.queryByRole('list', { name: 'Alerts on the timeline' }),
    ).not.toBeInTheDocument();
  });

  it('shows the error naming Prometheus when it failed', async () => {
    server.use(
      answer(
        'metrics',
        labMetricsWithoutPrometheus({
          status: 'error',
          error: 'no answer within 10 s',
        }),
      ),
      answer('timeline', labTimeline()),
    );
    renderPanel(<IncidentTimeline />);

    expect(
      await screen.findByText(
        'Prometheus of cluster sandbox: no answer within 10 s',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('img', { name: /Memory working set/ }),
    ).not.toBeInTheDocument();
  });

  it('says how to configure a missing Prometheus', async () => {
    server.use(
      answer(
        'metrics',
        labMetricsWithoutPrometheus({ status: 'not-configured' }),
      ),
      answer('timeline', labTimeline({ events: [] })),
    );
    renderPanel(<IncidentTimeline />);

    expect(
      await screen.findByText(
        'No Prometheus configured for cluster sandbox: set observabilityIr.clusters[].prometheus.url.',
      ),
    ).toBeInTheDocument();
  });

  it('shows a skeleton as tall as the charts until the metrics arrive', async () => {
    server.use(hang('metrics'), hang('timeline'));
    renderPanel(<IncidentTimeline />);

    const skeleton = await screen.findByRole('progressbar', {
      name: 'Loading metrics',
    });
    // Memory, CPU, throttling, restarts and readiness: what is below it
    // does not move when they are drawn.
    expect(skeleton.firstElementChild).toHaveStyle({ height: '860px' });
  });

  it('draws a day of 15 s samples with at most 500 points a line', async () => {
    // 24 h at 15 s: 5,761 points per series.
    const day = labMetrics({}, 15_000);
    const start = Date.parse(day.range.end) - 24 * 3600 * 1000;
    for (const s of [...day.memory.workingSet, ...day.cpu.usage]) {
      s.points = Array.from({ length: 5761 }, (_, i) => [
        start + i * 15_000,
        s.points[i % s.points.length][1],
      ]);
    }
    day.range.start = new Date(start).toISOString();
    server.use(answer('metrics', day), answer('timeline', labTimeline()));
    renderPanel(<IncidentTimeline />);

    const memory = await screen.findByRole(
      'img',
      { name: 'Memory working set and limit over time' },
      { timeout: 10_000 },
    );
    const path = memory
      .querySelector('.recharts-line-curve')!
      .getAttribute('d')!;
    const vertices = path.split(/[ML]/).filter(Boolean).length;
    expect(vertices).toBeGreaterThan(100);
    expect(vertices).toBeLessThanOrEqual(500);
  });

  it("opens a pod's raw logs before a kill from the list of events", async () => {
    const asked: URLSearchParams[] = [];
    server.use(
      answer('metrics', labMetrics()),
      answer('timeline', labTimeline()),
      http.get(`${BASE_URL}/v1/logs/raw`, ({ request }) => {
        asked.push(new URL(request.url).searchParams);
        return HttpResponse.json({}, { status: 503 });
      }),
    );
    renderPanel(
      <RawLogsProvider>
        <IncidentTimeline />
      </RawLogsProvider>,
    );
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: /Events in this range/ },
        { timeout: 10_000 },
      ),
    );
    const kill = labTimeline().events[1];
    const logs = screen.getAllByRole('button', {
      name: /^Logs of checkout-api-v1-xyz before /,
    });
    await userEvent.click(logs[0]);

    expect(
      await screen.findByRole('dialog', {
        name: 'Logs of checkout-api-v1-xyz, container checkout-api',
      }),
    ).toBeInTheDocument();
    expect(asked[0]?.get('pod')).toBe('checkout-api-v1-xyz');
    expect(asked[0]?.get('at')).toBe(kill.time);
    // Clicking the chart does the same for any moment.
    expect(
      screen.getByText(/Click a moment for the pod's logs around it/),
    ).toBeInTheDocument();
  });

  it('focuses one pod from the legend, fading the others, and back', async () => {
    server.use(
      answer('metrics', labMetrics()),
      answer('timeline', labTimeline()),
    );
    renderPanel(
      <RawLogsProvider>
        <IncidentTimeline />
      </RawLogsProvider>,
    );
    const memory = await screen.findByRole(
      'img',
      { name: 'Memory working set and limit over time' },
      { timeout: 10_000 },
    );
    const opacities = () =>
      [...memory.querySelectorAll('.recharts-line-curve')].map(path =>
        path.getAttribute('stroke-opacity'),
      );
    expect(opacities()).not.toContain('0.2');

    await userEvent.click(within(memory).getByText('checkout-api-v1-abc'));
    expect(
      await screen.findByText(
        /now checkout-api-v1-abc; click it again for all/,
      ),
    ).toBeInTheDocument();
    // One pod faded; its lines and the limit and request stay.
    expect(opacities().filter(o => o === '0.2')).toHaveLength(1);

    await userEvent.click(within(memory).getByText('checkout-api-v1-abc'));
    expect(screen.queryByText(/now checkout-api-v1-abc/)).toBeNull();
    expect(opacities()).not.toContain('0.2');
  });
});
