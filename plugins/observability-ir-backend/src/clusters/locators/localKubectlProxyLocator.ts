import { ANNOTATION_KUBERNETES_AUTH_PROVIDER } from '@backstage/plugin-kubernetes-common';
import type {
  ClusterDetails,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';
import dns from 'node:dns';

/**
 * `type: localKubectlProxy`: one cluster named `local`, reached through
 * `kubectl proxy` on port 8001 of this machine without credentials, as the
 * stock plugin does (`localhost` resolved preferring IPv4, where kubectl
 * listens).
 */
export class LocalKubectlProxyLocator implements KubernetesClustersSupplier {
  private address?: Promise<string>;

  async getClusters(): Promise<ClusterDetails[]> {
    this.address ??= dns.promises
      .lookup('localhost', { verbatim: false })
      .then(({ address, family }) => (family === 6 ? `[${address}]` : address));
    return [
      {
        name: 'local',
        url: `http://${await this.address}:8001`,
        authMetadata: {
          [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: 'localKubectlProxy',
        },
        skipMetricsLookup: true,
      },
    ];
  }
}
