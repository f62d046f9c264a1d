import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ObservabilityIrClient } from './ObservabilityIrClient';

/** A client whose requests are recorded and answered with `body`. */
function recordingClient(status = 200, body: object = {}) {
  const requests: Array<{
    path: string;
    params: Record<string, string>;
    headers: Record<string, string>;
  }> = [];
  const fetchApi: FetchApi = {
    fetch: async (input, init) => {
      const [path, search] = String(input).split('?');
      requests.push({
        path,
        params: Object.fromEntries(new URLSearchParams(search)),
        headers: (init?.headers ?? {}) as Record<string, string>,
      });
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  };
  return { client: new ObservabilityIrClient({ fetchApi }), requests };
}

describe('ObservabilityIrClient, fleet and telemetry', () => {
  it('asks for the silent outages of a range, 1h being the backend’s default', async () => {
    const { client, requests } = recordingClient(200, { findings: [] });
    await expect(client.getSilentOutages({ range: '6h' })).resolves.toEqual({
      findings: [],
    });
    await client.getSilentOutages();

    expect(requests.map(r => [r.path, r.params])).toEqual([
      ['plugin://observability-ir/v1/fleet/silent-outages', { range: '6h' }],
      ['plugin://observability-ir/v1/fleet/silent-outages', {}],
    ]);
  });

  it('reads the fleet telemetry and an entity’s telemetry', async () => {
    const { client, requests } = recordingClient();
    await client.getFleetTelemetry();
    await client.getTelemetry('component:default/checkout-api');

    expect(requests.map(r => [r.path, r.params])).toEqual([
      ['plugin://observability-ir/v1/fleet/telemetry', {}],
      [
        'plugin://observability-ir/v1/telemetry',
        { entityRef: 'component:default/checkout-api' },
      ],
    ]);
  });

  it('fails with the backend’s error', async () => {
    const { client } = recordingClient(403, {
      error: { name: 'NotAllowedError', message: 'Not a platform team' },
      request: { method: 'GET', url: '/v1/fleet/silent-outages' },
      response: { statusCode: 403 },
    });
    const error = await client.getSilentOutages().catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('Not a platform team');
  });
});
