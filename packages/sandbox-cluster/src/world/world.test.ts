import { loadScenario } from '../scenario/loader';
import { exportOpenMetrics } from '../prometheus/openmetrics';
import { metricsStore } from '../prometheus/storage';
import { parsePromQL } from '../prometheus/promql/parse';
import { instantQuery } from '../prometheus/promql/evaluate';
import { startSandbox } from '../sandbox';
import { World } from './world';

const START = Date.parse('2025-03-01T09:00:00Z');

describe('the simulated world', () => {
  it('generates the same six hours of history for the same seed and start', () => {
    const a = new World(loadScenario('checkout-oom'), {
      startMs: START,
      speed: 0,
    });
    const b = new World(loadScenario('checkout-oom'), {
      startMs: START,
      speed: 0,
    });
    const from = START - 6 * 3_600_000;
    const exported = exportOpenMetrics(a.defaultCluster, from, START);
    expect(exportOpenMetrics(b.defaultCluster, from, START)).toBe(exported);
    expect(exported).toMatch(
      /^# TYPE container_cpu_cfs_periods_total unknown$/m,
    );
    expect(exported.trimEnd().endsWith('# EOF')).toBe(true);
    // The pods were created a couple of hours before the scenario starts.
    const restarts = instantQuery(
      metricsStore(a.defaultCluster),
      parsePromQL(
        'kube_pod_container_status_restarts_total{pod="checkout-api-v1-abc"}',
      ),
      START - 3_600_000,
    );
    expect(restarts.resultType).toBe('vector');
    const count = Number((restarts as any).result[0].value[1]);
    expect(count).toBeGreaterThan(15);
    expect(count).toBeLessThan(45);
  });

  it('runs live against the wall clock at the speed factor', async () => {
    const sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 600,
      kubeconfigPath: false,
    });
    try {
      const restarts = async () => {
        const body = await (
          await fetch(
            `${sandbox.url}/api/v1/namespaces/finance/pods/checkout-api-v1-abc`,
          )
        ).json();
        return body.status.containerStatuses[0].restartCount as number;
      };
      const before = await restarts();
      await new Promise(r => setTimeout(r, 1_500));
      // 1.5 s at 600x is 15 simulated minutes: about five more OOM kills.
      expect(await restarts()).toBeGreaterThanOrEqual(before + 3);
    } finally {
      await sandbox.close();
    }
  }, 60_000);

  it('scales to three clusters of ten thousand pods', () => {
    const world = new World(
      loadScenario('scale', {
        clusters: 3,
        namespaces: 200,
        podsPerNamespace: 50,
        oomPercent: 3,
      }),
      { speed: 0 },
    );
    expect(world.clusters).toHaveLength(3);
    const cluster = world.clusters[2];
    expect(cluster.podsAt(world.clock.now())).toHaveLength(10_000);
    const oom = instantQuery(
      metricsStore(cluster),
      parsePromQL(
        'count(increase(kube_pod_container_status_restarts_total[1h]) > 0)',
      ),
      world.clock.now(),
    );
    const share = Number((oom as any).result[0].value[1]) / 10_000;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.05);
  }, 60_000);
});
