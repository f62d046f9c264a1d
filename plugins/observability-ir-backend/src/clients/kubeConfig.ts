import type { KubeConfig } from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';

type KubernetesModule = typeof import('@kubernetes/client-node');

/**
 * A kubeconfig with one cluster, one user holding the credential (a bearer
 * token or a client certificate) and one context joining them.
 */
export function kubeConfigFor(
  k8s: KubernetesModule,
  cluster: ClusterDetails,
  credential: KubernetesCredential,
): KubeConfig {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url.replace(/\/+$/, ''),
        caData: cluster.caData,
        caFile: cluster.caFile,
        // Plain http has no TLS to verify; the client refuses it otherwise.
        skipTLSVerify:
          (cluster.skipTLSVerify ?? false) || cluster.url.startsWith('http:'),
      },
    ],
    users: [
      {
        name: 'backstage',
        ...(credential.type === 'bearer token'
          ? { token: credential.token }
          : {}),
        ...(credential.type === 'x509 client certificate'
          ? {
              certData: Buffer.from(credential.cert).toString('base64'),
              keyData: Buffer.from(credential.key).toString('base64'),
            }
          : {}),
      },
    ],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'backstage' },
    ],
    currentContext: cluster.name,
  });
  return kubeConfig;
}
