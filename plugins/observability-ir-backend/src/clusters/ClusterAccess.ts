import {
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { DispatchStrategy } from '@backstage/plugin-kubernetes-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER,
  KubernetesRequestAuth,
} from '@backstage/plugin-kubernetes-common';
import type {
  AuthenticationStrategy,
  ClusterDetails,
  KubernetesClustersSupplier,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import {
  ClusterAuth,
  kubernetesAuthHeader,
} from '@observability-ir/plugin-observability-ir-common';
import { BROWSER_AUTH_PROVIDERS, stockAuthStrategies } from './authStrategies';
import { clusterSupplierFromConfig } from './clusterSupplierFromConfig';
import type {
  ObservabilityIrAuthStrategyExtensionPoint,
  ObservabilityIrClusterSupplierExtensionPoint,
  ObservabilityIrClusterSupplierFactory,
} from './extensionPoints';

/**
 * How long a list of clusters is reused: a cluster added to the catalog is
 * used within this time, and the catalog is not asked on every request.
 */
export const CLUSTER_LIST_TTL_MS = 60_000;

/** Why a cluster cannot be reached with the credentials at hand. */
export class ClusterCredentialError extends Error {
  readonly name = 'ClusterCredentialError';
  constructor(
    message: string,
    /** What the strategy itself said, if it failed; may need redacting. */
    readonly strategyMessage?: string,
  ) {
    super(message);
  }
}

/** The auth provider and OIDC token provider of a cluster. */
export function clusterAuthOf(cluster: ClusterDetails): ClusterAuth {
  const oidcTokenProvider =
    cluster.authMetadata[ANNOTATION_KUBERNETES_OIDC_TOKEN_PROVIDER];
  return {
    name: cluster.name,
    ...(cluster.title ? { title: cluster.title } : {}),
    authProvider: cluster.authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER],
    ...(oidcTokenProvider ? { oidcTokenProvider } : {}),
  };
}

/**
 * Where the plugin's clusters are and how to authenticate to each: the
 * locators of `kubernetes.clusterLocatorMethods` (or the supplier a module
 * registered), and the stock authentication strategies (with those a module
 * added) behind one `DispatchStrategy`, as the stock Kubernetes plugin
 * builds them. Modules contribute through the plugin's extension points
 * before the first request; from then on both are fixed.
 */
