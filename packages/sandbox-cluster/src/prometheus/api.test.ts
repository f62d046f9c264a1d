import { startSandbox, Sandbox } from '../sandbox';

async function withSandbox<T>(
  scenario: string,
  fn: (s: Sandbox) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox({
    scenario,
    speed: 0,
    kubeconfigPath: false,
  });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

const query = async (s: Sandbox, q: string, method: 'GET' | 'POST' = 'GET') => {
  const url = `${s.clusters[0].prometheusUrl}/api/v1/query`;
  const response =
    method === 'GET'
      ? await fetch(`${url}?query=${encodeURIComponent(q)}`)
      : await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ query: q }).toString(),
        });
  return { status: response.status, body: await response.json() };
};

const valuesByPod = (result: any[]) =>
  Object.fromEntries(result.map(r => [r.metric.pod, Number(r.value[1])]));

describe('Prometheus API', () => {
  let sandbox: Sandbox;
  let prom: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    prom = sandbox.clusters[0].prometheusUrl;
  }, 60_000);

  afterAll(() => sandbox.close());

  it('answers instant queries over GET and POST with the real envelope', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const { status, body } = await query(
        sandbox,
        'kube_pod_container_status_restarts_total{namespace="finance"}',
        method,
      );
      expect(status).toBe(200);
      expect(body.status).toBe('success');
      expect(body.data.resultType).toBe('vector');
      expect(valuesByPod(body.data.result)).toEqual({
        'checkout-api-v1-abc': 45,
        'checkout-api-v1-xyz': 42,
      });
      expect(body.data.result[0].value[0]).toBe(sandbox.now() / 1000);
    }
    const scalar = await query(sandbox, '1 + 2 * 3');
    expect(scalar.body.data).toEqual({
      resultType: 'scalar',
      result: [sandbox.now() / 1000, '7'],
    });
  });

  it('shows the OOM signature: memory at the limit, CPU flat, restarts climbing', async () => {
    const ratio = await query(
      sandbox,
      'max by (pod) (max_over_time(container_memory_working_set_bytes{namespace="finance"}[10m])) / on(pod) group_left max by (pod) (kube_pod_container_resource_limits{namespace="finance", resource="memory"})',
    );
    for (const v of Object.values(valuesByPod(ratio.body.data.result)))
      expect(v).toBeGreaterThan(0.97);
    const cpu = await query(
      sandbox,
      'max by (pod) (rate(container_cpu_usage_seconds_total{namespace="finance"}[5m]))',
    );
    for (const v of Object.values(valuesByPod(cpu.body.data.result)))
      expect(v).toBeLessThan(0.2);
    const oom = await query(
      sandbox,
      'kube_pod_container_status_last_terminated_reason{namespace="finance", reason="OOMKilled"}',
    );
    expect(oom.body.data.result).toHaveLength(2);
    const increase = await query(
      sandbox,
      'increase(kube_pod_container_status_restarts_total{namespace="finance"}[1h])',
    );
    for (const v of Object.values(valuesByPod(increase.body.data.result)))
      expect(v).toBeGreaterThan(15);
  });

  it('returns range queries as matrices on the step grid', async () => {
    const end = Math.floor(sandbox.now() / 1000);
    const params = new URLSearchParams({
      query: 'sum(up)',
      start: String(end - 600),
      end: String(end),
      step: '60s',
    });
    const body = await (
      await fetch(`${prom}/api/v1/query_range?${params}`)
    ).json();
    expect(body.data.resultType).toBe('matrix');
    expect(body.data.result[0].metric).toEqual({});
    expect(body.data.result[0].values.map((v: any) => v[0])).toEqual(
      Array.from({ length: 11 }, (_, i) => end - 600 + i * 60),
    );
  });

  it('reports errors like Prometheus', async () => {
    const parse = await query(sandbox, 'sum(rate(x[5m])');
    expect(parse.status).toBe(400);
    expect(parse.body).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
    });
    expect(parse.body.error).toMatch(
      /^invalid parameter "query": 1:\d+: parse error/,
    );
    const unsupported = await query(
      sandbox,
      'histogram_quantile(0.9, rate(x[5m]))',
    );
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error).toMatch(
      /function "histogram_quantile" is not supported/,
    );
    const manyToMany = await query(
      sandbox,
      'container_memory_working_set_bytes / on(namespace) kube_pod_container_resource_limits',
    );
    expect(manyToMany.status).toBe(422);
    expect(manyToMany.body.errorType).toBe('execution');
    const badStep = await (
      await fetch(`${prom}/api/v1/query_range?query=up&start=10&end=5&step=1`)
    ).json();
    expect(badStep.error).toMatch(
      /end timestamp must not be before start time/,
    );
  });

  it('serves series, labels, label values, targets and build info', async () => {
    const series = await (
      await fetch(
        `${prom}/api/v1/series?${new URLSearchParams({
          'match[]': 'kube_pod_container_status_ready{namespace="finance"}',
        })}`,
      )
    ).json();
    expect(series.data.map((s: any) => s.pod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    const labels = (await (await fetch(`${prom}/api/v1/labels`)).json()).data;
    expect(labels).toEqual(
      expect.arrayContaining([
        '__name__',
        'namespace',
        'pod',
        'container',
        'reason',
        'resource',
        'unit',
      ]),
    );
    const names = (
      await (await fetch(`${prom}/api/v1/label/__name__/values`)).json()
    ).data;
    expect(names).toEqual(
      expect.arrayContaining([
        'container_cpu_cfs_periods_total',
        'container_cpu_cfs_throttled_periods_total',
        'container_cpu_usage_seconds_total',
        'container_memory_working_set_bytes',
        'kube_node_status_condition',
        'kube_pod_container_resource_limits',
        'kube_pod_container_resource_requests',
        'kube_pod_container_status_last_terminated_reason',
        'kube_pod_container_status_ready',
        'kube_pod_container_status_restarts_total',
        'kube_pod_status_phase',
        'up',
      ]),
    );
    const targets = (await (await fetch(`${prom}/api/v1/targets`)).json()).data
      .activeTargets;
    const checkout = targets.filter(
      (t: any) =>
        t.scrapePool === 'serviceMonitor/monitoring/backend-telemetry/0',
    );
    expect(checkout).toHaveLength(2);
    expect(checkout[0]).toMatchObject({
      health: 'down',
      scrapeInterval: '15s',
      labels: { endpoint: 'http-metrics', service: 'checkout-api' },
    });
    expect(
      (await (await fetch(`${prom}/api/v1/status/buildinfo`)).json()).data
        .version,
    ).toMatch(/^2\./);
  });
});

