import { FetchApi } from '@backstage/core-plugin-api';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import { ForensicsRun } from '@observability-ir/plugin-observability-ir-common';
import {
  ForensicsRequestError,
  parseRetryAfter,
} from './ForensicsRequestError';
import { ObservabilityIrClient } from './ObservabilityIrClient';

const entityRef = 'component:default/checkout-api';
const request = {
  entityRef,
  cluster: 'sandbox',
  namespace: 'finance',
  pod: 'checkout-api-v1-abc',
  container: 'checkout-api',
};

function run(overrides: Partial<ForensicsRun> = {}): ForensicsRun {
  return {
    id: '5b0c7f36-6a43-4d6b-9a55-0f3c3b1a2d10',
    status: 'pending',
    entityRef,
    cluster: 'sandbox',
    namespace: 'finance',
    pod: 'checkout-api-v1-abc',
    container: 'checkout-api',
    requestedBy: 'user:default/guest',
    createdAt: '2026-11-25T14:00:00.000Z',
    ...overrides,
  };
}

function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function errorBody(status: number, name: string, message: string) {
  return {
    error: { name, message },
    request: { method: 'POST', url: '/v1/forensics' },
    response: { statusCode: status },
  };
}

type Call = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null;
};

/**
 * A backend with one cluster that needs the user's Google token; the
 * forensics endpoints answer with `answer`.
 */
function fakeBackend(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetchApi: FetchApi = {
    fetch: async (input: any, init?: RequestInit) => {
      const url = String(input);
      if (url.includes('/v1/clusters')) {
        return json({
          entityRef,
          clusters: [{ name: 'sandbox', authProvider: 'google' }],
        });
      }
      const call: Call = {
        method: init?.method ?? 'GET',
        url,
        headers: { ...(init?.headers as Record<string, string>) },
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        signal: init?.signal,
      };
      calls.push(call);
      return answer(call);
    },
  };
  const kubernetesAuthProvidersApi: KubernetesAuthProvidersApi = {
    getCredentials: async () => ({ token: 'ya29.google-token' }),
    decorateRequestBodyForAuth: async (_provider, body) => body,
  };
  return {
    calls,
    client: new ObservabilityIrClient({ fetchApi, kubernetesAuthProvidersApi }),
  };
}

describe('the forensics methods of the client', () => {
  it('posts exactly the pod to look at, with the user’s cluster credentials', async () => {
    const { client, calls } = fakeBackend(() => json(run(), 202));

    const started = await client.startForensics({
      ...request,
      // Anything else a caller passes along is never sent.
      node: 'worker-9',
      command: 'rm -rf /',
    } as typeof request);

    expect(started).toEqual({ run: run(), existing: false });
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe('plugin://observability-ir/v1/forensics');
    expect(calls[0].body).toEqual(request);
    expect(calls[0].headers).toMatchObject({
      'Content-Type': 'application/json',
      'Backstage-Kubernetes-Authorization-google': 'ya29.google-token',
    });
  });

  it('reads and lists runs with the same credentials', async () => {
    const { client, calls } = fakeBackend(call =>
      call.url.includes('?')
        ? json({ entityRef, runs: [run()] })
        : json(run({ status: 'running' })),
    );

    await client.getForensicsRun(run().id, { entityRef });
    await client.listForensicsRuns(entityRef);

    expect(calls.map(c => c.url)).toEqual([
      `plugin://observability-ir/v1/forensics/${run().id}`,
      `plugin://observability-ir/v1/forensics?entityRef=${encodeURIComponent(
        entityRef,
      )}`,
    ]);
    for (const call of calls) {
      expect(call.headers['Backstage-Kubernetes-Authorization-google']).toBe(
        'ya29.google-token',
      );
    }
  });

  it('asks the backend to answer once the run has another status, and can be stopped', async () => {
    const { client, calls } = fakeBackend(() =>
      json(run({ status: 'running' })),
    );
    const stop = new AbortController();

    const read = await client.getForensicsRun(run().id, {
      entityRef,
      waitForChangeAfter: 'pending',
      signal: stop.signal,
    });

    expect(read.status).toBe('running');
    expect(calls[0].url).toBe(
      `plugin://observability-ir/v1/forensics/${
        run().id
      }?waitForChangeAfter=pending`,
    );
    expect(calls[0].headers['Backstage-Kubernetes-Authorization-google']).toBe(
      'ya29.google-token',
    );
    expect(calls[0].signal).toBe(stop.signal);
  });

  it('says when the backend answered with the run already under way (200)', async () => {
    const { client } = fakeBackend(() => json(run({ status: 'running' }), 200));
    const started = await client.startForensics(request);
    expect(started.existing).toBe(true);
    expect(started.run.status).toBe('running');
  });

  it('shows the run of the same pod and container after a 409', async () => {
    const other = run({ id: 'other', pod: 'checkout-api-v1-xyz' });
    const same = run({ id: 'same', status: 'running' });
    const { client } = fakeBackend(call =>
      call.method === 'POST'
        ? json(errorBody(409, 'ConflictError', 'A run is in flight'), 409)
        : json({ entityRef, runs: [other, same] }),
    );

    const started = await client.startForensics(request);
    expect(started).toEqual({ run: same, existing: true });
  });

  it('fails with the backend’s message and, on 429, the wait', async () => {
    const { client } = fakeBackend(() =>
      json(
        errorBody(429, 'TooManyRequests', 'At most 3 forensics runs per hour'),
        429,
        { 'Retry-After': '150' },
      ),
    );

    const error = await client.startForensics(request).catch(e => e);
    expect(error).toBeInstanceOf(ForensicsRequestError);
    expect(error.statusCode).toBe(429);
    expect(error.retryAfterSeconds).toBe(150);
    expect(error.message).toBe(
      'At most 3 forensics runs per hour. Try again in 2.5 min.',
    );
  });

  it('says forensics is off when the backend answers 503', async () => {
    const { client } = fakeBackend(() =>
      json(
        errorBody(503, 'ServiceUnavailableError', 'Node forensics is disabled'),
        503,
      ),
    );

    const error = await client.listForensicsRuns(entityRef).catch(e => e);
    expect(error.message).toBe('Node forensics is disabled');
    expect(error.unavailable).toBe(true);
  });

  it('passes a refusal on as it is (403)', async () => {
    const { client } = fakeBackend(() =>
      json(
        errorBody(403, 'NotAllowedError', 'You may not run forensics here'),
        403,
      ),
    );
    const error = await client.startForensics(request).catch(e => e);
    expect(error.statusCode).toBe(403);
    expect(error.message).toBe('You may not run forensics here');
    expect(error.unavailable).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T14:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('42', now)).toBe(42);
    expect(parseRetryAfter('Wed, 25 Nov 2026 14:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
