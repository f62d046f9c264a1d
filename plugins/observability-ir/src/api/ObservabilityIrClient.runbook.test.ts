import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import { RunbookActionRequest } from '@observability-ir/plugin-observability-ir-common';
import { oomRunbook } from '../__testUtils__/runbooks';
import { ObservabilityIrClient } from './ObservabilityIrClient';

const entityRef = 'component:default/checkout-api';

type Call = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
};

/**
 * A backend with one cluster that needs the user's Google token; the
 * runbook endpoints answer with `answer`.
 */
function fakeBackend(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetchApi: FetchApi = {
    fetch: async (input: any, init?: RequestInit) => {
      const url = String(input);
      if (url.includes('/v1/clusters')) {
        return Response.json({
          entityRef,
          clusters: [{ name: 'sandbox', authProvider: 'google' }],
        });
      }
      const call: Call = {
        method: init?.method ?? 'GET',
        url,
        headers: { ...(init?.headers as Record<string, string>) },
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
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

function markdown(contentDisposition?: string) {
  return new Response('# Postmortem\n', {
    headers: {
      'Content-Type': 'text/markdown; charset=utf-8',
      ...(contentDisposition
        ? { 'Content-Disposition': contentDisposition }
        : {}),
    },
  });
}

describe('the runbook methods of the client', () => {
  it('reads the runbook of the entity with the user’s cluster credentials', async () => {
    const { client, calls } = fakeBackend(() => Response.json(oomRunbook()));

    const runbook = await client.getRunbook(entityRef);

    expect(runbook).toEqual(oomRunbook());
    expect(calls[0].url).toBe(
      `plugin://observability-ir/v1/runbook?entityRef=${encodeURIComponent(
        entityRef,
      )}`,
    );
    expect(calls[0].headers['Backstage-Kubernetes-Authorization-google']).toBe(
      'ya29.google-token',
    );
  });

  it('posts exactly the action, and answers the runbook after it', async () => {
    const after = oomRunbook({ confidence: 0.95 });
    const { client, calls } = fakeBackend(() =>
      Response.json(after, { status: 201 }),
    );
    const request: RunbookActionRequest = {
      entityRef,
      kind: 'step-skipped',
      stepId: 'kernel',
      message: 'The node was replaced.',
    };

    const runbook = await client.recordRunbookAction({
      ...request,
      // Anything else a caller passes along is never sent.
      actor: 'user:default/someone-else',
    } as RunbookActionRequest);

    expect(runbook).toEqual(after);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe('plugin://observability-ir/v1/runbook/actions');
    expect(calls[0].body).toEqual(request);
    expect(calls[0].headers['Content-Type']).toBe('application/json');
  });

  it('exports the Markdown under the name the backend gives it', async () => {
    const { client, calls } = fakeBackend(() =>
      markdown('attachment; filename="postmortem-checkout-api-inc-1.md"'),
    );

    const exported = await client.exportPostmortem(entityRef);

    expect(exported).toEqual({
      markdown: '# Postmortem\n',
      filename: 'postmortem-checkout-api-inc-1.md',
    });
    expect(calls[0].url).toBe(
      `plugin://observability-ir/v1/runbook/export?entityRef=${encodeURIComponent(
        entityRef,
      )}&format=markdown`,
    );
  });

  it.each([
    [
      'attachment; filename="x.md"; filename*=UTF-8\'\'postmortem-caf%C3%A9.md',
      'postmortem-café.md',
    ],
    ['attachment; filename=plain.md', 'plain.md'],
    ['attachment; filename="../../etc/evil.md"', 'evil.md'],
    ['attachment', 'postmortem-checkout-api.md'],
    [undefined, 'postmortem-checkout-api.md'],
  ])('names the file of %p: %p', async (header, filename) => {
    const { client } = fakeBackend(() => markdown(header));
    expect((await client.exportPostmortem(entityRef)).filename).toBe(filename);
  });

  it('fails with the backend’s error', async () => {
    const { client } = fakeBackend(() =>
      Response.json(
        {
          error: { name: 'NotAllowedError', message: 'Not for you' },
          request: { method: 'POST', url: '/v1/runbook/actions' },
          response: { statusCode: 403 },
        },
        { status: 403 },
      ),
    );

    const error = await client
      .recordRunbookAction({
        entityRef,
        kind: 'step-completed',
        stepId: 'kernel',
        message: 'Kernel done by hand.',
      })
      .catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('Not for you');
  });
});
