import { FetchApi } from '@backstage/core-plugin-api';
import { ObservabilityIrClient } from './ObservabilityIrClient';

const ENTITY = 'component:default/checkout-api';

/** A client whose requests are recorded and answered with `{}`. */
function recordingClient(status = 200) {
  const urls: Array<{ path: string; params: Record<string, string> }> = [];
  const fetchApi: FetchApi = {
    fetch: async input => {
      const [path, search] = String(input).split('?');
      urls.push({
        path,
        params: Object.fromEntries(new URLSearchParams(search)),
      });
      return new Response(
        JSON.stringify(
          status === 200
            ? {}
            : {
                error: { name: 'InputError', message: 'Invalid request' },
                request: { method: 'GET', url: '/v1/metrics' },
                response: { statusCode: status },
              },
        ),
        { status, headers: { 'Content-Type': 'application/json' } },
      );
    },
  };
  return { client: new ObservabilityIrClient({ fetchApi }), urls };
}

describe('ObservabilityIrClient', () => {
  it('asks for a preset by name and leaves "now" to the backend', async () => {
    const { client, urls } = recordingClient();
    await client.getMetrics({ entityRef: ENTITY, range: '6h' });

    expect(urls).toHaveLength(1);
    expect(urls[0].path).toBe('plugin://observability-ir/v1/metrics');
    expect(urls[0].params).toEqual({
      entityRef: ENTITY,
      range: '6h',
    });
  });

  it('sends the bounds of a custom range as chosen', async () => {
    const { client, urls } = recordingClient();
    await client.getLogs({
      entityRef: ENTITY,
      start: '2026-11-25T10:00:00.000Z',
      end: '2026-11-25T12:00:00.000Z',
    });

    expect(urls[0].path).toBe('plugin://observability-ir/v1/logs');
    expect(urls[0].params).toEqual({
      entityRef: ENTITY,
      start: '2026-11-25T10:00:00.000Z',
      end: '2026-11-25T12:00:00.000Z',
    });
  });

  it('asks each endpoint at its own path', async () => {
    const { client, urls } = recordingClient();
    const query = { entityRef: ENTITY, range: '1h' as const };
    await client.getWorkload(ENTITY);
    await client.getReplicas(query);
    await client.getTimeline(query);
    await client.getDiagnosis(query);

    expect(urls.map(u => u.path)).toEqual([
      'plugin://observability-ir/v1/workload',
      'plugin://observability-ir/v1/replicas',
      'plugin://observability-ir/v1/timeline',
      'plugin://observability-ir/v1/diagnosis',
    ]);
    expect(urls[0].params).toEqual({ entityRef: ENTITY });
  });

  it('sends one request for the same evidence asked twice at once, and asks again later', async () => {
    const { client, urls } = recordingClient();
    const query = { entityRef: ENTITY, range: '1h' as const };

    const [a, b] = await Promise.all([
      client.getAlerts(query),
      client.getAlerts(query),
    ]);
    expect(urls).toHaveLength(1);
    expect(b).toBe(a);

    await client.getAlerts(query);
    await client.getAlerts({ ...query, range: '6h' });
    expect(urls).toHaveLength(3);
  });

  it('fails with the backend’s error', async () => {
    const { client } = recordingClient(400);
    await expect(
      client.getMetrics({ entityRef: ENTITY, range: '1h' }),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      body: { error: { message: 'Invalid request' } },
    });
  });
});
