import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
} from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

/**
 * The clusters of a `type: config` locator, read as the stock plugin reads
 * them: `authProvider` (or `authMetadata['kubernetes.io/auth-provider']`)
 * is required, and `serviceAccountToken`, `assumeRole`, `externalId` and
 * `oidcTokenProvider` join the cluster's auth metadata.
 */
export class ConfigClusterLocator implements KubernetesClustersSupplier {
  private constructor(private readonly clusters: ClusterDetails[]) {}

  static fromConfig(locator: Config): ConfigClusterLocator {
    const names = new Set<string>();
    return new ConfigClusterLocator(
      locator.getConfigArray('clusters').map(cluster => {
        const name = cluster.getString('name');
        if (names.has(name)) {
          throw new Error(`Duplicate cluster name '${name}'`);
        }
        names.add(name);
        const authMetadataBlock =
          cluster.getOptional<Record<string, string>>('authMetadata');
        const authProvider =
          authMetadataBlock?.[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ??
          cluster.getOptionalString('authProvider');
        if (!authProvider) {
          throw new Error(
            `cluster '${name}' has no auth provider configured; this must be specified via the 'authProvider' or 'authMetadata.${ANNOTATION_KUBERNETES_AUTH_PROVIDER}' parameter`,
          );
        }
        const optional = (key: string) => cluster.getOptionalString(key);
        const metadata: Record<string, string | undefined> = {
          serviceAccountToken: optional('serviceAccountToken'),
          [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]: optional('assumeRole'),
          [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]: optional('externalId'),
          [ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER]:
            optional('oidcTokenProvider'),
        };
        const details: ClusterDetails = {
          name,
          url: cluster.getString('url'),
          skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
          skipMetricsLookup:
            cluster.getOptionalBoolean('skipMetricsLookup') ?? false,
          caData: optional('caData'),
          caFile: optional('caFile'),
          authMetadata: {
            [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: authProvider,
            ...(Object.fromEntries(
              Object.entries(metadata).filter(([, value]) => value),
            ) as Record<string, string>),
            ...authMetadataBlock,
          },
        };
        const title = optional('title');
        if (title) details.title = title;
        const dashboardUrl = optional('dashboardUrl');
        if (dashboardUrl) details.dashboardUrl = dashboardUrl;
        return details;
      }),
    );
  }

  async getClusters(): Promise<ClusterDetails[]> {
    return this.clusters;
  }
}
