import { Sandbox, startSandbox } from '../sandbox';
import { parseFault } from './registry';

jest.setTimeout(60_000);

describe('fault flags', () => {
  it('reads each kind with its main value and options', () => {
    expect(parseFault('prometheus:latency=500ms')).toEqual({
      upstream: 'prometheus',
      kind: 'latency',
      latencyMs: 500,
    });
    expect(parseFault('kubernetes@production:error=0.5,status=503')).toEqual({
      upstream: 'kubernetes',
      cluster: 'production',
      kind: 'error',
      rate: 0.5,
      status: 503,
    });
    expect(parseFault('loki:rate-limit=2s,times=3')).toMatchObject({
      kind: 'rate-limit',
      retryAfterSeconds: 2,
      times: 3,
    });
    expect(parseFault('*@staging:unreachable')).toEqual({
      upstream: '*',
      cluster: 'staging',
      kind: 'unreachable',
    });
    expect(parseFault('prometheus:oversize=64MiB').bytes).toBe(64 * 2 ** 20);
    expect(parseFault('loki:truncate=0.25').keep).toBe(0.25);
  });

  it('says what is wrong with a fault it cannot read', () => {
    expect(() => parseFault('prometheus')).toThrow(
      'is not <upstream>[@<cluster>]:<kind>',
    );
    expect(() => parseFault('grafana:reset')).toThrow('upstream');
    expect(() => parseFault('loki:error=2')).toThrow('rate');
    expect(() => parseFault('loki:error=1,status=404')).toThrow('status');
    expect(() => parseFault('loki:reset=1')).toThrow('takes no value');
    expect(() => parseFault('loki:latency=soon')).toThrow('not a duration');
  });
});

describe('faults injected into the sandbox APIs', () => {
  let sandbox: Sandbox;
  let production: Sandbox['clusters'][number];
  let staging: Sandbox['clusters'][number];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'multi-cluster',
      speed: 0,
      kubeconfigPath: false,
    });
    [production, staging] = sandbox.clusters;
  }, 60_000);
  afterAll(() => sandbox.close());
  afterEach(() => sandbox.faults.clear());

  const setFaults = async (faults: unknown[], method = 'PUT') => {
    const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method,
      body: JSON.stringify({ faults }),
    });
    return { status: response.status, body: await response.json() };
  };
  const pods = (c = production) =>
    `${c.kubernetesUrl}/api/v1/namespaces/finance/pods`;
  const query = (c = production) => `${c.prometheusUrl}/api/v1/query?query=up`;
  const logs = (c = production) =>
    `${c.lokiUrl}/loki/api/v1/query_range?query=${encodeURIComponent(
      '{namespace="finance"}',
    )}`;
  const causeOf = async (url: string) => {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return 'answered';
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } })
        .cause;
      return cause?.code ?? cause?.message ?? (e as Error).message;
    }
  };

  it('sets, lists and clears faults through /_sandbox/faults', async () => {
    const set = await setFaults([
      'prometheus:latency=10ms',
      { upstream: 'loki', kind: 'error', rate: 0.5 },
    ]);
    expect(set.status).toBe(200);
    expect(set.body.faults).toEqual([
      expect.objectContaining({ upstream: 'prometheus', latencyMs: 10 }),
      expect.objectContaining({ upstream: 'loki', kind: 'error', rate: 0.5 }),
    ]);

    const bad = await setFaults(['prometheus:explode']);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('kind');
    expect(sandbox.faults.list()).toHaveLength(2);

    // Under a cluster's prefix the path is the cluster API's, not the control.
    const proxied = await fetch(`${production.kubernetesUrl}/_sandbox/faults`, {
      method: 'DELETE',
    });
    expect(proxied.status).toBe(404);
    expect(sandbox.faults.list()).toHaveLength(2);

    const cleared = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'DELETE',
    });
    expect(await cleared.json()).toEqual({ faults: [] });
  });

  it('answers 5xx errors shaped as each API shapes them, at the rate asked', async () => {
    await setFaults(['*@production:error=1,status=503']);

    const k8s = await fetch(pods());
    expect(k8s.status).toBe(503);
    expect(await k8s.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'ServiceUnavailable',
      code: 503,
    });
    const prom = await fetch(query());
    expect(prom.status).toBe(503);
    expect(await prom.json()).toMatchObject({
      status: 'error',
      errorType: 'unavailable',
    });
    const loki = await fetch(logs());
    expect(loki.status).toBe(503);
    expect(await loki.text()).toMatch(/^rpc error: code = Unavailable/);
    // Scoped to its cluster.
    expect((await fetch(query(staging))).status).toBe(200);

    await setFaults(['prometheus:error=0.5']);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await fetch(query())).status);
    }
    expect(statuses.filter(s => s === 500)).toHaveLength(3);
  });

  it('answers 429 with Retry-After, and a fault with times is spent', async () => {
    await setFaults(['kubernetes:rate-limit=3s,times=2']);

    const first = await fetch(pods());
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(await first.json()).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
    });
    expect((await fetch(pods())).status).toBe(429);
    expect((await fetch(pods())).status).toBe(200);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('delays answers by the latency', async () => {
    await setFaults(['loki:latency=300ms']);
    const started = Date.now();
    const response = await fetch(logs());
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resets or closes connections, one cluster at a time', async () => {
    await setFaults(['prometheus:reset', '*@staging:unreachable']);

    expect(await causeOf(query())).toBe('ECONNRESET');
    expect(await causeOf(pods(staging))).toMatch(/other side closed|UND_ERR/);
    expect(await causeOf(pods())).toBe('answered');

    await sandbox.faults.clear();
    expect(await causeOf(query())).toBe('answered');
    expect(await causeOf(pods(staging))).toBe('answered');
  });

  it('cuts a body short after declaring its whole length', async () => {
    await setFaults(['kubernetes:truncate=0.5']);
    const response = await fetch(pods());
    expect(response.status).toBe(200);
    const declared = Number(response.headers.get('content-length'));
    expect(declared).toBeGreaterThan(1000);
    await expect(response.text()).rejects.toThrow();
    expect(sandbox.faults.list()[0].bytesSent).toBe(Math.floor(declared / 2));
  });

  it('streams an oversized body only as fast as it is read', async () => {
    await setFaults(['prometheus:oversize=256MiB']);
    const response = await fetch(query());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBeNull();
    const reader = response.body!.getReader();
    let read = 0;
    while (read < 4 * 2 ** 20) {
      read += (await reader.read()).value!.byteLength;
    }
    await reader.cancel();
    await new Promise(resolve => setTimeout(resolve, 100));
    // What the sockets buffer, not the 256 MiB.
    expect(sandbox.faults.list()[0].bytesSent).toBeLessThan(32 * 2 ** 20);
  });

  it('stalls watches, not lists, until the fault is cleared', async () => {
    await setFaults(['kubernetes:stall-watch']);

    expect((await fetch(pods())).status).toBe(200);
    const watch = await fetch(`${pods()}?watch=true`);
    expect(watch.status).toBe(200);
    const reader = watch.body!.getReader();
    const next = reader.read();
    const nothing = await Promise.race([
      next.then(() => 'data'),
      new Promise(resolve => setTimeout(() => resolve('nothing'), 500)),
    ]);
    expect(nothing).toBe('nothing');

    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    expect((await next).done).toBe(true);
    // The watch taken again streams the pods.
    const again = await fetch(`${pods()}?watch=true`);
    const againReader = again.body!.getReader();
    const first = await againReader.read();
    expect(Buffer.from(first.value!).toString()).toContain('"type":"ADDED"');
    await againReader.cancel();
  });
});
