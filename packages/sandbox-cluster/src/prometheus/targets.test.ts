import { startSandbox, Sandbox } from '../sandbox';

jest.setTimeout(60_000);

interface Target {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: string;
  scrapeInterval: string;
  scrapeTimeout: string;
}

describe('the telemetry pipeline of telemetry-gaps', () => {
  let sandbox: Sandbox;
  let prom: string;
  let loki: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'telemetry-gaps',
      speed: 0,
      kubeconfigPath: false,
    });
    prom = sandbox.clusters[0].prometheusUrl;
    loki = sandbox.clusters[0].lokiUrl;
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  }, 30_000);

  const targets = async (state?: string) => {
    const response = await fetch(
      `${prom}/api/v1/targets${state ? `?state=${state}` : ''}`,
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('success');
    return body.data as { activeTargets: Target[]; droppedTargets: [] };
  };

  const pool = 'serviceMonitor/monitoring/backend-telemetry/0';

  it('lists the targets of the ServiceMonitor as the Prometheus Operator makes them', async () => {
    const { activeTargets, droppedTargets } = await targets('active');
    expect(droppedTargets).toEqual([]);
    const byService = (service: string) =>
      activeTargets.filter(
        t => t.scrapePool === pool && t.labels.service === service,
      );
    // Selected by tier=backend in the matched namespaces, on http-metrics.
    const checkout = byService('checkout-api');
    expect(checkout.map(t => t.labels.pod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const t of checkout) {
      expect(Object.keys(t).sort()).toEqual(
        [
          'discoveredLabels',
          'labels',
          'scrapePool',
          'scrapeUrl',
          'globalUrl',
          'lastError',
          'lastScrape',
          'lastScrapeDuration',
          'health',
          'scrapeInterval',
          'scrapeTimeout',
        ].sort(),
      );
      expect(t).toMatchObject({
        health: 'up',
        lastError: '',
        scrapeInterval: '15s',
        labels: {
          job: 'checkout-api',
          namespace: 'finance',
          service: 'checkout-api',
          endpoint: 'http-metrics',
          container: 'checkout-api',
        },
      });
      expect(t.scrapeUrl).toMatch(/^http:\/\/10\.\d+\.\d+\.\d+:8080\/metrics$/);
      expect(Date.parse(t.lastScrape)).not.toBeNaN();
    }
    // tier=api: not selected. A port named "metrics": no endpoint to scrape.
    expect(byService('payment-gateway')).toEqual([]);
    expect(byService('ledger-worker')).toEqual([]);
    expect(byService('auth-service')).toHaveLength(1);
  });

  it('reports a target down with the error of its scrape where the container does not listen', async () => {
    const { activeTargets } = await targets();
    const cart = activeTargets.filter(
      t => t.scrapePool === pool && t.labels.service === 'cart-service',
    );
    expect(cart).toHaveLength(2);
    for (const t of cart) {
      expect(t.health).toBe('down');
      const address = t.labels.instance;
      expect(address).toMatch(/:9102$/);
      expect(t.lastError).toBe(
        `Get "http://${address}/metrics": dial tcp ${address}: connect: connection refused`,
      );
    }
    const up = await (
      await fetch(
        `${prom}/api/v1/query?${new URLSearchParams({
          query: 'up{namespace="storefront",service="cart-service"}',
        })}`,
      )
    ).json();
    expect(up.data.result.map((r: any) => r.value[1])).toEqual(['0', '0']);
  });

  it('lists no active targets for state=dropped', async () => {
    const { activeTargets } = await targets('dropped');
    expect(activeTargets).toEqual([]);
  });

  it('ships auth-service logs without Kubernetes labels, the others with them', async () => {
    const series = async (match: string) => {
      const response = await fetch(`${loki}/loki/api/v1/series`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'match[]': match }).toString(),
      });
      expect(response.status).toBe(200);
      return (await response.json()).data as Array<Record<string, string>>;
    };
    expect(await series('{namespace="identity"}')).toEqual([]);
    const files = await series(
      '{filename=~"/var/log/containers/auth-service-.+"}',
    );
    expect(files).toHaveLength(1);
    expect(Object.keys(files[0]).sort()).toEqual(['filename', 'job']);
    expect(files[0].filename).toMatch(
      /^\/var\/log\/containers\/auth-service-84c7d6b5f9-x4y5z_identity_auth-service-[0-9a-f]{64}\.log$/,
    );
    const entries = await (
      await fetch(
        `${loki}/loki/api/v1/query_range?${new URLSearchParams({
          query: '{job="fluent-bit",filename=~".+auth-service.+"}',
          limit: '5',
        })}`,
      )
    ).json();
    expect(entries.data.result[0].values.length).toBeGreaterThan(0);
    const checkout = await series('{namespace="finance",app="checkout"}');
    expect(checkout).toHaveLength(2);
    expect(checkout[0]).toMatchObject({
      namespace: 'finance',
      container: 'checkout-api',
      app: 'checkout',
      job: 'fluent-bit',
    });
    expect(checkout[0].pod).toBeDefined();
    expect(checkout[0].node).toBeDefined();
  });
});
