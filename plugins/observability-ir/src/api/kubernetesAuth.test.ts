import { FetchApi } from '@backstage/core-plugin-api';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import { ObservabilityIrClient } from './ObservabilityIrClient';

const entityRef = 'component:default/checkout-api';

/** A backend that lists three clusters and answers every other call. */
function fakeBackend() {
  const calls: Array<{ path: string; headers: Record<string, string> }> = [];
  const fetchApi: FetchApi = {
    fetch: async (input: any, init?: RequestInit) => {
      const url = new URL(String(input).replace('plugin://', 'http://'));
      calls.push({
        path: `/${url.host}${url.pathname}`,
        headers: { ...(init?.headers as Record<string, string>) },
      });
      const body =
        url.pathname === '/v1/clusters'
          ? {
              entityRef,
              clusters: [
                { name: 'production', authProvider: 'serviceAccount' },
                {
                  name: 'staging',
                  authProvider: 'oidc',
                  oidcTokenProvider: 'okta',
                },
                { name: 'gke-eu', authProvider: 'google' },
                { name: 'pinniped', authProvider: 'pinniped' },
              ],
            }
          : { entityRef, replicas: [], sources: [] };
      return {
        ok: true,
        status: 200,
        // An answer without an ETag, as a backend without validators sends.
        headers: { get: () => null },
        json: async () => body,
      } as unknown as Response;
    },
  };
  return { fetchApi, calls };
}

describe('the client with the Kubernetes auth providers', () => {
  it("sends the token each cluster's provider gives, in the header the backend reads", async () => {
    const { fetchApi, calls } = fakeBackend();
    const asked: string[] = [];
    const kubernetesAuthProvidersApi: KubernetesAuthProvidersApi = {
      getCredentials: async provider => {
        asked.push(provider);
        if (provider === 'oidc.okta') return { token: 'okta-id-token' };
        if (provider === 'google') return { token: 'ya29.google-token' };
        if (provider === 'pinniped') throw new Error('no such provider');
        return {};
      },
      decorateRequestBodyForAuth: async (_provider, body) => body,
    };
    const client = new ObservabilityIrClient({
      fetchApi,
      kubernetesAuthProvidersApi,
    });

    await client.getReplicas({ entityRef });
    await client.getMetrics({ entityRef });
    await client.getWorkload(entityRef);

    expect(asked.sort()).toEqual([
      'google',
      'google',
      'oidc.okta',
      'oidc.okta',
      'pinniped',
      'pinniped',
      'serviceAccount',
      'serviceAccount',
    ]);
    expect(calls.map(c => c.path)).toEqual([
      '/observability-ir/v1/clusters',
      '/observability-ir/v1/replicas',
      '/observability-ir/v1/metrics',
      '/observability-ir/v1/workload',
    ]);
    const credentials = {
      'Backstage-Kubernetes-Authorization-oidc-okta': 'okta-id-token',
      'Backstage-Kubernetes-Authorization-google': 'ya29.google-token',
    };
    expect(calls[1].headers).toEqual(credentials);
    expect(calls[2].headers).toEqual(credentials);
    expect(calls[3].headers).toEqual({});
  });

  it('sends no credential headers without the Kubernetes auth providers', async () => {
    const { fetchApi, calls } = fakeBackend();
    await new ObservabilityIrClient({ fetchApi }).getReplicas({ entityRef });
    expect(calls).toEqual([
      { path: '/observability-ir/v1/replicas', headers: {} },
    ]);
  });
});
