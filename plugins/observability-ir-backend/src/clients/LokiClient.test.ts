import { startStubServer } from '../__testUtils__/stubServer';
import { MAX_LOG_LINES } from '../config/readObservabilityIrConfig';
import { LokiClient } from './LokiClient';
import { defaultClientLimits } from '../__testUtils__/fixtures';

describe('LokiClient against faulty servers', () => {
  async function withServer(
    answer: Parameters<typeof startStubServer>[0],
    test: (client: LokiClient, requests: any[]) => Promise<void>,
  ) {
    const server = await startStubServer(answer);
    try {
      await test(
        new LokiClient({
          ...defaultClientLimits('loki'),
          cluster: 'eu',
          source: { url: server.url, headers: { 'X-Scope-OrgID': 'team-a' } },
          timeoutMs: 1000,
        }),
        server.requests,
      );
    } finally {
      await server.close();
    }
  }

  const range = {
    startSeconds: 1700000000,
    endSeconds: 1700003600,
    limit: 1e9,
  };

  it('asks for the newest lines first, within the line limit', async () => {
    const stream = {
      stream: { namespace: 'finance', pod: 'checkout-api-v1-abc' },
      values: [
        ['1700000001000000000', 'java.lang.OutOfMemoryError: Java heap space'],
      ],
    };
    await withServer(
      () => ({
        status: 200,
        body: {
          status: 'success',
          data: { resultType: 'streams', result: [stream] },
        },
      }),
      async (client, requests) => {
        const result = await client.queryRange('{namespace="finance"}', range);

        expect(result.streams).toEqual([stream]);
        expect(requests[0].path).toBe('/loki/api/v1/query_range');
        expect(Object.fromEntries(requests[0].params)).toEqual({
          query: '{namespace="finance"}',
          start: '1700000000000000000',
          end: '1700003600000000000',
          limit: String(MAX_LOG_LINES),
          direction: 'backward',
        });
        expect(requests[0].headers['x-scope-orgid']).toBe('team-a');
      },
    );
  }, 60_000);

  it("passes on Loki's plain-text error", async () => {
    await withServer(
      () => ({
        status: 400,
        body: 'parse error at line 1, col 2: syntax error: unexpected $end',
      }),
      async client => {
        await expect(client.queryRange('{', range)).rejects.toThrow(
          'Loki of cluster eu: answered 400: parse error at line 1, col 2',
        );
      },
    );
  }, 60_000);

  it('names Loki when it fails with a 500', async () => {
    await withServer(
      () => ({ status: 500, body: 'rpc error: code = Unavailable' }),
      async client => {
        await expect(client.queryRange('{a="b"}', range)).rejects.toThrow(
          'Loki of cluster eu: answered 500: rpc error: code = Unavailable',
        );
      },
    );
  }, 60_000);
});
