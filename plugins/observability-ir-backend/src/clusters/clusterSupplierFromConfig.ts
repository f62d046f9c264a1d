import {
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import { CatalogClusterLocator } from './locators/catalogClusterLocator';
import { ConfigClusterLocator } from './locators/configClusterLocator';
import { GkeClusterLocator } from './locators/gkeClusterLocator';
import { LocalKubectlProxyLocator } from './locators/localKubectlProxyLocator';

/**
 * The clusters of every locator of `kubernetes.clusterLocatorMethods`, in
 * order. As in the stock plugin, one failing locator fails the list unless
 * `kubernetes.clusterLocatorContinueOnError` is set, when it is logged and
 * left out.
 */
class CombinedClusterSupplier implements KubernetesClustersSupplier {
  constructor(
    private readonly locators: Array<{
      type: string;
      supplier: KubernetesClustersSupplier;
    }>,
    private readonly continueOnError: boolean,
    private readonly logger: LoggerService,
  ) {}

  async getClusters(
    options: Parameters<KubernetesClustersSupplier['getClusters']>[0],
  ): Promise<ClusterDetails[]> {
    const results = await Promise.allSettled(
      this.locators.map(l => l.supplier.getClusters(options)),
    );
    const clusters: ClusterDetails[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        clusters.push(...result.value);
        return;
      }
      const message = `Cluster locator #${i + 1} (${
        this.locators[i].type
      }) failed: ${(result.reason as Error)?.message ?? result.reason}`;
      if (!this.continueOnError) {
        throw new Error(message);
      }
      this.logger.error(message);
    });
    const seen = new Set<string>();
    return clusters.filter(cluster => {
      if (seen.has(cluster.name)) {
        this.logger.warn(
          `Duplicate cluster name '${cluster.name}'; the first one is used`,
        );
        return false;
      }
      seen.add(cluster.name);
      return true;
    });
  }
}

/**
 * The cluster supplier of `kubernetes.clusterLocatorMethods`: the `config`,
 * `catalog` and `localKubectlProxy` locators as the stock plugin reads
 * them; `gke` is accepted and fails when asked, saying why.
 */
export function clusterSupplierFromConfig(deps: {
  config: RootConfigService;
  catalog: typeof catalogServiceRef.T;
  auth: AuthService;
  logger: LoggerService;
}): KubernetesClustersSupplier {
  const { config } = deps;
  const locators = (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  ).map(locator => {
    const type = locator.getString('type');
    switch (type) {
      case 'config':
        return { type, supplier: ConfigClusterLocator.fromConfig(locator) };
      case 'catalog':
        return {
          type,
          supplier: CatalogClusterLocator.fromConfig(locator, deps),
        };
      case 'localKubectlProxy':
        return { type, supplier: new LocalKubectlProxyLocator() };
      case 'gke':
        return { type, supplier: GkeClusterLocator.fromConfig(locator) };
      default:
        throw new Error(
          `Unsupported kubernetes.clusterLocatorMethods: "${type}"`,
        );
    }
  });
  return new CombinedClusterSupplier(
    locators,
    config.getOptionalBoolean('kubernetes.clusterLocatorContinueOnError') ??
      false,
    deps.logger,
  );
}
