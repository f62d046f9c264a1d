import { startSandbox, Sandbox } from '../sandbox';

describe('Loki API', () => {
  let sandbox: Sandbox;
  let loki: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    loki = sandbox.clusters[0].lokiUrl;
  }, 60_000);

  afterAll(() => sandbox.close());

  const get = async (path: string, params: Record<string, string>) => {
    const response = await fetch(
      `${loki}${path}?${new URLSearchParams(params)}`,
    );
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    };
  };

  it('finds the OOM stack traces with the lab query', async () => {
    const end = sandbox.now();
    const { status, body } = await get('/loki/api/v1/query_range', {
      query: '{namespace="finance", app="checkout"} |= "error"',
      start: String((end - 3_600_000) * 1e6),
      end: String(end * 1e6),
      limit: '1000',
    });
    expect(status).toBe(200);
    const data = JSON.parse(body);
    expect(data.status).toBe('success');
    expect(data.data.resultType).toBe('streams');
    const pods = data.data.result.map((s: any) => s.stream.pod).sort();
    expect(pods).toEqual(['checkout-api-v1-abc', 'checkout-api-v1-xyz']);
    for (const stream of data.data.result) {
      expect(stream.stream).toMatchObject({
        namespace: 'finance',
        app: 'checkout',
        container: 'checkout-api',
        tier: 'backend',
      });
      expect(stream.stream.node).toMatch(/^worker-[12]$/);
      // Roughly one OOM every three minutes: about twenty in an hour.
      expect(stream.values.length).toBeGreaterThan(10);
      for (const [ts, line] of stream.values) {
        expect(ts).toMatch(/^\d{19}$/);
        expect(line).toContain('java.lang.OutOfMemoryError: Java heap space');
        expect(line.split('\n').length).toBeGreaterThan(5);
        expect(line).toMatch(
          /\n\tat com\.example\.checkoutapi\.catalog\.CatalogCache\.load/,
        );
      }
      // Backward direction: newest first.
      const times = stream.values.map((v: any) => BigInt(v[0]));
      expect([...times].sort((a, b) => Number(b - a))).toEqual(times);
    }
  });

  it('honours limit, direction and case-insensitive regex filters', async () => {
    const end = sandbox.now();
    const { body } = await get('/loki/api/v1/query_range', {
      query:
        '{namespace="finance", pod="checkout-api-v1-abc"} |~ "(?i)OUTOFMEMORY" != "WARN"',
      start: String(Math.floor((end - 3_600_000) / 1000)),
      end: String(Math.floor(end / 1000)),
      limit: '3',
      direction: 'forward',
    });
    const data = JSON.parse(body).data;
    expect(data.result).toHaveLength(1);
    const values = data.result[0].values;
    expect(values).toHaveLength(3);
    expect(BigInt(values[0][0]) < BigInt(values[2][0])).toBe(true);
    expect(BigInt(values[0][0]) / 1000000n).toBeLessThan(
      BigInt(end - 3_000_000),
    );
  });

  it('counts OOM errors per pod with a metric query', async () => {
    const end = sandbox.now();
    const { status, body } = await get('/loki/api/v1/query', {
      query:
        'sum by (pod) (count_over_time({namespace="finance"} |= "OutOfMemoryError" [1h]))',
      time: String(end / 1000),
    });
    expect(status).toBe(200);
    const data = JSON.parse(body).data;
    expect(data.resultType).toBe('vector');
    const byPod = Object.fromEntries(
      data.result.map((r: any) => [r.metric.pod, Number(r.value[1])]),
    );
    expect(Object.keys(byPod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    expect(byPod['checkout-api-v1-abc']).toBeGreaterThan(15);
    expect(byPod['checkout-api-v1-abc']).toBeLessThan(30);
  });

  it('lists labels and values Fluent Bit attaches', async () => {
    const labels = JSON.parse((await get('/loki/api/v1/labels', {})).body).data;
    expect(labels).toEqual(
      expect.arrayContaining([
        'namespace',
        'pod',
        'container',
        'node',
        'app',
        'backstage_io_kubernetes_id',
      ]),
    );
    const namespaces = JSON.parse(
      (await get('/loki/api/v1/label/namespace/values', {})).body,
    ).data;
    expect(namespaces).toEqual(['finance', 'monitoring']);
  });

  it('answers unsupported or invalid LogQL with a plain text 400', async () => {
    const parserStage = await get('/loki/api/v1/query_range', {
      query: '{namespace="finance"} | json',
    });
    expect(parserStage.status).toBe(400);
    expect(parserStage.type).toMatch(/^text\/plain/);
    expect(parserStage.body).toMatch(/unsupported LogQL: label parser stage/);
    const broken = await get('/loki/api/v1/query_range', {
      query: '{namespace="finance"',
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatch(/^parse error at line 1, col/);
    const emptyMatcher = await get('/loki/api/v1/query_range', {
      query: '{namespace=~".*"}',
    });
    expect(emptyMatcher.status).toBe(400);
    expect(emptyMatcher.body).toMatch(
      /at least one regexp or equality matcher/,
    );
  });
});
