import type {
  AppsV1Api,
  ConfigurationOptions,
  V1DaemonSet,
  V1Deployment,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { boundedCallOptions } from './kubernetesHttpLibrary';
import { kubeConfigFor } from './kubeConfig';
import { secretsOf, statusOf, upstreamTextOf } from './KubernetesClient';
import { UpstreamError } from './UpstreamError';

/** The workload kinds whose pod template the plugin may change. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** A workload as read from the API server. */
export type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Who the API server records as having changed the workload. */
export const FIELD_MANAGER = 'backstage-observability-ir';

/**
 * Reads and patches Deployments, StatefulSets and DaemonSets on one cluster
 * with one credential. Failures are {@link UpstreamError}s whose message
 * never shows the credential; `status` carries the HTTP status.
 */
export class WorkloadClient {
  private connection?: Promise<{
    apps: AppsV1Api;
    callOptions: ConfigurationOptions;
    patchOptions: ConfigurationOptions;
  }>;
  private secrets: string[] = [];

  constructor(
    private readonly options: {
      cluster: ClusterDetails;
      credential: () => Promise<KubernetesCredential>;
      timeoutMs: number;
    },
  ) {}

  /** The workload, or `undefined` when there is none by that name. */
  async read(
    kind: WorkloadKind,
    namespace: string,
    name: string,
  ): Promise<Workload | undefined> {
    const { apps, callOptions } = await this.connect();
    const request = { namespace, name };
    try {
      switch (kind) {
        case 'Deployment':
          return await apps.readNamespacedDeployment(request, callOptions);
        case 'StatefulSet':
          return await apps.readNamespacedStatefulSet(request, callOptions);
        default:
          return await apps.readNamespacedDaemonSet(request, callOptions);
      }
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw this.failure(error);
    }
  }

  /** Applies a strategic-merge patch to the workload. */
  async patch(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    body: object,
  ): Promise<Workload> {
    const { apps, patchOptions } = await this.connect();
    const request = { namespace, name, body, fieldManager: FIELD_MANAGER };
    try {
      switch (kind) {
        case 'Deployment':
          return await apps.patchNamespacedDeployment(request, patchOptions);
        case 'StatefulSet':
          return await apps.patchNamespacedStatefulSet(request, patchOptions);
        default:
          return await apps.patchNamespacedDaemonSet(request, patchOptions);
      }
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): UpstreamError {
    const e = error as Error;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return this.error(`no answer within ${this.options.timeoutMs / 1000} s`);
    }
    const status = statusOf(error);
    return this.error(
      status ? `answered ${status}` : 'unreachable',
      status,
      upstreamTextOf(error),
    );
  }

  private error(
    message: string,
    status?: number,
    upstreamText?: string,
  ): UpstreamError {
    return new UpstreamError('kubernetes', this.options.cluster.name, message, {
      status,
      upstreamText,
      secrets: this.secrets,
    });
  }

  private connect() {
    // @kubernetes/client-node is ESM-only; load it on first use.
    this.connection ??= (async () => {
      const { cluster, timeoutMs } = this.options;
      const credential = await this.options.credential();
      this.secrets = secretsOf(credential);
      const k8s = await import('@kubernetes/client-node');
      const kubeConfig = kubeConfigFor(k8s, cluster, credential);
      const callOptions = boundedCallOptions(k8s, {
        maxBodyBytes: MAX_BODY_BYTES,
        timeoutMs,
      });
      const patchOptions = k8s.setHeaderOptions(
        'Content-Type',
        k8s.PatchStrategy.StrategicMergePatch,
        callOptions,
      );
      return {
        apps: kubeConfig.makeApiClient(k8s.AppsV1Api),
        callOptions,
        patchOptions,
      };
    })();
    return this.connection;
  }
}
