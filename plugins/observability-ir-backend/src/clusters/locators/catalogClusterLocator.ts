import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_DASHBOARD_URL,
  ANNOTATION_KUBERNETES_SKIP_METRICS_LOOKUP,
  ANNOTATION_KUBERNETES_SKIP_TLS_VERIFY,
} from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import {
  ApiServerUrlOptions,
  validateApiServerUrl,
} from './validateApiServerUrl';

/** The options of a `type: catalog` locator, as the stock plugin reads them. */
interface CatalogLocatorOptions extends ApiServerUrlOptions {
  /** Whether a Resource may turn TLS verification off by annotation. */
  dangerouslyAllowSkipTLSVerify: boolean;
}

/**
 * `type: catalog`: clusters are `Resource` entities of `spec.type:
 * kubernetes-cluster` with the `kubernetes.io/api-server`,
 * `kubernetes.io/api-server-certificate-authority` and
 * `kubernetes.io/auth-provider` annotations, read with the plugin's own
 * credentials, as the stock locator reads them: every `kubernetes.io/*`
 * annotation but a service account token becomes auth metadata, the
 * `serviceAccount` provider is refused (a token in the catalog is readable
 * by all), and the API server URL must pass {@link validateApiServerUrl}.
 * A refused Resource is left out with a warning naming it.
 */
export class CatalogClusterLocator implements KubernetesClustersSupplier {
  constructor(
    private readonly deps: {
      catalog: typeof catalogServiceRef.T;
      auth: AuthService;
      logger: LoggerService;
      options: CatalogLocatorOptions;
    },
  ) {}

  static fromConfig(
    locator: Config,
    deps: Omit<CatalogClusterLocator['deps'], 'options'>,
  ): CatalogClusterLocator {
    return new CatalogClusterLocator({
      ...deps,
      options: {
        dangerouslyAllowClusterUrls: locator.getOptionalStringArray(
          'dangerouslyAllowClusterUrls',
        ),
        dangerouslyAllowSkipTLSVerify:
          locator.getOptionalBoolean('dangerouslyAllowSkipTLSVerify') ?? false,
      },
    });
  }

  async getClusters(): Promise<ClusterDetails[]> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: {
          kind: 'Resource',
          'spec.type': 'kubernetes-cluster',
          [`metadata.annotations.${ANNOTATION_KUBERNETES_API_SERVER}`]:
            CATALOG_FILTER_EXISTS,
          [`metadata.annotations.${ANNOTATION_KUBERNETES_API_SERVER_CA}`]:
            CATALOG_FILTER_EXISTS,
          [`metadata.annotations.${ANNOTATION_KUBERNETES_AUTH_PROVIDER}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const clusters: ClusterDetails[] = [];
    for (const entity of items) {
      try {
        clusters.push(await this.toClusterDetails(entity));
      } catch (error) {
        this.deps.logger.warn(
          `Ignoring kubernetes-cluster Resource "${entity.metadata.name}": ${
            (error as Error).message
          }`,
        );
      }
    }
    return clusters;
  }

  private async toClusterDetails(entity: Entity): Promise<ClusterDetails> {
    const annotations = entity.metadata.annotations ?? {};
    if (annotations[ANNOTATION_KUBERNETES_AUTH_PROVIDER] === 'serviceAccount') {
      throw new Error(
        'the catalog locator does not take the serviceAccount auth provider',
      );
    }
    const url = annotations[ANNOTATION_KUBERNETES_API_SERVER];
    await validateApiServerUrl(url, this.deps.options);
    const authMetadata = Object.fromEntries(
      Object.entries(annotations).filter(
        ([key]) =>
          key.startsWith('kubernetes.io/') && key !== 'serviceAccountToken',
      ),
    );
    return {
      name: entity.metadata.name,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      url,
      authMetadata,
      caData: annotations[ANNOTATION_KUBERNETES_API_SERVER_CA],
      skipTLSVerify:
        this.deps.options.dangerouslyAllowSkipTLSVerify &&
        annotations[ANNOTATION_KUBERNETES_SKIP_TLS_VERIFY] === 'true',
      skipMetricsLookup:
        annotations[ANNOTATION_KUBERNETES_SKIP_METRICS_LOOKUP] === 'true',
      dashboardUrl: annotations[ANNOTATION_KUBERNETES_DASHBOARD_URL],
    };
  }
}
