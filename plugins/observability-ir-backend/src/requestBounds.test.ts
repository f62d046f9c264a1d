import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MAX_RANGE_SECONDS,
  MetricsResponse,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import fc from 'fast-check';
import { once } from 'node:events';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, clustersConfig } from './__testUtils__/fixtures';
import {
  emptyAnswer,
  startStubServer,
  StubRequest,
} from './__testUtils__/stubServer';

// The first requests load the Kubernetes client and the query grammars,
// which takes seconds on a cold, busy machine.
jest.setTimeout(60_000);

const ENTITY = 'component:default/checkout-api';
const MIB = 1024 * 1024;

/** The time span of an upstream query, in seconds, from its parameters. */
function spanOf(upstream: StubRequest): number {
  const start = Number(upstream.params.get('start'));
  const end = Number(upstream.params.get('end'));
  // Loki takes nanoseconds, Prometheus seconds.
  return upstream.path.startsWith('/loki') ? (end - start) / 1e9 : end - start;
}

function endOf(upstream: StubRequest): number {
  const end = Number(upstream.params.get('end'));
  return upstream.path.startsWith('/loki') ? end / 1e9 : end;
}

/**
 * A Prometheus that answers every query with a body of `bytes` bytes,
 * written chunk by chunk as the client reads, and counts what each answer
 * could send before the client hung up.
 */
