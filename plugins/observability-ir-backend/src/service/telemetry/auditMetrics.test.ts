import type { V1Pod, V1Service } from '@kubernetes/client-node';
import YAML from 'yaml';
import { auditMetrics, MetricsInputs } from './auditMetrics';
import {
  namespaceSelected,
  selectorMatches,
  ServiceMonitorObject,
  unmetRequirements,
} from './selection';

const pod = (name: string, labels: Record<string, string>): V1Pod => ({
  metadata: { name, namespace: 'identity', labels },
  spec: { containers: [{ name: 'auth-service' }], nodeName: 'worker-1' },
});

const service = (
  labels: Record<string, string>,
  ports: string[] = ['http', 'http-metrics'],
): V1Service => ({
  metadata: { name: 'auth-service', namespace: 'identity', labels },
  spec: {
    selector: { app: 'auth' },
    ports: ports.map((name, i) => ({ name, port: 8080 + i })),
  },
});

const monitor = (
  spec: ServiceMonitorObject['spec'],
  namespace = 'monitoring',
): ServiceMonitorObject => ({
  metadata: {
    name: 'backend-telemetry',
    namespace,
    labels: { release: 'kube-prometheus-stack' },
  },
  spec,
});

const pods = [
  pod('auth-service-84c7d6b5f9-x4y5z', { app: 'auth', tier: 'backend' }),
];

function inputs(overrides: Partial<MetricsInputs>): MetricsInputs {
  return {
    cluster: 'sandbox',
    pods,
    services: { value: [service({ app: 'auth', tier: 'backend' })] },
    serviceMonitors: {
      value: [
        monitor({
          selector: { matchLabels: { tier: 'backend' } },
          namespaceSelector: { any: true },
          endpoints: [{ port: 'http-metrics' }],
        }),
      ],
    },
    targets: { value: [] },
    series: { value: { up: false, workingSet: true } },
    ...overrides,
  };
}

const statusOf = (audit: ReturnType<typeof auditMetrics>, id: string) =>
  audit.checks.find(c => c.id === id)?.status;

describe('label selectors of ServiceMonitors', () => {
  it('holds matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'auth', tier: 'backend' };
    expect(
      selectorMatches(
        {
          matchLabels: { tier: 'backend' },
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['auth', 'login'] },
            { key: 'canary', operator: 'DoesNotExist' },
            { key: 'tier', operator: 'Exists' },
            { key: 'app', operator: 'NotIn', values: ['cart'] },
          ],
        },
        labels,
      ),
    ).toBe(true);
    expect(
      unmetRequirements(
        {
          matchLabels: { tier: 'frontend' },
          matchExpressions: [
            { key: 'app', operator: 'NotIn', values: ['auth'] },
            { key: 'team', operator: 'Exists' },
            { key: 'app', operator: 'Bogus' },
          ],
        },
        labels,
      ),
    ).toEqual(['tier=frontend', 'app notin (auth)', 'team', 'app notin ()']);
    expect(selectorMatches({}, labels)).toBe(true);
  });

  it("selects namespaces by any, matchNames, or else the ServiceMonitor's own", () => {
    expect(
      namespaceSelected(monitor({ namespaceSelector: { any: true } }), 'x'),
    ).toBe(true);
    expect(
      namespaceSelected(
        monitor({ namespaceSelector: { matchNames: ['a', 'b'] } }),
        'b',
      ),
    ).toBe(true);
    expect(
      namespaceSelected(
        monitor({ namespaceSelector: { matchNames: ['a'] } }),
        'b',
      ),
    ).toBe(false);
    expect(namespaceSelected(monitor({}, 'identity'), 'identity')).toBe(true);
    expect(namespaceSelected(monitor({}), 'identity')).toBe(false);
  });
});

