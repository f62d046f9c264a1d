import { startSandbox, Sandbox } from '../sandbox';

/**
 * `GET /api/v1/namespaces/{ns}/pods/{pod}/log` as a real API server and
 * kubelet answer it: the query parameters, the previous instance of a
 * restarted container, and the status codes and messages of refusals.
 */
describe('pod logs', () => {
  let sandbox: Sandbox;
  let api: string;
  const POD = '/api/v1/namespaces/finance/pods/checkout-api-v1-abc/log';
  const HEALTHY =
    '/api/v1/namespaces/monitoring/pods/prometheus-operator-6c9d8b7f4d-q8w2n/log';

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    api = sandbox.clusters[0].kubernetesUrl;
  }, 60_000);

  afterAll(() => sandbox.close());

  const call = async (path: string) => {
    const response = await fetch(`${api}${path}`);
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* plain text */
    }
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body,
    };
  };

  it("ends the OOMKilled container's previous log with the OutOfMemoryError and its stack", async () => {
    const previous = await call(
      `${POD}?container=checkout-api&previous=true&tailLines=20`,
    );
    expect(previous.status).toBe(200);
    expect(previous.type).toContain('text/plain');
    const lines: string[] = previous.body.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    const oom = lines.findLastIndex(
      l => l === 'java.lang.OutOfMemoryError: Java heap space',
    );
    expect(oom).toBeGreaterThan(0);
    expect(lines[oom - 1]).toContain(
      'Unrecoverable error while warming up the catalog cache: java.lang.OutOfMemoryError: Java heap space',
    );
    // Only the stack trace of that error follows it: it was the last word.
    for (const line of lines.slice(oom + 1)) {
      expect(line).toMatch(/^\s+at |^\s*\.\.\. \d+ more|^Caused by: /);
    }
    // The current instance has not run out of memory yet.
    const current = await call(`${POD}?container=checkout-api&tailLines=20`);
    expect(current.body).not.toContain('OutOfMemoryError');
  });

  it('prefixes RFC 3339 timestamps with nanoseconds, and sinceSeconds keeps the recent lines', async () => {
    const recent = await call(
      `${POD}?container=checkout-api&sinceSeconds=30&timestamps=true`,
    );
    expect(recent.status).toBe(200);
    const lines: string[] = recent.body.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [stamp] = line.split(' ');
      expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(Date.parse(stamp)).toBeGreaterThanOrEqual(sandbox.now() - 30_000);
    }
  });

  it('cuts the answer after limitBytes bytes, applied after tailLines', async () => {
    const whole = await call(`${POD}?previous=true&tailLines=10`);
    const cut = await call(`${POD}?previous=true&tailLines=10&limitBytes=100`);
    expect(cut.status).toBe(200);
    expect(Buffer.byteLength(cut.body, 'utf8')).toBe(100);
    expect(whole.body.startsWith(cut.body)).toBe(true);
  });

  it("answers 400 with the kubelet's words when a container has no previous instance", async () => {
    const none = await call(`${HEALTHY}?previous=true`);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      message:
        'previous terminated container "prometheus-operator" in pod "prometheus-operator-6c9d8b7f4d-q8w2n" not found',
    });
    // Without previous, the same container's log is there.
    expect((await call(HEALTHY)).status).toBe(200);
  });

  it('answers 404 for a pod that does not exist, previous or not', async () => {
    for (const query of ['', '?previous=true&container=checkout-api']) {
      const missing = await call(
        `/api/v1/namespaces/finance/pods/checkout-api-v1-nope/log${query}`,
      );
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({
        reason: 'NotFound',
        message: 'pods "checkout-api-v1-nope" not found',
        details: { name: 'checkout-api-v1-nope', kind: 'pods' },
      });
    }
    // A pod of another namespace is not found in this one.
    const elsewhere = await call(
      '/api/v1/namespaces/monitoring/pods/checkout-api-v1-abc/log',
    );
    expect(elsewhere.status).toBe(404);
  });

  it('refuses invalid options with 422 before looking for the pod', async () => {
    const negative = await call(
      '/api/v1/namespaces/finance/pods/checkout-api-v1-nope/log?tailLines=-1',
    );
    expect(negative.status).toBe(422);
    expect(negative.body).toMatchObject({
      reason: 'Invalid',
      message:
        'PodLogOptions "checkout-api-v1-nope" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
      details: {
        kind: 'PodLogOptions',
        causes: [{ reason: 'FieldValueInvalid', field: 'tailLines' }],
      },
    });
    const several = await call(`${POD}?limitBytes=0&sinceSeconds=0`);
    expect(several.status).toBe(422);
    expect(several.body.message).toBe(
      'PodLogOptions "checkout-api-v1-abc" is invalid: [limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]',
    );
    const both = await call(
      `${POD}?sinceSeconds=10&sinceTime=2024-01-01T00:00:00Z`,
    );
    expect(both.status).toBe(422);
    expect(both.body.message).toContain(
      'at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
    const words = await call(`${POD}?tailLines=ten`);
    expect(words.status).toBe(400);
    expect(words.body.reason).toBe('BadRequest');
  });

  it('refuses a container the pod does not have', async () => {
    const wrong = await call(`${POD}?container=sidecar&previous=true`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe(
      'container sidecar is not valid for pod checkout-api-v1-abc',
    );
  });
});
