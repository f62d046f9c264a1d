import { startSandbox, Sandbox } from '../sandbox';
import { instantQuery } from './promql/evaluate';
import { parsePromQL } from './promql/parse';
import * as series from './series';
import { MetricsStore, metricsStore } from './storage';

jest.setTimeout(60_000);

jest.mock('./series', () => {
  const actual = jest.requireActual('./series');
  return { ...actual, buildCatalog: jest.fn(actual.buildCatalog) };
});
const buildCatalog = series.buildCatalog as jest.MockedFunction<
  typeof series.buildCatalog
>;

const RESTARTS =
  'kube_pod_container_status_restarts_total{namespace="finance"}';

describe('the metrics store of a cluster', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  }, 30_000);

  const cluster = () => sandbox.world.clusters[0];

  it('has its series index when it starts, and builds it again only once objects change', async () => {
    buildCatalog.mockClear();
    const ask = async () => {
      const answer = await fetch(
        `${
          sandbox.clusters[0].prometheusUrl
        }/api/v1/query?query=${encodeURIComponent(RESTARTS)}`,
      );
      return (await answer.json()).data.result.length;
    };

    expect(await ask()).toBeGreaterThan(0);
    expect(buildCatalog).not.toHaveBeenCalled();

    cluster().touch();
    expect(await ask()).toBeGreaterThan(0);
    expect(await ask()).toBeGreaterThan(0);
    expect(buildCatalog).toHaveBeenCalledTimes(1);
  });

  it('reads a window that reaches past the clock again once the clock has moved on', async () => {
    const now = sandbox.world.clock.now();
    const end = (now + 600_000) / 1000;
    const url = `${
      sandbox.clusters[0].prometheusUrl
    }/api/v1/query_range?query=${encodeURIComponent(RESTARTS)}&start=${
      (now - 600_000) / 1000
    }&end=${end}&step=15`;
    const points = async () => {
      const answer = await (await fetch(url)).json();
      return answer.data.result.map(
        (s: { values: unknown[] }) => s.values.length,
      );
    };

    const before = await points();
    sandbox.world.clock.advance(300_000);
    const after = await points();

    expect(before.length).toBeGreaterThan(0);
    // Five more minutes of 15 s steps in each series.
    after.forEach((n: number, i: number) => expect(n).toBe(before[i] + 20));
  });

  it('answers queries sharing selectors at one moment as each would be answered alone', () => {
    const at = sandbox.world.clock.now() - 60_000;
    const queries = [
      `max by (namespace, pod, container) ((${RESTARTS} - ${RESTARTS} offset 1h) or ${RESTARTS}) > 0`,
      `${RESTARTS} - ${RESTARTS} offset 1h`,
      `max by (pod) (${RESTARTS})`,
      `${RESTARTS} offset 1h`,
      RESTARTS,
      `sum without (container) (${RESTARTS} * 2)`,
    ];
    const alone = queries.map(q =>
      instantQuery(new MetricsStore(cluster()), parsePromQL(q), at),
    );

    // The cluster's own store, its selections kept across queries, asked
    // twice in a row.
    const shared = metricsStore(cluster());
    for (let round = 0; round < 2; round++) {
      queries.forEach((q, i) => {
        expect(instantQuery(shared, parsePromQL(q), at)).toEqual(alone[i]);
      });
    }
    expect(alone[4].result.length).toBeGreaterThan(0);
  });
});
