import '@testing-library/jest-dom';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  MetricSeries,
  MetricsResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ObservabilityIrClient, observabilityIrApiRef } from '../../api';
import { IncidentRangeProvider } from '../../hooks';
import {
  labAlerts,
  labMetrics,
  labTimeline,
} from '../../__testUtils__/fixtures';
import {
  answer,
  BASE_URL,
  checkoutApiEntity,
} from '../../__testUtils__/renderPanel';
import { IncidentTimeline } from './IncidentTimeline';

const server = setupServer();
registerMswTestHooks(server);

const STEP = 15_000;

/** A series of `pod` over the lab's range from `value(i)`. */
function seriesOf(
  pod: string,
  value: (i: number) => number,
  extra: Partial<MetricSeries> = {},
): MetricSeries {
  const lab = labMetrics();
  const start = Date.parse(lab.range.start);
  const end = Date.parse(lab.range.end);
  const points: Array<[number, number]> = [];
  for (let t = start, i = 0; t <= end; t += STEP, i++) {
    points.push([t, value(i)]);
  }
  return {
    cluster: 'sandbox',
    pod,
    container: 'checkout-api',
    points,
    ...extra,
  };
}

const PODS = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];

/**
 * The lab's metrics as the backend shapes them for a chart: the two pods
 * drawn on their own, three more as the others, each bound once.
 */
function shapedLab(extraPod?: string): MetricsResponse {
  const lab = labMetrics();
  const pods = extraPod ? [...PODS, extraPod] : PODS;
  const others = (of: 'max' | 'sum' | 'mean', value: (i: number) => number) =>
    seriesOf('others', value, {
      container: undefined,
      aggregate: { of, containers: 5 - pods.length },
    });
  const byPod = (pod: string) =>
    lab.memory.workingSet.find(s => s.pod === pod) ??
    seriesOf(pod, () => 300 * 1024 * 1024);
  return {
    ...lab,
    memory: {
      workingSet: [...pods.map(byPod), others('max', () => 200 * 1024 * 1024)],
      limit: [
        { ...lab.memory.limit[0], aggregate: { of: 'same', containers: 5 } },
      ],
      request: [
        { ...lab.memory.request[0], aggregate: { of: 'same', containers: 5 } },
      ],
    },
    cpu: {
      usage: [
        ...pods.map(p => seriesOf(p, () => 0.2)),
        others('max', () => 0.1),
      ],
      limit: [
        { ...lab.cpu.limit[0], aggregate: { of: 'same', containers: 5 } },
      ],
      throttledShare: [
        ...pods.map((p, n) => seriesOf(p, i => (n === 0 && i > 120 ? 0.6 : 0))),
        others('max', () => 0.05),
      ],
    },
    // abc restarts every 40 samples; xyz once.
    restarts: [
      ...pods.map((p, n) =>
        seriesOf(p, i =>
          n === 0 ? 40 + Math.floor(i / 40) : 7 + (i > 200 ? 1 : 0),
        ),
      ),
      others('sum', () => 12),
    ],
    ready: [
      ...pods.map((p, n) => seriesOf(p, i => (n === 0 && i % 40 < 4 ? 0 : 1))),
      others('mean', () => 1),
    ],
    shape: {
      width: 800,
      downsampled: false,
      containersTotal: 5,
      shown: pods.map(pod => ({
        cluster: 'sandbox',
        pod,
        container: 'checkout-api',
      })),
    },
  };
}

/** Answers the metrics shaped, noting each request's query. */
function shapedMetrics(asked: URLSearchParams[]) {
  return http.get(`${BASE_URL}/v1/metrics`, ({ request }) => {
    const params = new URL(request.url).searchParams;
    asked.push(params);
    return HttpResponse.json(shapedLab(params.get('pod') ?? undefined));
  });
}

function renderTimeline(url = '/') {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage.test' });
  const fetchApi = mockApis.fetch({ resolvePluginProtocol: { discoveryApi } });
  return renderInTestApp(
    <EntityProvider entity={checkoutApiEntity}>
      <IncidentRangeProvider>
        <IncidentTimeline />
      </IncidentRangeProvider>
    </EntityProvider>,
    {
      initialRouteEntries: [url],
      apis: [
        discoveryApi,
        fetchApi,
        [observabilityIrApiRef, new ObservabilityIrClient({ fetchApi })],
      ],
    },
  );
}

const chart = (name: string) =>
  screen.findByRole('img', { name }, { timeout: 10_000 });

/** The labels of a chart's time axis. */
const timeAxis = (img: HTMLElement) =>
  [
    ...img.querySelectorAll('.recharts-xAxis .recharts-cartesian-axis-tick'),
  ].map(t => t.textContent);

beforeEach(() =>
  server.use(
    answer('timeline', labTimeline()),
    answer('alerts', labAlerts({ alerts: [] })),
  ),
);

