import { startStubServer } from '../__testUtils__/stubServer';
import { clampStep, PrometheusClient } from './PrometheusClient';
import { defaultClientLimits } from '../__testUtils__/fixtures';

describe('PrometheusClient against faulty servers', () => {
  const range = { startSeconds: 1000, endSeconds: 4600, stepSeconds: 60 };

  async function withServer(
    answer: Parameters<typeof startStubServer>[0],
    test: (client: PrometheusClient, requests: any[]) => Promise<void>,
  ) {
    const server = await startStubServer(answer);
    try {
      await test(
        new PrometheusClient({
          ...defaultClientLimits('prometheus'),
          cluster: 'eu',
          source: {
            url: server.url,
            headers: { Authorization: 'Bearer p', 'X-Scope-OrgID': 'team-a' },
          },
          timeoutMs: 2000,
        }),
        server.requests,
      );
    } finally {
      await server.close();
    }
  }

  it('posts the query form-encoded with its headers and reads the matrix', async () => {
    await withServer(
      () => ({
        status: 200,
        body: {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: { pod: 'checkout-api-v1-abc' },
                values: [
                  [1000, '5e8'],
                  [1060, '536870912'],
                ],
              },
            ],
          },
          warnings: ['PromQL info: metric might not be a counter'],
        },
      }),
      async (client, requests) => {
        const result = await client.queryRange('up{job="x"}', range);

        expect(result).toEqual({
          data: [
            {
              metric: { pod: 'checkout-api-v1-abc' },
              values: [
                [1000, 5e8],
                [1060, 536870912],
              ],
            },
          ],
          warnings: ['PromQL info: metric might not be a counter'],
        });
        expect(requests[0].method).toBe('POST');
        expect(requests[0].path).toBe('/api/v1/query_range');
        expect(Object.fromEntries(requests[0].params)).toEqual({
          query: 'up{job="x"}',
          start: '1000',
          end: '4600',
          step: '60',
          timeout: '1s',
        });
        expect(requests[0].headers.authorization).toBe('Bearer p');
        expect(requests[0].headers['x-scope-orgid']).toBe('team-a');
      },
    );
  }, 60_000);

  it("passes on Prometheus' own error", async () => {
    await withServer(
      () => ({
        status: 400,
        body: {
          status: 'error',
          errorType: 'bad_data',
          error: 'invalid parameter "query": 1:5: parse error',
        },
      }),
      async client => {
        await expect(client.query('up{', 1000)).rejects.toThrow(
          'Prometheus of cluster eu: answered 400 bad_data: invalid parameter "query": 1:5: parse error',
        );
      },
    );
  }, 60_000);

  it('names the source when the server fails without a Prometheus body', async () => {
    await withServer(
      () => ({ status: 502, body: '<html>Bad Gateway</html>' }),
      async client => {
        await expect(client.query('up', 1000)).rejects.toThrow(
          'Prometheus of cluster eu: answered 502 with a body that is not JSON',
        );
      },
    );
  }, 60_000);

  it('does not follow redirects', async () => {
    await withServer(
      request =>
        request.path.startsWith('/elsewhere')
          ? {
              status: 200,
              body: {
                status: 'success',
                data: { resultType: 'vector', result: [] },
              },
            }
          : { status: 302, headers: { Location: '/elsewhere' }, body: '' },
      async (client, requests) => {
        await expect(client.query('up', 1000)).rejects.toThrow(
          /answered with a redirect \(302\), which is not followed.*Location: \/elsewhere/,
        );
        expect(requests).toHaveLength(1);
      },
    );
  }, 60_000);

  it('gives up on a slow server after its timeout', async () => {
    await withServer(
      () => undefined,
      async client => {
        await expect(client.query('up', 1000)).rejects.toThrow(
          'Prometheus of cluster eu: no answer within 2 s',
        );
      },
    );
  }, 60_000);

  it('reports an unreachable server', async () => {
    const closed = await startStubServer(() => undefined);
    await closed.close();
    const client = new PrometheusClient({
      ...defaultClientLimits('prometheus'),
      cluster: 'eu',
      source: { url: closed.url, headers: {} },
      timeoutMs: 2000,
    });
    await expect(client.query('up', 1000)).rejects.toThrow(
      'Prometheus of cluster eu: unreachable: ECONNREFUSED',
    );
  }, 60_000);
});

describe('clampStep', () => {
  it('keeps a range within 11,000 points per series', () => {
    expect(clampStep(0, 3600, 15)).toBe(15);
    expect(clampStep(0, 7 * 86400, 15)).toBe(55);
    expect(clampStep(0, 60, 0)).toBe(1);
  });
});
