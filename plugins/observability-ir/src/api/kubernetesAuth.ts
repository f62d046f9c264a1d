import { FetchApi } from '@backstage/core-plugin-api';
import type { KubernetesAuthProvidersApi } from '@backstage/plugin-kubernetes-react';
import {
  ClusterAuth,
  CLUSTERS_PATH,
  ClustersResponse,
  kubernetesAuthHeader,
} from '@observability-ir/plugin-observability-ir-common';

/** How long an entity's list of clusters is reused. */
const CLUSTERS_TTL_MS = 60_000;

/**
 * The key the stock `KubernetesAuthProviders` knows a provider by:
 * `oidc.<provider>` for OIDC, the auth provider itself otherwise.
 */
function providerKey(cluster: ClusterAuth): string {
  return cluster.authProvider === 'oidc'
    ? `oidc.${cluster.oidcTokenProvider}`
    : cluster.authProvider;
}

/**
 * The user's Kubernetes credentials for the clusters of an entity, as the
 * stock Kubernetes plugin obtains them: each cluster's auth provider is
 * asked of `kubernetesAuthProvidersApi` (Google, Microsoft or OIDC sign-in;
 * nothing for providers the backend serves itself), and each token is sent
 * in the header the backend reads for that provider. A provider that gives
 * no token is left out: the backend then says, for that cluster, what is
 * missing.
 */
export class KubernetesCredentialHeaders {
  private readonly clusters = new Map<
    string,
    { list: Promise<ClusterAuth[]>; expiresAt: number }
  >();

  constructor(
    private readonly deps: {
      fetchApi: FetchApi;
      kubernetesAuthProvidersApi: KubernetesAuthProvidersApi;
      now?: () => number;
    },
  ) {}

  /**
   * Asks which clusters the entity's evidence is read from, so that the
   * evidence requests that follow need not wait for it; asks for no token.
   */
  prefetch(entityRef: string): void {
    this.clustersOf(entityRef).catch(() => {});
  }

  /** The credential headers for the clusters the entity's evidence is read from. */
  async forEntity(entityRef: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    const clusters = await this.clustersOf(entityRef).catch(() => []);
    const wanted = new Map(clusters.map(c => [kubernetesAuthHeader(c), c]));
    await Promise.all(
      [...wanted].map(async ([header, cluster]) => {
        try {
          const { token } =
            await this.deps.kubernetesAuthProvidersApi.getCredentials(
              providerKey(cluster),
            );
          if (token) {
            headers[header] = token;
          }
        } catch {
          // No such provider in this app, or sign-in declined.
        }
      }),
    );
    return headers;
  }

  private clustersOf(entityRef: string): Promise<ClusterAuth[]> {
    const now = this.deps.now?.() ?? Date.now();
    const known = this.clusters.get(entityRef);
    if (known && known.expiresAt > now) {
      return known.list;
    }
    const list = this.fetchClusters(entityRef);
    const entry = { list, expiresAt: now + CLUSTERS_TTL_MS };
    this.clusters.set(entityRef, entry);
    list.then(
      clusters => {
        if (clusters.length === 0) this.clusters.delete(entityRef);
      },
      () => this.clusters.delete(entityRef),
    );
    return list;
  }

  private async fetchClusters(entityRef: string): Promise<ClusterAuth[]> {
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir${CLUSTERS_PATH}?${new URLSearchParams({
        entityRef,
      })}`,
    );
    // The evidence request that follows reports what went wrong.
    if (!response.ok) {
      return [];
    }
    return ((await response.json()) as ClustersResponse).clusters ?? [];
  }
}