export class ClusterAccess
  implements
    ObservabilityIrClusterSupplierExtensionPoint,
    ObservabilityIrAuthStrategyExtensionPoint
{
  private supplierOverride?: ObservabilityIrClusterSupplierFactory;
  private readonly strategies = new Map<string, AuthenticationStrategy>();
  private built?: Promise<{
    supplier: KubernetesClustersSupplier;
    strategy: AuthenticationStrategy;
  }>;
  private list?: { clusters: Promise<ClusterDetails[]>; expiresAt: number };

  constructor(
    private readonly deps: {
      config: RootConfigService;
      catalog: typeof catalogServiceRef.T;
      auth: AuthService;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  addClusterSupplier(
    supplier:
      | KubernetesClustersSupplier
      | ObservabilityIrClusterSupplierFactory,
  ): void {
    this.assertNotBuilt();
    if (this.supplierOverride) {
      throw new Error(
        'Only one cluster supplier may be added to the observability-ir plugin',
      );
    }
    this.supplierOverride =
      typeof supplier === 'function' ? supplier : async () => supplier;
  }

  addAuthStrategy(key: string, strategy: AuthenticationStrategy): void {
    this.assertNotBuilt();
    // The credential headers join the provider's name with dashes.
    if (key.includes('-')) {
      throw new Error('Strategy name can not include dashes');
    }
    this.strategies.set(key, strategy);
  }

  /**
   * Every cluster, asked of the supplier with the plugin's own credentials
   * and reused for {@link CLUSTER_LIST_TTL_MS}; a failure is not kept.
   */
  async clusters(): Promise<ClusterDetails[]> {
    const now = this.deps.now?.() ?? Date.now();
    if (!this.list || this.list.expiresAt <= now) {
      const clusters = (async () => {
        const { supplier } = await this.build();
        return supplier.getClusters({
          credentials: await this.deps.auth.getOwnServiceCredentials(),
        });
      })();
      const entry = { clusters, expiresAt: now + CLUSTER_LIST_TTL_MS };
      this.list = entry;
      clusters.catch(() => {
        if (this.list === entry) this.list = undefined;
      });
    }
    return this.list.clusters;
  }

  /**
   * The credential for one cluster: the strategy of its auth provider,
   * given the credentials the browser sent. Fails with a
   * {@link ClusterCredentialError} that says what is missing.
   */
  async credential(
    cluster: ClusterDetails,
    requestAuth: KubernetesRequestAuth,
  ): Promise<KubernetesCredential> {
    const { strategy } = await this.build();
    const { authProvider, oidcTokenProvider } = clusterAuthOf(cluster);
    const problems = strategy.validateCluster(cluster.authMetadata);
    if (problems.length > 0) {
      throw new ClusterCredentialError(
        `auth provider "${authProvider}" cannot be used: ${problems
          .map(p => p.message)
          .join('; ')}`,
      );
    }
    const auth = withOidcToken(requestAuth, oidcTokenProvider);
    const sent =
      authProvider === 'oidc'
        ? oidcTokenProvider &&
          (auth.oidc as Record<string, string>)?.[oidcTokenProvider]
        : auth[authProvider];
    if (BROWSER_AUTH_PROVIDERS.has(authProvider) && !sent) {
      const signIn = authProvider === 'oidc' ? oidcTokenProvider : authProvider;
      throw new ClusterCredentialError(
        `the cluster takes the signed-in user's ${signIn} token (auth provider ${authProvider}), and none came with the request (header ${kubernetesAuthHeader(
          { authProvider, oidcTokenProvider },
        )}); sign in to ${signIn} and reload`,
      );
    }
    let credential: KubernetesCredential;
    try {
      credential = await strategy.getCredential(cluster, auth);
    } catch (error) {
      throw new ClusterCredentialError(
        `auth provider "${authProvider}" gave no credential`,
        (error as Error).message,
      );
    }
    if (
      credential.type === 'anonymous' &&
      authProvider !== 'localKubectlProxy'
    ) {
      throw new ClusterCredentialError(
        `auth provider "${authProvider}" gave no credential`,
      );
    }
    return credential;
  }

  private build() {
    this.built ??= (async () => {
      const { config, logger } = this.deps;
      const getDefault = async () => clusterSupplierFromConfig(this.deps);
      const supplier = this.supplierOverride
        ? await this.supplierOverride({ getDefault })
        : await getDefault();
      const authStrategyMap = Object.fromEntries([
        ...stockAuthStrategies({ config, logger }),
        ...this.strategies,
      ]);
      return { supplier, strategy: new DispatchStrategy({ authStrategyMap }) };
    })();
    return this.built;
  }

  private assertNotBuilt() {
    if (this.built) {
      throw new Error(
        'The observability-ir cluster access is in use; add suppliers and strategies from a backend module',
      );
    }
  }
}

/**
 * Node lowercases header names, so an OIDC token arrives under the
 * lowercased provider name; give it to the strategy under the name the
 * cluster is configured with.
 */
function withOidcToken(
  auth: KubernetesRequestAuth,
  oidcTokenProvider: string | undefined,
): KubernetesRequestAuth {
  const oidc = auth.oidc as Record<string, string> | undefined;
  if (!oidcTokenProvider || !oidc || oidc[oidcTokenProvider]) {
    return auth;
  }
  const token = oidc[oidcTokenProvider.toLowerCase()];
  return token
    ? { ...auth, oidc: { ...oidc, [oidcTokenProvider]: token } }
    : auth;
}