describe('root causes the metrics tell apart', () => {
  it(
    'cpu-throttling: throttled periods high, no restarts',
    () =>
      withSandbox('cpu-throttling', async s => {
        const throttled = await query(
          s,
          'sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{namespace="finance"}[5m])) / sum by (pod) (rate(container_cpu_cfs_periods_total{namespace="finance"}[5m]))',
        );
        for (const v of Object.values(valuesByPod(throttled.body.data.result)))
          expect(v).toBeGreaterThan(0.5);
        const restarts = await query(
          s,
          'sum(kube_pod_container_status_restarts_total{namespace="finance"})',
        );
        expect(restarts.body.data.result[0].value[1]).toBe('0');
      }),
    60_000,
  );

  it(
    'node-memory-pressure: the node condition and evicted pods',
    () =>
      withSandbox('node-memory-pressure', async s => {
        const pressure = await query(
          s,
          'kube_node_status_condition{condition="MemoryPressure", status="true"} == 1',
        );
        expect(
          pressure.body.data.result.map((r: any) => r.metric.node),
        ).toEqual(['worker-2']);
        const failed = await query(
          s,
          'kube_pod_status_phase{namespace="finance", phase="Failed"} == 1',
        );
        expect(
          failed.body.data.result.map((r: any) => r.metric.pod).sort(),
        ).toEqual(['checkout-api-v1-q7m2d', 'checkout-api-v1-xyz']);
      }),
    60_000,
  );

  it(
    'probe-misconfig: restarts with reason Error, not OOMKilled',
    () =>
      withSandbox('probe-misconfig', async s => {
        const reasons = await query(
          s,
          'kube_pod_container_status_last_terminated_reason{namespace="finance"}',
        );
        expect(
          new Set(reasons.body.data.result.map((r: any) => r.metric.reason)),
        ).toEqual(new Set(['Error']));
      }),
    60_000,
  );

  it(
    'network-fault: the app listens but is never ready and never restarts',
    () =>
      withSandbox('network-fault', async s => {
        const ready = await query(
          s,
          'kube_pod_container_status_ready{namespace="finance", container="checkout-api"}',
        );
        expect(ready.body.data.result.map((r: any) => r.value[1])).toEqual([
          '0',
          '0',
        ]);
        const restarts = await query(
          s,
          'sum(kube_pod_container_status_restarts_total{namespace="finance"})',
        );
        expect(restarts.body.data.result[0].value[1]).toBe('0');
      }),
    60_000,
  );
});
