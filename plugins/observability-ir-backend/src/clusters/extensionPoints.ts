import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  AuthenticationStrategy,
  KubernetesClustersSupplier,
} from '@backstage/plugin-kubernetes-node';

/**
 * Makes the cluster supplier of the observability-ir plugin, given the one
 * it would use otherwise (the locators of `kubernetes.clusterLocatorMethods`).
 * The same shape as the stock `KubernetesClusterSupplierFactory`.
 *
 * @public
 */
export type ObservabilityIrClusterSupplierFactory = (opts: {
  getDefault: () => Promise<KubernetesClustersSupplier>;
}) => Promise<KubernetesClustersSupplier>;

/**
 * The interface of {@link observabilityIrClusterSupplierExtensionPoint};
 * the same shape as the stock `KubernetesClusterSupplierExtensionPoint`.
 *
 * @public
 */
export interface ObservabilityIrClusterSupplierExtensionPoint {
  addClusterSupplier(
    clusterSupplier:
      | KubernetesClustersSupplier
      | ObservabilityIrClusterSupplierFactory,
  ): void;
}

/**
 * Replaces where the observability-ir plugin finds its clusters, as
 * `kubernetesClusterSupplierExtensionPoint` does for the stock Kubernetes
 * plugin (whose extension points only that plugin can consume).
 *
 * @public
 */
export const observabilityIrClusterSupplierExtensionPoint =
  createExtensionPoint<ObservabilityIrClusterSupplierExtensionPoint>({
    id: 'observability-ir.cluster-supplier',
  });

/**
 * The interface of {@link observabilityIrAuthStrategyExtensionPoint}; the
 * same shape as the stock `KubernetesAuthStrategyExtensionPoint`.
 *
 * @public
 */
export interface ObservabilityIrAuthStrategyExtensionPoint {
  addAuthStrategy(key: string, strategy: AuthenticationStrategy): void;
}

/**
 * Adds (or replaces) the authentication strategy of an `authProvider` for
 * the observability-ir plugin, as `kubernetesAuthStrategyExtensionPoint`
 * does for the stock Kubernetes plugin.
 *
 * @public
 */
export const observabilityIrAuthStrategyExtensionPoint =
  createExtensionPoint<ObservabilityIrAuthStrategyExtensionPoint>({
    id: 'observability-ir.auth-strategy',
  });
