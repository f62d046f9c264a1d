/**
 * The path of `GET /v1/clusters`, relative to the plugin's base URL: the
 * clusters an entity's evidence is read from, and how each authenticates.
 *
 * @public
 */
export const CLUSTERS_PATH = '/v1/clusters';

/**
 * One cluster an entity's evidence is read from, and the auth provider of
 * the `kubernetes` configuration (or catalog Resource) that reaches it.
 *
 * @public
 */
export interface ClusterAuth {
  name: string;
  title?: string;
  /** `serviceAccount`, `oidc`, `google`, `aks`, `aws`, ... */
  authProvider: string;
  /** For `oidc`: which sign-in provider's ID token the cluster accepts. */
  oidcTokenProvider?: string;
}

/**
 * The answer of `GET /v1/clusters`.
 *
 * @public
 */
export interface ClustersResponse {
  entityRef: string;
  clusters: ClusterAuth[];
}

/**
 * The prefix of the request headers that carry a Kubernetes credential the
 * browser obtained for the user, as the stock Kubernetes plugin names them.
 *
 * @public
 */
export const KUBERNETES_AUTH_HEADER_PREFIX =
  'Backstage-Kubernetes-Authorization';

/**
 * The header that carries the user's credential for an auth provider:
 * `Backstage-Kubernetes-Authorization-google`, or with the OIDC sign-in
 * provider, `Backstage-Kubernetes-Authorization-oidc-okta`; the same names
 * the stock Kubernetes proxy reads.
 *
 * @public
 */
export function kubernetesAuthHeader(cluster: {
  authProvider: string;
  oidcTokenProvider?: string;
}): string {
  const parts = [KUBERNETES_AUTH_HEADER_PREFIX, cluster.authProvider];
  if (cluster.authProvider === 'oidc' && cluster.oidcTokenProvider) {
    parts.push(cluster.oidcTokenProvider);
  }
  return parts.join('-');
}