describe('IncidentTimeline, shaped for its width', () => {
  it('asks for an answer as wide as the chart, and draws the others as one line', async () => {
    const asked: URLSearchParams[] = [];
    server.use(shapedMetrics(asked));
    renderTimeline();

    const memory = await chart('Memory working set and limit over time');
    expect(asked).toHaveLength(1);
    // jsdom has no layout: the chart is 800 pixels wide.
    expect(asked[0].get('width')).toBe('800');
    expect(asked[0].has('pod')).toBe(false);
    expect(
      screen.getByText(
        /Showing the 2 of 5 containers most relevant to the incident/,
      ),
    ).toBeInTheDocument();
    expect(within(memory).getByText('others (3, highest)')).toBeInTheDocument();
    expect(within(memory).getByText('limit 512Mi')).toBeInTheDocument();
    // Both pods, the others, one limit and one request.
    expect(memory.querySelectorAll('.recharts-line')).toHaveLength(5);
  });

  it('draws CPU throttling of each pod and the highest of the others', async () => {
    server.use(shapedMetrics([]));
    renderTimeline();

    const throttling = await chart('CPU throttling over time');
    expect(within(throttling).getByText(PODS[0])).toBeInTheDocument();
    expect(within(throttling).getByText(PODS[1])).toBeInTheDocument();
    expect(
      within(throttling).getByText('others (3, highest)'),
    ).toBeInTheDocument();
    expect(within(throttling).getByText('100%')).toBeInTheDocument();
    expect(throttling.querySelectorAll('.recharts-line')).toHaveLength(3);
  });

  it('draws the restarts of each pod and the total of the others on the same time axis', async () => {
    server.use(shapedMetrics([]));
    renderTimeline();

    const restarts = await chart('Restarts over time');
    expect(within(restarts).getByText(PODS[0])).toBeInTheDocument();
    expect(within(restarts).getByText('others (3, total)')).toBeInTheDocument();
    const memory = screen.getByRole('img', {
      name: 'Memory working set and limit over time',
    });
    expect(timeAxis(restarts).length).toBeGreaterThan(2);
    expect(timeAxis(restarts)).toEqual(timeAxis(memory));
    // One kill marker per event, as on the memory chart.
    expect(restarts.querySelectorAll('.incident-event-marker')).toHaveLength(
      memory.querySelectorAll('.incident-event-marker').length,
    );
  });

  it('draws readiness from not ready to ready, the others as the share ready', async () => {
    server.use(shapedMetrics([]));
    renderTimeline();

    const readiness = await chart('Readiness over time');
    expect(within(readiness).getByText('ready')).toBeInTheDocument();
    expect(within(readiness).getByText('not ready')).toBeInTheDocument();
    expect(within(readiness).getByText('others (3, mean)')).toBeInTheDocument();
  });

  it('draws no restarts or readiness chart when Prometheus has none', async () => {
    server.use(answer('metrics', labMetrics()));
    renderTimeline();

    await chart('Memory working set and limit over time');
    expect(
      screen.queryByRole('img', { name: 'Restarts over time' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('img', { name: 'Readiness over time' }),
    ).not.toBeInTheDocument();
  });

  it('focuses a pod from the legend on every chart, without asking again', async () => {
    const asked: URLSearchParams[] = [];
    server.use(shapedMetrics(asked));
    renderTimeline();

    const restarts = await chart('Restarts over time');
    await userEvent.click(within(restarts).getByText(PODS[1]));
    await waitFor(() =>
      expect(
        restarts.querySelector('.recharts-line-curve[stroke-opacity="0.2"]'),
      ).not.toBeNull(),
    );
    for (const name of [
      'Memory working set and limit over time',
      'CPU throttling over time',
      'Restarts over time',
      'Readiness over time',
    ]) {
      const faded = [
        ...screen
          .getByRole('img', { name })
          .querySelectorAll('.recharts-line-curve'),
      ].filter(path => path.getAttribute('stroke-opacity') === '0.2');
      // abc faded; xyz, the others and the bounds as they are.
      expect(faded).toHaveLength(1);
    }
    expect(asked).toHaveLength(1);
  });

  it('asks for a pod in focus from a link that the answer would not draw', async () => {
    const asked: URLSearchParams[] = [];
    server.use(shapedMetrics(asked));
    renderTimeline('/?pod=checkout-api-v1-qrs');

    const memory = await chart('Memory working set and limit over time');
    expect(asked[0].get('pod')).toBe('checkout-api-v1-qrs');
    expect(within(memory).getByText('checkout-api-v1-qrs')).toBeInTheDocument();
    expect(within(memory).getByText('others (2, highest)')).toBeInTheDocument();
    await waitFor(() => expect(asked).toHaveLength(1));
  });
});
