import { Config } from '@backstage/config';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

/**
 * `type: gke` is accepted so that a configuration shared with the stock
 * plugin starts, but this plugin does not list GKE clusters itself (the
 * stock locator is not exported, and listing needs Google's API): asking
 * fails with a message saying what to do instead.
 */
export class GkeClusterLocator implements KubernetesClustersSupplier {
  constructor(private readonly projectId: string) {}

  static fromConfig(locator: Config): GkeClusterLocator {
    return new GkeClusterLocator(locator.getString('projectId'));
  }

  async getClusters(): Promise<ClusterDetails[]> {
    throw new Error(
      `the gke locator (project ${this.projectId}) is not supported by the observability-ir plugin; list those clusters with a config or catalog locator, or register a cluster supplier through observabilityIrClusterSupplierExtensionPoint`,
    );
  }
}
