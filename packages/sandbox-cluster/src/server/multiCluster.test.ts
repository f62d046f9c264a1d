import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSandbox, Sandbox } from '../sandbox';
import { findBinary } from '../testing/binaries';

const run = promisify(execFile);
const kubectlBin = findBinary('kubectl');

describe('several clusters behind one sandbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'multi-cluster', speed: 0 });
  }, 60_000);

  afterAll(() => sandbox.close());

  const getJson = async (url: string) => (await fetch(url)).json();

  it('lists every cluster with its own API roots', async () => {
    expect(sandbox.clusters.map(c => c.name)).toEqual([
      'production',
      'staging',
    ]);
    const index = await getJson(`${sandbox.url}/`);
    expect(index.clusters).toEqual([
      expect.objectContaining({
        name: 'production',
        kubernetes: `${sandbox.url}/clusters/production/k8s`,
      }),
      expect.objectContaining({
        name: 'staging',
        loki: `${sandbox.url}/clusters/staging/loki`,
      }),
    ]);
  });

  it('keeps each cluster state separate', async () => {
    const [prod, staging] = sandbox.clusters;
    const podsOf = async (c: typeof prod) =>
      (
        await getJson(`${c.kubernetesUrl}/api/v1/namespaces/finance/pods`)
      ).items.map((p: any) => [
        p.metadata.name,
        p.status.containerStatuses[0].restartCount,
        p.status.containerStatuses[0].ready,
      ]);
    expect(await podsOf(prod)).toEqual([
      ['checkout-api-v1-abc', 45, false],
      ['checkout-api-v1-xyz', 42, false],
    ]);
    expect(await podsOf(staging)).toEqual([
      ['checkout-api-v1-abc', 0, true],
      ['checkout-api-v1-xyz', 0, true],
    ]);
    const restarts = async (c: typeof prod) =>
      (
        await getJson(
          `${c.prometheusUrl}/api/v1/query?query=${encodeURIComponent(
            'sum(kube_pod_container_status_restarts_total{namespace="finance"})',
          )}`,
        )
      ).data.result[0].value[1];
    expect(await restarts(prod)).toBe('87');
    expect(await restarts(staging)).toBe('0');
    const oomLogs = async (c: typeof prod) =>
      (
        await getJson(
          `${c.lokiUrl}/loki/api/v1/query_range?query=${encodeURIComponent(
            '{namespace="finance"} |= "OutOfMemoryError"',
          )}`,
        )
      ).data.result.length;
    expect(await oomLogs(prod)).toBe(2);
    expect(await oomLogs(staging)).toBe(0);
  });

  it('serves the first cluster at the root paths', async () => {
    const root = await getJson(
      `${sandbox.url}/api/v1/namespaces/finance/pods/checkout-api-v1-abc`,
    );
    expect(root.status.containerStatuses[0].restartCount).toBe(45);
    const prom = await getJson(`${sandbox.url}/api/v1/query?query=up`);
    expect(prom.status).toBe('success');
    const loki = await getJson(`${sandbox.url}/loki/api/v1/labels`);
    expect(loki.data).toContain('namespace');
    expect((await fetch(`${sandbox.url}/clusters/nope/k8s/api`)).status).toBe(
      404,
    );
  });
});

(kubectlBin ? describe : describe.skip)('kubectl with several clusters', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'multi-cluster', speed: 0 });
  }, 60_000);

  afterAll(() => sandbox.close());

  it('writes a kubeconfig with a context per cluster', async () => {
    const kubectl = async (...args: string[]) =>
      (
        await run(kubectlBin!, args, {
          env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath },
        })
      ).stdout;
    expect(
      (await kubectl('config', 'get-contexts', '-o', 'name'))
        .trim()
        .split('\n'),
    ).toEqual(['production', 'staging']);
    expect(
      await kubectl('--context', 'staging', 'get', 'pods', '-n', 'finance'),
    ).toMatch(/checkout-api-v1-abc\s+1\/1\s+Running\s+0/);
    expect(
      await kubectl('--context', 'production', 'get', 'pods', '-n', 'finance'),
    ).toMatch(/checkout-api-v1-abc\s+0\/1\s+Running\s+45/);
  });
});