async function startHugePrometheus(bytes: number) {
  const answers: Array<{ sent: number; closed: boolean }> = [];
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) {
      // drain the form body
    }
    const answer = { sent: 0, closed: false };
    answers.push(answer);
    const closed = once(res, 'close').then(() => {
      answer.closed = true;
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"status":"success","data":{"resultType":"matrix","result":[');
    while (answer.sent < bytes && !answer.closed) {
      answer.sent += chunk.length;
      if (!res.write(chunk)) {
        await Promise.race([once(res, 'drain'), closed]);
      }
    }
    if (!answer.closed) res.end(']}}');
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    async close() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

describe('every request is bounded', () => {
  let sandbox: Sandbox;
  let upstreams: Awaited<ReturnType<typeof startStubServer>>;
  let huge: Awaited<ReturnType<typeof startHugePrometheus>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let hugeServer: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    // Prometheus and Loki that record every query and answer it empty.
    upstreams = await startStubServer(emptyAnswer);
    huge = await startHugePrometheus(50 * MIB);
    const kubernetesUrl = sandbox.clusters[0].kubernetesUrl;
    const start = async (data: object) =>
      (
        await startTestBackend({
          features: [
            observabilityIrPlugin,
            catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
            mockServices.rootConfig.factory({ data }),
          ],
        })
      ).server;
    server = await start(
      clustersConfig([
        {
          name: 'sandbox',
          kubernetesUrl,
          prometheusUrl: upstreams.url,
          lokiUrl: `${upstreams.url}`,
        },
      ]),
    );
    const hugeConfig = clustersConfig(
      [{ name: 'sandbox', kubernetesUrl, prometheusUrl: huge.url }],
      { upstreamTimeout: '30s' },
    );
    hugeServer = await start({
      ...hugeConfig,
      observabilityIr: {
        ...hugeConfig.observabilityIr,
        limits: { responseBytes: { prometheus: 4 * MIB } },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await upstreams?.close();
    await huge?.close();
    await sandbox?.close();
  });

  function get(path: string, query: Record<string, string>, user?: string) {
    return request(server)
      .get(`/api/observability-ir/v1/${path}`)
      .set('Authorization', mockCredentials.user.header(user))
      .query({ entityRef: ENTITY, ...query });
  }

  describe('the time range', () => {
    const now = () => Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();

    it('refuses a start 27 years ago when no end is given', async () => {
      const response = await get('metrics', { start: '2000-01-01T00:00:00Z' });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        'Invalid request: start: must be at most 7 days before end',
      );
    });

    it('refuses an end more than a minute in the future', async () => {
      const response = await get('logs', {
        end: iso(now() + 10 * 60_000),
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        'Invalid request: end: must not be more than 60 seconds in the future',
      );
    });

    it('accepts an end a few seconds ahead, as a drifting clock sends it', async () => {
      const response = await get('logs', { end: iso(now() + 5_000) });
      expect(response.status).toBe(200);
    });

    it('keeps the newest minutes when only the start is given', async () => {
      const before = upstreams.requests.length;
      const asked = now();
      const response = await get('metrics', {
        start: iso(asked - 6 * 3600_000),
      });

      expect(response.status).toBe(200);
      const body = response.body as MetricsResponse;
      expect(Date.parse(body.range.end)).toBeGreaterThanOrEqual(asked - 1000);
      const queries = upstreams.requests.slice(before);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        expect(endOf(query) * 1000).toBeGreaterThanOrEqual(asked - 1000);
      }
    });

    it('resolves a preset on the server: six hours ending now, rounded up to the step', async () => {
      const before = upstreams.requests.length;
      const asked = now();
      const response = await get('metrics', { range: '6h' });

      expect(response.status).toBe(200);
      const { range } = response.body as MetricsResponse;
      const end = Date.parse(range.end);
      expect(end - Date.parse(range.start)).toBe(6 * 3600_000);
      expect(end).toBeGreaterThanOrEqual(asked - 1000);
      expect(end - asked).toBeLessThan(range.stepSeconds * 1000 + 1000);
      expect(end % (range.stepSeconds * 1000)).toBe(0);
      const queries = upstreams.requests.slice(before);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        expect(spanOf(query)).toBeLessThanOrEqual(6 * 3600 + 60);
      }
    });

    it('refuses a preset it does not know, and a preset with bounds, asking no upstream', async () => {
      const before = upstreams.requests.length;
      const unknown = await get('logs', { range: '2h' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toMatch(/^Invalid request: range: /);

      const both = await get('metrics', {
        range: '1h',
        start: iso(now() - 3600_000),
      });
      expect(both.status).toBe(400);
      expect(both.body.error.message).toBe(
        'Invalid request: range: must not be combined with start or end',
      );
      expect(upstreams.requests.slice(before)).toEqual([]);
    });

    it('never makes an upstream query longer than the longest range', async () => {
      const moment = fc
        .integer({ min: -30 * 365 * 86_400, max: 3600 })
        .map(offsetSeconds => iso(now() + offsetSeconds * 1000));
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.option(moment, { nil: undefined }),
          fc.option(moment, { nil: undefined }),
          fc.constantFrom('metrics', 'logs'),
          async (start, end, route) => {
            const before = upstreams.requests.length;
            // A user per run, so the rate limit is not what is tested here.
            runs += 1;
            const response = await get(
              route,
              { ...(start ? { start } : {}), ...(end ? { end } : {}) },
              `user:default/tester-${runs}`,
            );
            expect([200, 400]).toContain(response.status);
            const queries = upstreams.requests.slice(before);
            // A refused request asks no upstream at all.
            expect(response.status === 400 ? queries : []).toEqual([]);
            for (const query of queries) {
              expect(spanOf(query)).toBeLessThanOrEqual(MAX_RANGE_SECONDS);
            }
          },
        ),
        { numRuns: 60 },
      );
    }, 120_000);
  });

  it('cuts off an upstream that sends 50 MB, with the source named, without holding it in memory', async () => {
    const memory = () => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const baseline = memory();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory());
    }, 2);

    const response = await request(hugeServer)
      .get('/api/observability-ir/v1/metrics')
      .query({ entityRef: ENTITY });
    clearInterval(sampler);

    expect(response.status).toBe(200);
    const prometheus = (response.body as MetricsResponse).sources.find(
      (s: SourceStatus) => s.source === 'prometheus',
    );
    expect(prometheus).toMatchObject({
      status: 'error',
      error: expect.stringMatching(
        /^Prometheus of cluster sandbox: answered more than 4Mi, the most this plugin reads from one answer \(observabilityIr\.limits\.responseBytes\.prometheus\)/,
      ),
    });
    // The plugin stopped reading long before the 50 MB were sent: what the
    // server got out is the cap plus what the sockets buffer, per query.
    expect(huge.answers.length).toBeGreaterThan(0);
    for (const answer of huge.answers) {
      expect(answer.sent).toBeLessThan(4 * MIB + 8 * MIB);
    }
    // Nine queries share the cap; each holds at most 4 MiB at a time.
    expect(peak - baseline).toBeLessThan(9 * 4 * MIB + 16 * MIB);
  }, 60_000);

  it('answers 429 with Retry-After to a user who sends 200 requests at once, and serves another user', async () => {
    const burst = await Promise.all(
      Array.from({ length: 200 }, () =>
        get('workload', {}, 'user:default/hasty'),
      ),
    );
    const refused = burst.filter(r => r.status === 429);
    const served = burst.filter(r => r.status === 200);

    expect(served.length).toBeGreaterThanOrEqual(60);
    expect(refused.length).toBeGreaterThanOrEqual(100);
    expect(served.length + refused.length).toBe(200);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused[0].body.error).toMatchObject({
      name: 'TooManyRequestsError',
      message: expect.stringContaining(
        'Too many requests from user:default/hasty',
      ),
    });

    const other = await get('workload', {}, 'user:default/patient');
    expect(other.status).toBe(200);
  }, 60_000);
});
