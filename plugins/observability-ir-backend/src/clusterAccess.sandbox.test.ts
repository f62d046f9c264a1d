import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  ClustersResponse,
  ReplicasResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import request from 'supertest';
import {
  observabilityIrAuthStrategyExtensionPoint,
  observabilityIrClusterSupplierExtensionPoint,
} from './clusters';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity } from './__testUtils__/fixtures';

const SERVICE_ACCOUNT_TOKEN = 'production-service-account-token';
const USER_ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJndWVzdCJ9.c2lnbmF0dXJl';
const OIDC_HEADER = 'Backstage-Kubernetes-Authorization-oidc-okta';

/**
 * Two clusters of one sandbox: production in the `kubernetes` block with a
 * service account token, staging a catalog Resource whose API server takes
 * the signed-in user's OIDC ID token.
 */
function stagingResource(sandbox: Sandbox) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'staging',
      title: 'Staging',
      annotations: {
        'kubernetes.io/api-server': sandbox.clusters[1].kubernetesUrl,
        'kubernetes.io/api-server-certificate-authority': '',
        'kubernetes.io/auth-provider': 'oidc',
        'kubernetes.io/oidc-token-provider': 'okta',
      },
    },
    spec: { type: 'kubernetes-cluster', owner: 'platform-team' },
  };
}

function sourcesConfig(sandbox: Sandbox) {
  return sandbox.clusters.map(c => ({
    name: c.name,
    prometheus: { url: c.prometheusUrl },
    loki: { url: c.lokiUrl },
  }));
}

function replicasOf(body: ReplicasResponse) {
  return body.replicas.map(r => [r.cluster, r.pod, r.restartCount]);
}

function statusOf(body: ReplicasResponse, cluster: string) {
  return body.sources.find(
    s => s.cluster === cluster && s.source === 'kubernetes',
  );
}

