import { AddressInfo } from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import YAML from 'yaml';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';

/*
 * Backstage's stock Kubernetes backend, unchanged, reading the sandbox
 * cluster the way the stock Kubernetes tab does: every object kind it lists
 * by default, for the checkout-api entity of the demo catalog.
 */

const repoRoot = path.resolve(__dirname, '../../..');

function checkoutApiEntity() {
  const documents = YAML.parseAllDocuments(
    fs.readFileSync(path.join(repoRoot, 'catalog/components.yaml'), 'utf8'),
  ).map(d => d.toJS());
  const entity = documents.find(
    d => d?.kind === 'Component' && d.metadata?.name === 'checkout-api',
  );
  if (!entity) {
    throw new Error('catalog/components.yaml has no checkout-api Component');
  }
  return entity;
}

// The first request loads the Kubernetes client and asks every kind; on a
// cold or busy machine that alone can pass Jest's 5 s default.
jest.setTimeout(60_000);

describe('the stock Kubernetes backend over the sandbox cluster', () => {
  let sandbox: Sandbox;
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    const backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [checkoutApiEntity()] }),
        // The portal's policy is tested elsewhere; here the reader may read.
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'sandbox',
                      url: sandbox.clusters[0].kubernetesUrl,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: 'any',
                      skipTLSVerify: true,
                      skipMetricsLookup: true,
                    },
                  ],
                },
              ],
            },
          },
        }),
      ],
    });
    const { port } = backend.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    stopBackend = () => backend.stop();
  }, 60_000);

  afterAll(async () => {
    await stopBackend?.();
    await sandbox?.close();
  }, 60_000);

  it('answers the entity tab without errors, with the pods restarting', async () => {
    const response = await fetch(
      `${baseUrl}/api/kubernetes/services/checkout-api`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: mockCredentials.user.header(),
        },
        body: JSON.stringify({ entity: checkoutApiEntity() }),
      },
    );

    expect(response.status).toBe(200);
    const { items } = await response.json();
    expect(items).toHaveLength(1);
    const [cluster] = items;
    expect(cluster.cluster.name).toBe('sandbox');
    expect(cluster.errors).toEqual([]);
    const byType = Object.fromEntries(
      cluster.resources.map((r: { type: string; resources: unknown[] }) => [
        r.type,
        r.resources,
      ]),
    );
    expect(Object.keys(byType).sort()).toEqual(
      [
        'configmaps',
        'cronjobs',
        'daemonsets',
        'deployments',
        'horizontalpodautoscalers',
        'ingresses',
        'jobs',
        'limitranges',
        'pods',
        'replicasets',
        'resourcequotas',
        'services',
        'statefulsets',
      ].sort(),
    );
    const pods = byType.pods as Array<any>;
    expect(pods.map(p => p.metadata.name).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    expect(pods[0].status.containerStatuses[0].restartCount).toBeGreaterThan(0);
  });
});
