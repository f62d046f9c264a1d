import type { HttpLibrary, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import {
  secretsOf,
  statusOf,
  upstreamTextOf,
} from '../../clients/KubernetesClient';
import {
  cappedHttpLibrary,
  ResponseTooLargeError,
} from '../../clients/kubernetesHttpLibrary';
import { kubeConfigFor } from '../../clients/kubeConfig';
import { parseRetryAfter, withRetries } from '../../clients/retry';
import { UpstreamError } from '../../clients/UpstreamError';

/** Pods per page of the sweep's list. */
export const FLEET_PAGE_SIZE = 500;

/**
 * The most pages read from one cluster: 100,000 pods at the default page
 * size. A sweep that reaches it says so in the cluster's status.
 */
export const FLEET_MAX_PAGES = 200;

type KubernetesModule = typeof import('@kubernetes/client-node');

/** What reads the pages of one cluster. */
interface Connection {
  k8s: KubernetesModule;
  kubeConfig: KubeConfig;
  http: HttpLibrary;
}

/** One page of the pods of every namespace. */
export interface PodPage {
  pods: V1Pod[];
  /** What the API server says is left after this page, when it says. */
  remainingItemCount?: number;
}

/**
 * Reads the pods of every namespace of one cluster a page at a time
 * (`limit` and `continue`), with the plugin's own credential for the
 * cluster. Each page is handed over as it comes and dropped after, so the
 * sweep never holds a whole cluster's pods. Pages are retried on 429 and
 * 5xx, honouring `Retry-After`; an expired continue token (410) starts the
 * list over, as `kubectl` does. A page is read as plain JSON, as the API
 * server wrote it (timestamps stay strings), not converted into the
 * client's typed models: the sweep reads a few fields of each pod, and the
 * conversion cost more than the rest of the sweep together.
 */
export class FleetPodPager {
  private secrets: string[] = [];

  constructor(
    private readonly options: {
      cluster: ClusterDetails;
      credential: () => Promise<KubernetesCredential>;
      timeoutMs: number;
      maxBodyBytes: number;
      pageSize?: number;
      maxPages?: number;
      retryDelayMs?: number;
    },
  ) {}

  /**
   * Every page, in order; fails with an {@link UpstreamError} naming the
   * cluster. `truncated` is set on the generator's result when the list
   * had more pages than {@link FLEET_MAX_PAGES}.
   */
  async *pages(): AsyncGenerator<PodPage, { truncated: boolean }> {
    const connection = await this.connect();
    const limit = this.options.pageSize ?? FLEET_PAGE_SIZE;
    const maxPages = this.options.maxPages ?? FLEET_MAX_PAGES;
    let token: string | undefined;
    let restarted = false;
    for (let page = 0; page < maxPages; page++) {
      let result;
      try {
        const continueToken = token;
        result = await this.read(() =>
          this.listPods(connection, limit, continueToken),
        );
      } catch (error) {
        // The token outlived the API server's compaction window: start
        // over once; findings are keyed by pod, so a page read twice adds
        // nothing twice.
        if (token && !restarted && (error as UpstreamError).status === 410) {
          restarted = true;
          token = undefined;
          continue;
        }
        throw error;
      }
      yield {
        pods: result.items,
        remainingItemCount: result.metadata?.remainingItemCount,
      };
      token = result.metadata?.continue || undefined;
      if (!token) {
        return { truncated: false };
      }
    }
    return { truncated: true };
  }

  /**
   * One page of `GET /api/v1/pods`, with the cluster's credential, the
   * plugin's byte cap and timeout; an answer other than 2xx is thrown as
   * the client's `ApiException`, as its own list call throws it.
   */
  private async listPods(
    { k8s, kubeConfig, http }: Connection,
    limit: number,
    continueToken: string | undefined,
  ): Promise<{
    items: V1Pod[];
    metadata?: { continue?: string; remainingItemCount?: number };
  }> {
    const server = kubeConfig.getCurrentCluster()!.server;
    const context = new k8s.RequestContext(
      `${server}/api/v1/pods`,
      k8s.HttpMethod.GET,
    );
    context.setQueryParam('limit', String(limit));
    if (continueToken) context.setQueryParam('continue', continueToken);
    context.setHeaderParam('Accept', 'application/json');
    await kubeConfig.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.options.timeoutMs));
    const response = await http.send(context).toPromise();
    const status = response.httpStatusCode;
    if (status === 401) {
      throw new k8s.ApiException(
        status,
        'Unauthorized',
        undefined,
        response.headers,
      );
    }
    if (status < 200 || status > 299) {
      throw new k8s.ApiException(
        status,
        'Unknown API Status Code!',
        await response.body.text(),
        response.headers,
      );
    }
    const list = JSON.parse(await response.body.text());
    return { items: list?.items ?? [], metadata: list?.metadata };
  }

  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(call, {
        attempts: 4,
        baseDelayMs: this.options.retryDelayMs ?? 250,
        maxDelayMs: 5_000,
        classify: error => {
          const status = statusOf(error);
          const headers = (error as { headers?: Record<string, string> })
            .headers;
          return {
            retry: status === 429 || (status !== undefined && status >= 500),
            retryAfterMs: parseRetryAfter(
              headers?.['retry-after'] ?? headers?.['Retry-After'],
            ),
          };
        },
      });
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): UpstreamError {
    const e = error as Error;
    if (e instanceof ResponseTooLargeError) {
      return this.error(
        `answered more than ${describeBytes(
          e.maxBytes,
        )} in one page of pods, the most this plugin reads (observabilityIr.limits.responseBytes.kubernetes)`,
      );
    }
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

  private async connect(): Promise<Connection> {
    const { cluster, maxBodyBytes } = this.options;
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
    // @kubernetes/client-node is ESM-only; load it on first use.
    const k8s = await import('@kubernetes/client-node');
    return {
      k8s,
      kubeConfig: kubeConfigFor(k8s, cluster, credential),
      http: cappedHttpLibrary(k8s, maxBodyBytes),
    };
  }

  private error(reason: string, status?: number, upstreamText?: string) {
    return new UpstreamError('kubernetes', this.options.cluster.name, reason, {
      status,
      upstreamText,
      secrets: this.secrets,
    });
  }
}