describe('clusters from the stock kubernetes configuration, against the sandbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'multi-cluster',
      speed: 0,
      kubeconfigPath: false,
      token: SERVICE_ACCOUNT_TOKEN,
      tokens: { staging: USER_ID_TOKEN },
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox.close();
  });

  describe('a config cluster and a catalog cluster with OIDC', () => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

    beforeAll(async () => {
      const [production] = sandbox.clusters;
      ({ server } = await startTestBackend({
        features: [
          observabilityIrPlugin,
          catalogServiceMock.factory({
            entities: [checkoutApiEntity, stagingResource(sandbox)],
          }),
          mockServices.rootConfig.factory({
            data: {
              kubernetes: {
                clusterLocatorMethods: [
                  {
                    type: 'config',
                    clusters: [
                      {
                        name: production.name,
                        url: production.kubernetesUrl,
                        authProvider: 'serviceAccount',
                        serviceAccountToken: SERVICE_ACCOUNT_TOKEN,
                      },
                    ],
                  },
                  // The sandbox is plain http on loopback, which the catalog
                  // locator refuses unless the host is allowed.
                  {
                    type: 'catalog',
                    dangerouslyAllowClusterUrls: ['127.0.0.1'],
                  },
                ],
              },
              observabilityIr: { clusters: sourcesConfig(sandbox) },
            },
          }),
        ],
      }));
    }, 60_000);

    const get = (path: string, headers: Record<string, string> = {}) =>
      request(server)
        .get(`/api/observability-ir/v1/${path}`)
        .query({ entityRef: 'component:default/checkout-api' })
        .set(headers);

    it('lists both clusters with the auth provider the browser must serve', async () => {
      const response = await get('clusters');
      expect(response.status).toBe(200);
      expect((response.body as ClustersResponse).clusters).toEqual([
        { name: 'production', authProvider: 'serviceAccount' },
        {
          name: 'staging',
          title: 'Staging',
          authProvider: 'oidc',
          oidcTokenProvider: 'okta',
        },
      ]);
    }, 60_000);

    it("reads the catalog cluster with the user's OIDC token from the browser", async () => {
      const response = await get('replicas', { [OIDC_HEADER]: USER_ID_TOKEN });
      expect(response.status).toBe(200);
      const body = response.body as ReplicasResponse;
      expect(replicasOf(body)).toEqual([
        ['production', 'checkout-api-v1-abc', 45],
        ['production', 'checkout-api-v1-xyz', 42],
        ['staging', 'checkout-api-v1-abc', 0],
        ['staging', 'checkout-api-v1-xyz', 0],
      ]);
      expect(body.sources.every(s => s.status === 'ok')).toBe(true);
    }, 60_000);

    it('says per cluster that the OIDC token is missing, and still answers from the other cluster', async () => {
      // Asked with the token first: that answer must not reach a request without it.
      await get('replicas', { [OIDC_HEADER]: USER_ID_TOKEN });
      const response = await get('replicas');
      expect(response.status).toBe(200);
      const body = response.body as ReplicasResponse;
      expect(replicasOf(body)).toEqual([
        ['production', 'checkout-api-v1-abc', 45],
        ['production', 'checkout-api-v1-xyz', 42],
      ]);
      expect(statusOf(body, 'staging')).toEqual({
        cluster: 'staging',
        source: 'kubernetes',
        status: 'error',
        error: `Kubernetes API of cluster staging: cannot authenticate: the cluster takes the signed-in user's okta token (auth provider oidc), and none came with the request (header ${OIDC_HEADER}); sign in to okta and reload`,
      });
      expect(statusOf(body, 'production')?.status).toBe('ok');
    }, 60_000);

    it('passes on the API server refusing a wrong token, without showing it', async () => {
      const wrong = 'eyJ0aGlzIjoid3JvbmcifQ.not-the-user';
      const response = await get('replicas', { [OIDC_HEADER]: wrong });
      expect(response.status).toBe(200);
      const status = statusOf(response.body, 'staging');
      expect(status).toMatchObject({
        status: 'error',
        error: expect.stringMatching(
          /^Kubernetes API of cluster staging: answered 401: Unauthorized/,
        ),
      });
      expect(JSON.stringify(response.body)).not.toContain(wrong);
    }, 60_000);

    it('refuses a credential header that is too long, naming it but not its value', async () => {
      const response = await get('replicas', {
        [OIDC_HEADER]: 'a'.repeat(9000),
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(
        `The header ${OIDC_HEADER.toLowerCase()} is longer than 8192 characters`,
      );
    }, 60_000);
  });

  it('uses a cluster supplier and an auth strategy registered by a backend module', async () => {
    const [production] = sandbox.clusters;
    const issued: string[] = [];
    const vaultStrategy: AuthenticationStrategy = {
      async getCredential(cluster) {
        issued.push(cluster.name);
        return { type: 'bearer token', token: SERVICE_ACCOUNT_TOKEN };
      },
      validateCluster: () => [],
      presentAuthMetadata: () => ({}),
    };
    const fleetModule = createBackendModule({
      pluginId: 'observability-ir',
      moduleId: 'fleet-clusters',
      register(env) {
        env.registerInit({
          deps: {
            clusters: observabilityIrClusterSupplierExtensionPoint,
            authStrategies: observabilityIrAuthStrategyExtensionPoint,
          },
          async init({ clusters, authStrategies }) {
            authStrategies.addAuthStrategy('vault', vaultStrategy);
            clusters.addClusterSupplier({
              getClusters: async () => [
                {
                  name: 'fleet-production',
                  url: production.kubernetesUrl,
                  authMetadata: { 'kubernetes.io/auth-provider': 'vault' },
                },
              ],
            });
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        fleetModule,
        catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
        mockServices.rootConfig.factory({
          data: {
            // Replaced by the module's supplier.
            kubernetes: {
              clusterLocatorMethods: [{ type: 'config', clusters: [] }],
            },
            observabilityIr: {
              clusters: [
                {
                  name: 'fleet-production',
                  prometheus: { url: production.prometheusUrl },
                },
              ],
            },
          },
        }),
      ],
    });

    const response = await request(server)
      .get('/api/observability-ir/v1/replicas')
      .query({ entityRef: 'component:default/checkout-api' });

    expect(response.status).toBe(200);
    expect(replicasOf(response.body)).toEqual([
      ['fleet-production', 'checkout-api-v1-abc', 45],
      ['fleet-production', 'checkout-api-v1-xyz', 42],
    ]);
    expect(issued).toContain('fleet-production');
  }, 60_000);
});
