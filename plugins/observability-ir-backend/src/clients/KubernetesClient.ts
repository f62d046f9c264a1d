import type {
  ConfigurationOptions,
  CoreV1Api,
  CoreV1Event,
  CustomObjectsApi,
  V1Node,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { describeBytes } from '@observability-ir/plugin-observability-ir-common';
import type { Limit } from 'p-limit';
import {
  boundedCallOptions,
  ResponseCutShortError,
  ResponseTooLargeError,
} from './kubernetesHttpLibrary';
import { kubeConfigFor } from './kubeConfig';
import { parseRetryAfter, withRetries } from './retry';
import { UpstreamError } from './UpstreamError';

/** Objects per page of a list; the API server's own default is unbounded. */
const PAGE_SIZE = 500;
/** At most this many pages per list, so one entity cannot exhaust memory. */
const MAX_PAGES = 40;

interface PageOfList<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** The HTTP status of a failed call of the client, when it got one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function retryAfterOf(error: unknown): string | undefined {
  const headers = (error as { headers?: Record<string, string> }).headers;
  return headers?.['retry-after'] ?? headers?.['Retry-After'];
}

/** What the API server said: a `Status` message, or the error's own. */
export function upstreamTextOf(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not a Status object
    }
  }
  const e = error as Error & { cause?: { code?: string }; code?: unknown };
  // The client's ApiException without a body: its message also dumps the
  // response headers; its "Message:" line is the part worth showing.
  const apiMessage = /^HTTP-Code: \d+\s+Message: ([^\n]*)/.exec(e.message);
  return (
    apiMessage?.[1] ??
    e.cause?.code ??
    (typeof e.code === 'string' ? e.code : undefined) ??
    e.message
  );
}

/** What never shows in a message: the token or private key of a credential. */
export function secretsOf(
  credential: KubernetesCredential | undefined,
): string[] {
  if (credential?.type === 'bearer token') return [credential.token];
  if (credential?.type === 'x509 client certificate') return [credential.key];
  return [];
}

/**
 * Reads one cluster's pods, events and nodes through `@kubernetes/client-node`,
 * with the credential of one request (asked for on the first read).
 * Lists are paginated with `limit`/`continue`; reads are retried on 429 and
 * 5xx, honouring `Retry-After`.
 */
export class KubernetesClient {
  private connection?: Promise<{
    api: CoreV1Api;
    custom: CustomObjectsApi;
    callOptions: ConfigurationOptions;
  }>;
  private secrets: string[] = [];

  constructor(
    private readonly options: {
      cluster: ClusterDetails;
      /**
       * The credential to send; failing with a message that says what is
       * missing when there is none.
       */
      credential: () => Promise<KubernetesCredential>;
      timeoutMs: number;
      /** The most bytes read from one answer (one page of a list). */
      maxBodyBytes: number;
      /** Shared by every request to this API server. */
      concurrency: Limit;
      /** Injected by tests to keep retries fast. */
      retryDelayMs?: number;
    },
  ) {}

  /** Pods matching a label selector, in one namespace or in all. */
  async listPods(selector: {
    namespace?: string;
    labelSelector: string;
  }): Promise<V1Pod[]> {
    const { api, callOptions } = await this.connect();
    return this.listAll(continueToken =>
      selector.namespace
        ? api.listNamespacedPod(
            {
              namespace: selector.namespace,
              labelSelector: selector.labelSelector,
              limit: PAGE_SIZE,
              _continue: continueToken,
            },
            callOptions,
          )
        : api.listPodForAllNamespaces(
            {
              labelSelector: selector.labelSelector,
              limit: PAGE_SIZE,
              _continue: continueToken,
            },
            callOptions,
          ),
    );
  }

  /** Events about one object kind in a namespace, e.g. its pods. */
  async listEvents(
    namespace: string,
    fieldSelector: string,
  ): Promise<CoreV1Event[]> {
    const { api, callOptions } = await this.connect();
    return this.listAll(continueToken =>
      api.listNamespacedEvent(
        {
          namespace,
          fieldSelector,
          limit: PAGE_SIZE,
          _continue: continueToken,
        },
        callOptions,
      ),
    );
  }

