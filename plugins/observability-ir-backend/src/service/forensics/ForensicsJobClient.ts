import type {
  BatchV1Api,
  ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  V1Job,
  V1Pod,
} from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { boundedCallOptions } from '../../clients/kubernetesHttpLibrary';
import { kubeConfigFor } from '../../clients/kubeConfig';
import {
  secretsOf,
  statusOf,
  upstreamTextOf,
} from '../../clients/KubernetesClient';
import { UpstreamError } from '../../clients/UpstreamError';

/** The most bytes of a Job pod's log read back; the script prints far less. */
export const FORENSICS_LOG_MAX_BYTES = 1024 * 1024;

/** The most bytes of any other answer (a Job, a list of a Job's pods). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** How a watch ended: an event arrived, it timed out, or it failed. */
export type WatchOutcome =
  | { kind: 'event'; type: string; job?: V1Job }
  | { kind: 'timeout' }
  | { kind: 'unavailable'; error: Error };

/**
 * The Kubernetes calls of node forensics on one cluster, with one
 * credential: create, read, watch, list and delete the Jobs in the
 * forensics namespace, list a Job's pods and read their log, read the
 * target pod and its node. Failures are {@link UpstreamError}s whose
 * message never shows the credential; `status` carries the HTTP status
 * (404, 409, ...).
 */
export class ForensicsJobClient {
  private connection?: Promise<{
    batch: BatchV1Api;
    core: CoreV1Api;
    kubeConfig: KubeConfig;
    callOptions: (maxBytes: number) => ConfigurationOptions;
  }>;
  private secrets: string[] = [];

  constructor(
    private readonly options: {
      cluster: ClusterDetails;
      credential: () => Promise<KubernetesCredential>;
      /** Bounds every call but the watch, which has its own timeout. */
      timeoutMs: number;
    },
  ) {}

  get clusterName(): string {
    return this.options.cluster.name;
  }

  /** Creates the Job; an `UpstreamError` with status 409 when it exists. */
  async createJob(namespace: string, job: V1Job): Promise<V1Job> {
    const { batch, callOptions } = await this.connect();
    return this.call(() =>
      batch.createNamespacedJob(
        { namespace, body: job },
        callOptions(MAX_BODY_BYTES),
      ),
    );
  }

  /** The Job, or `undefined` when it is gone. */
  async readJob(namespace: string, name: string): Promise<V1Job | undefined> {
    const { batch, callOptions } = await this.connect();
    return this.orUndefined(() =>
      batch.readNamespacedJob({ namespace, name }, callOptions(MAX_BODY_BYTES)),
    );
  }

  /** The Jobs matching a label selector. */
  async listJobs(namespace: string, labelSelector: string): Promise<V1Job[]> {
    const { batch, callOptions } = await this.connect();
    const list = await this.call(() =>
      batch.listNamespacedJob(
        { namespace, labelSelector, limit: 500 },
        callOptions(MAX_BODY_BYTES),
      ),
    );
    return list.items;
  }

  /**
   * Deletes the Job and, in the background, its pods; `false` when it was
   * already gone.
   */
  async deleteJob(namespace: string, name: string): Promise<boolean> {
    const { batch, callOptions } = await this.connect();
    const deleted = await this.orUndefined(() =>
      batch.deleteNamespacedJob(
        { namespace, name, propagationPolicy: 'Background' },
        callOptions(MAX_BODY_BYTES),
      ),
    );
    return deleted !== undefined;
  }

  /** The pods the Job's selector matches. */
  async listJobPods(namespace: string, job: V1Job): Promise<V1Pod[]> {
    const labels = job.spec?.selector?.matchLabels ?? {
      'job-name': job.metadata?.name ?? '',
    };
    const labelSelector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const { core, callOptions } = await this.connect();
    const list = await this.call(() =>
      core.listNamespacedPod(
        { namespace, labelSelector, limit: 50 },
        callOptions(MAX_BODY_BYTES),
      ),
    );
    return list.items;
  }

