import { FetchApi } from '@backstage/core-plugin-api';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import { ObservabilityIrClient } from './ObservabilityIrClient';

const entityRef = 'component:default/checkout-api';

/**
 * A portal whose answers wait until the test releases them: `asked` lists
 * the paths requested so far, in order.
 */
function heldPortal() {
  const asked: string[] = [];
  const held = new Map<string, () => void>();
  const fetchApi: FetchApi = {
    fetch: input => {
      const path = String(input)
        .split('?')[0]
        .replace(/^plugin:\/\/[^/]+/, '');
      asked.push(path);
      const body =
        path === '/v1/clusters'
          ? {
              entityRef,
              clusters: [{ name: 'sandbox', authProvider: 'serviceAccount' }],
            }
          : { entityRef };
      return new Promise(resolve => {
        held.set(path, () =>
          resolve(
            new Response(JSON.stringify(body), {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
            }),
          ),
        );
      });
    },
  };
  const kubernetesAuthProvidersApi = {
    getCredentials: async () => ({}),
  } as unknown as KubernetesAuthProvidersApi;
  /** Lets pending promises and zero-delay timers run. */
  const settle = () => new Promise(resolve => setTimeout(resolve, 20));
  return {
    client: new ObservabilityIrClient({ fetchApi, kubernetesAuthProvidersApi }),
    asked,
    settle,
    async release(path: string) {
      held.get(path)!();
      held.delete(path);
      await settle();
    },
  };
}

describe('ObservabilityIrClient, the order of the Incident tab’s requests', () => {
  it('asks which clusters hold the entity together with its workload, not after it', async () => {
    const portal = heldPortal();
    const workload = portal.client.getWorkload(entityRef);
    await portal.settle();

    expect(portal.asked).toEqual(['/v1/clusters', '/v1/workload']);

    await portal.release('/v1/clusters');
    await portal.release('/v1/workload');
    await workload;
    // The evidence that follows needs no second look-up.
    const diagnosis = portal.client.getDiagnosis({ entityRef });
    await portal.settle();
    expect(portal.asked.slice(2)).toEqual(['/v1/diagnosis']);
    await portal.release('/v1/diagnosis');
    await diagnosis;
  });

  it('asks for the telemetry audit, the tab’s last panel, once the evidence started with it has answered', async () => {
    const portal = heldPortal();
    const started = [
      portal.client.getDiagnosis({ entityRef }),
      portal.client.getReplicas({ entityRef }),
      portal.client.getTelemetry(entityRef),
    ];
    await portal.settle();
    await portal.release('/v1/clusters');

    expect(portal.asked).toEqual([
      '/v1/clusters',
      '/v1/diagnosis',
      '/v1/replicas',
    ]);

    await portal.release('/v1/diagnosis');
    expect(portal.asked).toHaveLength(3);

    await portal.release('/v1/replicas');
    expect(portal.asked.slice(3)).toEqual(['/v1/telemetry']);
    await portal.release('/v1/telemetry');
    await Promise.all(started);
  });

  it('asks for it at once when no evidence is on its way', async () => {
    const portal = heldPortal();
    const telemetry = portal.client.getTelemetry(entityRef);
    await portal.settle();
    await portal.release('/v1/clusters');

    expect(portal.asked).toEqual(['/v1/clusters', '/v1/telemetry']);
    await portal.release('/v1/telemetry');
    await telemetry;
  });
});
