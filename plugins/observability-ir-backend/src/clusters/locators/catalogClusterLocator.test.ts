import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogClusterLocator } from './catalogClusterLocator';

function cluster(name: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      annotations: {
        'kubernetes.io/api-server-certificate-authority': 'Q0E=',
        'kubernetes.io/auth-provider': 'oidc',
        'kubernetes.io/oidc-token-provider': 'okta',
        ...annotations,
      },
    },
    spec: { type: 'kubernetes-cluster', owner: 'platform-team' },
  };
}

describe('CatalogClusterLocator', () => {
  it('takes kubernetes-cluster Resources as the stock locator does, leaving out the unsafe ones', async () => {
    const logger = mockServices.logger.mock();
    const locator = new CatalogClusterLocator({
      catalog: catalogServiceMock({
        entities: [
          cluster('eu', {
            'kubernetes.io/api-server': 'https://34.120.0.10:6443',
            'kubernetes.io/skip-tls-verify': 'true',
            'kubernetes.io/dashboard-url': 'https://dash.example.com',
          }),
          cluster('internal', {
            'kubernetes.io/api-server': 'https://10.0.0.1:6443',
          }),
          cluster('plain', {
            'kubernetes.io/api-server': 'http://203.0.113.11',
          }),
          cluster('token', {
            'kubernetes.io/api-server': 'https://203.0.113.12',
            'kubernetes.io/auth-provider': 'serviceAccount',
          }),
          { ...cluster('database', {}), spec: { type: 'database' } },
        ],
      }),
      auth: mockServices.auth(),
      logger,
      options: { dangerouslyAllowSkipTLSVerify: false },
    });

    expect(await locator.getClusters()).toEqual([
      {
        name: 'eu',
        url: 'https://34.120.0.10:6443',
        caData: 'Q0E=',
        skipTLSVerify: false,
        skipMetricsLookup: false,
        dashboardUrl: 'https://dash.example.com',
        authMetadata: {
          'kubernetes.io/api-server': 'https://34.120.0.10:6443',
          'kubernetes.io/api-server-certificate-authority': 'Q0E=',
          'kubernetes.io/auth-provider': 'oidc',
          'kubernetes.io/oidc-token-provider': 'okta',
          'kubernetes.io/skip-tls-verify': 'true',
          'kubernetes.io/dashboard-url': 'https://dash.example.com',
        },
      },
    ]);
    const warnings = logger.warn.mock.calls.map(([m]) => m);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"internal": .*not a public address/),
        expect.stringMatching(/"plain": .*must use https/),
        expect.stringMatching(/"token": .*serviceAccount/),
      ]),
    );
  });
});