  /** The Services of one namespace. */
  async listServices(namespace: string): Promise<V1Service[]> {
    const { api, callOptions } = await this.connect();
    return this.listAll(continueToken =>
      api.listNamespacedService(
        { namespace, limit: PAGE_SIZE, _continue: continueToken },
        callOptions,
      ),
    );
  }

  /**
   * Custom objects of one kind in every namespace, e.g. the Prometheus
   * Operator's ServiceMonitors; fails with status 404 where the kind's
   * CustomResourceDefinition is not installed.
   */
  async listCustomObjects(kind: {
    group: string;
    version: string;
    plural: string;
  }): Promise<Array<Record<string, any>>> {
    const { custom, callOptions } = await this.connect();
    return this.listAll(
      continueToken =>
        custom.listClusterCustomObject(
          { ...kind, limit: PAGE_SIZE, _continue: continueToken },
          callOptions,
        ) as Promise<PageOfList<Record<string, any>>>,
    );
  }

  /**
   * `GET /api/v1/namespaces/{namespace}/pods/{pod}/log`: a container's log
   * as plain text. A refusal (e.g. 400 when `previous` asks for an
   * instance that does not exist) is an {@link UpstreamError} with the
   * status and the API server's message; it is not retried.
   */
  async readPodLog(
    namespace: string,
    pod: string,
    options: {
      container?: string;
      previous?: boolean;
      timestamps?: boolean;
      tailLines?: number;
      limitBytes?: number;
    },
  ): Promise<string> {
    const { api, callOptions } = await this.connect();
    return this.read(() =>
      api.readNamespacedPodLog(
        { namespace, name: pod, ...options },
        callOptions,
      ),
    );
  }

  async readNode(name: string): Promise<V1Node> {
    const { api, callOptions } = await this.connect();
    return this.read(() => api.readNode({ name }, callOptions));
  }

  private async listAll<T>(
    page: (continueToken?: string) => Promise<PageOfList<T>>,
  ): Promise<T[]> {
    const items: T[] = [];
    let continueToken: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const token = continueToken;
      const result = await this.read(() => page(token));
      items.push(...result.items);
      continueToken = result.metadata?._continue || undefined;
      if (!continueToken) {
        return items;
      }
    }
    throw this.error(
      `more than ${
        PAGE_SIZE * MAX_PAGES
      } objects match; narrow the entity's label selector`,
    );
  }

  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(() => this.options.concurrency(call), {
        attempts: 4,
        baseDelayMs: this.options.retryDelayMs ?? 250,
        maxDelayMs: 5_000,
        // Retries end with the time a single read may take.
        budgetMs: this.options.timeoutMs,
        classify: error => {
          const status = statusOf(error);
          return {
            retry: status === 429 || (status !== undefined && status >= 500),
            retryAfterMs: parseRetryAfter(retryAfterOf(error)),
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
        )} in one page, the most this plugin reads (observabilityIr.limits.responseBytes.kubernetes)`,
      );
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return this.error(`no answer within ${this.options.timeoutMs / 1000} s`);
    }
    if (e instanceof ResponseCutShortError) {
      return this.error(`answer cut short: ${e.message}`);
    }
    const status = statusOf(error);
    return this.error(
      status ? `answered ${status}` : 'unreachable',
      status,
      upstreamTextOf(error),
    );
  }

  private connect() {
    // @kubernetes/client-node is ESM-only; load it on first use.
    this.connection ??= (async () => {
      const { cluster, timeoutMs } = this.options;
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
      const kubeConfig = kubeConfigFor(k8s, cluster, credential);
      const callOptions = boundedCallOptions(k8s, {
        maxBodyBytes: this.options.maxBodyBytes,
        timeoutMs,
      });
      return {
        api: kubeConfig.makeApiClient(k8s.CoreV1Api),
        custom: kubeConfig.makeApiClient(k8s.CustomObjectsApi),
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