describe('auditMetrics', () => {
  it('tells a namespace the namespaceSelector leaves out, and suggests a ServiceMonitor that selects the Service', () => {
    const audit = auditMetrics(
      inputs({
        serviceMonitors: {
          value: [
            monitor({
              selector: { matchLabels: { tier: 'backend' } },
              namespaceSelector: { matchNames: ['finance', 'storefront'] },
              endpoints: [{ port: 'http-metrics' }],
            }),
          ],
        },
      }),
    );
    expect(statusOf(audit, 'service-monitor')).toBe('ok');
    expect(statusOf(audit, 'namespace-selected')).toBe('missing');
    expect(statusOf(audit, 'endpoint-port')).toBe('unknown');
    expect(audit.serviceMonitors).toEqual([]);
    expect(audit.likelyCause).toBe(
      'Namespace not selected: the namespaceSelector of ServiceMonitor monitoring/backend-telemetry (matchNames finance, storefront) leaves out identity.',
    );
    const suggested = YAML.parse(audit.suggestedServiceMonitor!);
    const svc = service({ app: 'auth', tier: 'backend' });
    expect(
      selectorMatches(suggested.spec.selector, svc.metadata!.labels!),
    ).toBe(true);
    expect(namespaceSelected(suggested, 'identity')).toBe(true);
    expect(suggested.spec.endpoints[0].port).toBe('http-metrics');
    expect(suggested.metadata.labels).toEqual({
      release: 'kube-prometheus-stack',
    });
  });

  it('says so when the ServiceMonitor CRD is not installed, and audits the rest', () => {
    const audit = auditMetrics(
      inputs({
        serviceMonitors: {
          unknown:
            'The ServiceMonitor CRD (monitoring.coreos.com/v1) is not installed in cluster sandbox',
        },
      }),
    );
    expect(audit.checks.find(c => c.id === 'service-monitor')).toMatchObject({
      status: 'unknown',
      detail: expect.stringMatching(/CRD .* is not installed/),
    });
    expect(statusOf(audit, 'service')).toBe('ok');
    expect(statusOf(audit, 'target-up')).toBe('missing');
    expect(audit.suggestedServiceMonitor).toBeUndefined();
  });

  it('finds no Service for pods no Service selects, and suggests none', () => {
    const audit = auditMetrics(
      inputs({
        services: {
          value: [
            {
              ...service({ app: 'auth' }),
              spec: {
                selector: { app: 'login' },
                ports: [{ name: 'http', port: 80 }],
              },
            },
          ],
        },
      }),
    );
    expect(statusOf(audit, 'service')).toBe('missing');
    expect(statusOf(audit, 'service-monitor')).toBe('unknown');
    expect(audit.services).toEqual([]);
    expect(audit.likelyCause).toMatch(/^No Service exposes the entity's pods/);
    expect(audit.suggestedServiceMonitor).toBeUndefined();
  });

  it('names what is missing when the cluster has no ServiceMonitor at all', () => {
    const audit = auditMetrics(inputs({ serviceMonitors: { value: [] } }));
    expect(statusOf(audit, 'service-monitor')).toBe('missing');
    expect(audit.likelyCause).toBe(
      'No ServiceMonitor exists for Service identity/auth-service: Prometheus scrapes it only once one selects it.',
    );
    expect(YAML.parse(audit.suggestedServiceMonitor!).metadata).toEqual({
      name: 'auth-service',
      namespace: 'identity',
    });
  });

  it('names the first five targets down of many and counts the rest', () => {
    const names = Array.from(
      { length: 40 },
      (_, i) => `auth-service-84c7d6b5f9-${String(i).padStart(5, '0')}`,
    );
    const audit = auditMetrics(
      inputs({
        pods: names.map(name => pod(name, { app: 'auth' })),
        targets: {
          value: names.map(name => ({
            labels: { namespace: 'identity', pod: name },
            scrapePool: 'serviceMonitor/monitoring/backend-telemetry/0',
            scrapeUrl: 'http://10.244.1.2:8080/metrics',
            lastError: 'connection refused',
            lastScrape: '2026-12-02T12:00:00Z',
            health: 'down' as const,
          })),
        },
      }),
    );
    const detail = audit.checks.find(c => c.id === 'target-up')!.detail;

    expect(detail).toMatch(/^40 of 40 targets down: /);
    expect(detail).toContain(names[4]);
    expect(detail).not.toContain(names[5]);
    expect(detail).toMatch(/; and 35 more\.$/);
  });

  it('warns of a target down among targets up, with its error', () => {
    const target = (name: string, health: 'up' | 'down', lastError = '') => ({
      labels: { namespace: 'identity', pod: name },
      scrapePool: 'serviceMonitor/monitoring/backend-telemetry/0',
      scrapeUrl: `http://10.244.1.2:8080/metrics`,
      lastError,
      lastScrape: '2026-12-02T12:00:00Z',
      health,
    });
    const audit = auditMetrics(
      inputs({
        pods: [...pods, pod('auth-service-84c7d6b5f9-abcde', { app: 'auth' })],
        targets: {
          value: [
            target('auth-service-84c7d6b5f9-x4y5z', 'up'),
            target(
              'auth-service-84c7d6b5f9-abcde',
              'down',
              'Get "http://10.244.1.2:8080/metrics": context deadline exceeded',
            ),
            target('other-pod', 'down', 'irrelevant'),
          ],
        },
        series: { value: { up: true, workingSet: true } },
      }),
    );
    expect(audit.checks.find(c => c.id === 'target-up')).toMatchObject({
      status: 'warning',
      detail: expect.stringContaining('1 of 2 targets down'),
    });
    expect(audit.likelyCause).toBe(
      'Target down: the scrape of http://10.244.1.2:8080/metrics fails with Get "http://10.244.1.2:8080/metrics": context deadline exceeded.',
    );
  });
});