  /** The head of a container's log, at most `maxBytes`. */
  async readLog(
    namespace: string,
    pod: string,
    container: string,
    maxBytes = FORENSICS_LOG_MAX_BYTES,
  ): Promise<string> {
    const { core, callOptions } = await this.connect();
    return this.call(() =>
      core.readNamespacedPodLog(
        { namespace, name: pod, container, limitBytes: maxBytes },
        // Headroom over limitBytes for an API server that ignores it.
        callOptions(maxBytes + 64 * 1024),
      ),
    );
  }

  /** The pod, or `undefined` when it is gone. */
  async readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    const { core, callOptions } = await this.connect();
    return this.orUndefined(() =>
      core.readNamespacedPod({ namespace, name }, callOptions(MAX_BODY_BYTES)),
    );
  }

  /** Whether the node is still there. */
  async nodeExists(name: string): Promise<boolean> {
    const { core, callOptions } = await this.connect();
    const node = await this.orUndefined(() =>
      core.readNode({ name }, callOptions(MAX_BODY_BYTES)),
    );
    return node !== undefined;
  }

  /**
   * Waits for the next change of one Job, at most `timeoutMs`: a watch
   * from `resourceVersion` (the version last read), so the Job as it was
   * read is not announced again.
   */
  async waitForJobChange(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    timeoutMs: number,
  ): Promise<WatchOutcome> {
    let kubeConfig: KubeConfig;
    try {
      ({ kubeConfig } = await this.connect());
    } catch (error) {
      return { kind: 'unavailable', error: error as Error };
    }
    const k8s = await import('@kubernetes/client-node');
    const watch = new k8s.Watch(kubeConfig);
    return new Promise<WatchOutcome>(resolve => {
      let settled = false;
      let controller: AbortController | undefined;
      const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
      function settle(outcome: WatchOutcome) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(outcome);
      }
      watch
        .watch(
          `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
          {
            fieldSelector: `metadata.name=${name}`,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
          },
          (type, object) => {
            if (type === 'BOOKMARK') return;
            settle({ kind: 'event', type, job: object as V1Job });
          },
          error => {
            if (error && (error as Error).name !== 'AbortError') {
              settle({
                kind: 'unavailable',
                error: this.failure(error),
              });
            } else {
              // The server closed the watch: nothing changed meanwhile.
              settle({ kind: 'timeout' });
            }
          },
        )
        .then(
          c => {
            controller = c;
            if (settled) c.abort();
          },
          error => settle({ kind: 'unavailable', error: this.failure(error) }),
        );
    });
  }

  private async orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(call);
    } catch (error) {
      if ((error as UpstreamError).status === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const e = error as Error;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return this.error(`no answer within ${this.options.timeoutMs / 1000} s`);
    }
    const status =
      statusOf(error) ?? (error as { statusCode?: number }).statusCode;
    return this.error(
      status ? `answered ${status}` : 'unreachable',
      status,
      upstreamTextOf(error),
    );
  }

  private connect() {
    // @kubernetes/client-node is ESM-only; load it on first use.
    this.connection ??= (async () => {
      let credential: KubernetesCredential;
      try {
        credential = await this.options.credential();
      } catch (error) {
        throw this.error(
          `cannot authenticate: ${(error as Error).message}`,
          undefined,
          (error as { strategyMessage?: string }).strategyMessage,
        );
      }
      this.secrets = secretsOf(credential);
      const k8s = await import('@kubernetes/client-node');
      const kubeConfig = kubeConfigFor(k8s, this.options.cluster, credential);
      const { timeoutMs } = this.options;
      const callOptions = (maxBodyBytes: number): ConfigurationOptions =>
        boundedCallOptions(k8s, { maxBodyBytes, timeoutMs });
      return {
        batch: kubeConfig.makeApiClient(k8s.BatchV1Api),
        core: kubeConfig.makeApiClient(k8s.CoreV1Api),
        kubeConfig,
        callOptions,
      };
    })();
    this.connection.catch(() => {
      this.connection = undefined;
    });
    return this.connection;
  }

  private error(reason: string, status?: number, upstreamText?: string) {
    return new UpstreamError('kubernetes', this.options.cluster.name, reason, {
      status,
      upstreamText,
      secrets: this.secrets,
    });
  }
}
