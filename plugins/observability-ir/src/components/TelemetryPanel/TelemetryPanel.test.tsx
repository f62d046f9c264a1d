import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { act, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { TelemetryResponse } from '@observability-ir/plugin-observability-ir-common';
import { BASE_URL, fail, renderPanel } from '../../__testUtils__/renderPanel';
import { TelemetryPanel } from './TelemetryPanel';

const server = setupServer();
registerMswTestHooks(server);

const ENTITY_REF = 'component:default/checkout-api';

const SERVICE_MONITOR_YAML = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: checkout-api
  namespace: monitoring
spec:
  namespaceSelector:
    matchNames: [finance]
  selector:
    matchLabels:
      app: checkout-api
  endpoints:
    - port: http-metrics`;

const FLUENT_BIT_FILTER = `[FILTER]
    Name      kubernetes
    Match     kube.*
    Labels    On`;

/** checkout-api scraped through monitoring/backend-telemetry, logs whole. */
function healthyTelemetry(): TelemetryResponse {
  return {
    entityRef: ENTITY_REF,
    metrics: [
      {
        cluster: 'sandbox',
        services: ['checkout-api'],
        serviceMonitors: ['monitoring/backend-telemetry'],
        checks: [
          {
            id: 'service-monitor',
            title: 'ServiceMonitor selects the Service',
            status: 'ok',
            detail:
              'monitoring/backend-telemetry selects Service checkout-api on port http-metrics.',
          },
          {
            id: 'target-up',
            title: 'Prometheus target is up',
            status: 'ok',
            detail: '2 of 2 targets up; last scrape 14:01:50Z.',
          },
          {
            id: 'series-present',
            title: 'Series present',
            status: 'ok',
            detail: '1,204 series with job="checkout-api".',
          },
        ],
      },
    ],
    logs: [
      {
        cluster: 'sandbox',
        labels: ['namespace', 'pod', 'container', 'app'],
        newestEntryAt: '2026-11-25T14:01:58Z',
        checks: [
          {
            id: 'log-streams',
            title: 'Log streams found',
            status: 'ok',
            detail: '2 streams in Loki for the entity’s pods.',
          },
        ],
      },
    ],
    sources: [
      { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
      { cluster: 'sandbox', source: 'prometheus', status: 'ok' },
      { cluster: 'sandbox', source: 'loki', status: 'ok' },
    ],
  };
}

/** No ServiceMonitor selects the Service, and logs lack their labels. */
function brokenTelemetry(): TelemetryResponse {
  return {
    entityRef: ENTITY_REF,
    metrics: [
      {
        cluster: 'sandbox',
        services: ['checkout-api'],
        serviceMonitors: [],
        checks: [
          {
            id: 'service-monitor',
            title: 'ServiceMonitor selects the Service',
            status: 'missing',
            detail:
              'No ServiceMonitor selects Service checkout-api (labels app=checkout-api).',
          },
          {
            id: 'target-up',
            title: 'Prometheus target is up',
            status: 'unknown',
            detail: 'No target to check.',
          },
        ],
        likelyCause:
          'monitoring/backend-telemetry selects tier=backend, which Service checkout-api lacks.',
        suggestedServiceMonitor: SERVICE_MONITOR_YAML,
      },
    ],
    logs: [
      {
        cluster: 'sandbox',
        labels: ['filename'],
        checks: [
          {
            id: 'log-kubernetes-labels',
            title: 'Streams carry Kubernetes labels',
            status: 'warning',
            detail: 'Streams have only filename; no namespace or pod label.',
          },
        ],
        likelyCause:
          'Fluent Bit ships the file tail without its kubernetes filter.',
        suggestedFluentBitFilter: FLUENT_BIT_FILTER,
      },
    ],
    sources: [
      { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
      { cluster: 'sandbox', source: 'prometheus', status: 'ok' },
      { cluster: 'sandbox', source: 'loki', status: 'ok' },
    ],
  };
}

function answerTelemetry(body: TelemetryResponse) {
  const asked: Array<string | null> = [];
  server.use(
    http.get(`${BASE_URL}/v1/telemetry`, ({ request }) => {
      asked.push(new URL(request.url).searchParams.get('entityRef'));
      return HttpResponse.json(body);
    }),
  );
  return asked;
}

async function panel() {
  return screen.findByRole('region', { name: 'Telemetry pipeline' });
}

describe('TelemetryPanel', () => {
  it('asks for the audit only once the panel comes near the viewport', async () => {
    const original = (globalThis as any).IntersectionObserver;
    const observed: Array<
      (entries: Array<{ isIntersecting: boolean }>) => void
    > = [];
    (globalThis as any).IntersectionObserver = class {
      constructor(
        callback: (entries: Array<{ isIntersecting: boolean }>) => void,
      ) {
        observed.push(callback);
      }
      observe() {}
      disconnect() {}
    };
    try {
      const asked = answerTelemetry(healthyTelemetry());
      renderPanel(<TelemetryPanel />);

      const region = await panel();
      // Let a request that would go out at once go out.
      await new Promise(resolve => setTimeout(resolve, 100));
      expect(asked).toEqual([]);
      expect(
        within(region).queryByText('Metrics in cluster sandbox'),
      ).toBeNull();

      act(() =>
        observed.forEach(callback => callback([{ isIntersecting: true }])),
      );
      expect(
        await within(region).findByText('Metrics in cluster sandbox'),
      ).toBeInTheDocument();
      expect(asked).toEqual([ENTITY_REF]);
    } finally {
      (globalThis as any).IntersectionObserver = original;
    }
  });

  it('shows the ServiceMonitor that scrapes the entity and each check passing', async () => {
    const asked = answerTelemetry(healthyTelemetry());
    renderPanel(<TelemetryPanel />);

    const region = await panel();
    expect(
      await within(region).findByText('Metrics in cluster sandbox'),
    ).toBeInTheDocument();
    expect(asked).toEqual([ENTITY_REF]);
    expect(
      within(region).getByText(
        /ServiceMonitors selecting them: monitoring\/backend-telemetry/,
      ),
    ).toBeInTheDocument();
    const checks = within(region).getByRole('list', {
      name: 'Metrics checks in sandbox',
    });
    const items = within(checks).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual([
      'OKServiceMonitor selects the Servicemonitoring/backend-telemetry selects Service checkout-api on port http-metrics.',
      'OKPrometheus target is up2 of 2 targets up; last scrape 14:01:50Z.',
      'OKSeries present1,204 series with job="checkout-api".',
    ]);
    expect(within(region).queryByText('Likely cause')).toBeNull();
    expect(
      within(region).queryByRole('button', { name: /Copy the ServiceMonitor/ }),
    ).toBeNull();
  });

  it('shows the likely cause and the ServiceMonitor and Fluent Bit filter to apply', async () => {
    answerTelemetry(brokenTelemetry());
    renderPanel(<TelemetryPanel />);

    const region = await panel();
    const metrics = await within(region).findByRole('list', {
      name: 'Metrics checks in sandbox',
    });
    expect(within(metrics).getAllByRole('listitem')[0]).toHaveTextContent(
      /^MissingServiceMonitor selects the ServiceNo ServiceMonitor selects/,
    );
    expect(within(metrics).getAllByRole('listitem')[1]).toHaveTextContent(
      /^Unknown/,
    );
    expect(
      within(region).getByText(
        'monitoring/backend-telemetry selects tier=backend, which Service checkout-api lacks.',
      ),
    ).toBeInTheDocument();
    expect(
      within(region).getByText(/ServiceMonitors selecting them: none/),
    ).toBeInTheDocument();
    // The YAML exactly as it applies, with its copy button.
    const yaml = within(region).getByText(/kind: ServiceMonitor/);
    expect(yaml.textContent).toBe(SERVICE_MONITOR_YAML);
    expect(
      within(region).getByRole('button', {
        name: 'Copy the ServiceMonitor for sandbox',
      }),
    ).toBeInTheDocument();

    const logs = within(region).getByRole('list', {
      name: 'Logs checks in sandbox',
    });
    expect(within(logs).getByRole('listitem')).toHaveTextContent(
      /^WarningStreams carry Kubernetes labels/,
    );
    expect(
      within(region).getByText(
        'Fluent Bit ships the file tail without its kubernetes filter.',
      ),
    ).toBeInTheDocument();
    expect(within(region).getByText(/Name\s+kubernetes/).textContent).toBe(
      FLUENT_BIT_FILTER,
    );
    expect(
      within(region).getByRole('button', {
        name: 'Copy the Fluent Bit filter for sandbox',
      }),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to audit', async () => {
    answerTelemetry({
      entityRef: ENTITY_REF,
      metrics: [],
      logs: [],
      sources: [],
    });
    renderPanel(<TelemetryPanel />);

    expect(
      await within(await panel()).findByText('Nothing to audit'),
    ).toBeInTheDocument();
  });

  it('shows the backend’s message when the audit fails', async () => {
    server.use(
      fail('telemetry', 500, 'Error', 'Prometheus Operator CRDs unreadable'),
    );
    renderPanel(<TelemetryPanel />);

    const region = await panel();
    expect(
      await within(region).findByText(
        'Prometheus Operator CRDs unreadable (500)',
      ),
    ).toBeInTheDocument();
    expect(
      within(region).getByText('The telemetry audit failed'),
    ).toBeInTheDocument();
  });

  it('explains a refusal as the rest of the tab does', async () => {
    server.use(
      fail(
        'telemetry',
        403,
        'NotAllowedError',
        'You are not allowed to read the incident data of component:default/checkout-api',
      ),
    );
    renderPanel(<TelemetryPanel />);

    expect(
      await within(await panel()).findByText(
        /You cannot see this service's incident data/,
      ),
    ).toBeInTheDocument();
  });
});
