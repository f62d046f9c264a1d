import type {
  ConfigurationOptions,
  HttpLibrary,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import type http from 'node:http';
import fetch from 'node-fetch';

type KubernetesModule = typeof import('@kubernetes/client-node');

/** Thrown when an answer of the Kubernetes API passes the byte cap. */
export class ResponseTooLargeError extends Error {
  readonly name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`answer larger than ${maxBytes} bytes`);
  }
}

/**
 * Thrown when the connection closed before the whole answer came (less
 * body than its `Content-Length`), which `node-fetch` alone would wait on
 * until the call's timeout.
 */
export class ResponseCutShortError extends Error {
  readonly name = 'ResponseCutShortError';
  constructor() {
    super('the connection closed before the whole answer came');
  }
}

/**
 * Calls `onCutShort` when an answer sent through `agent` ends before it is
 * complete. The client makes an agent for each call, so its request is
 * the one watched.
 */
function watchForCutShort(agent: unknown, onCutShort: () => void) {
  const target = agent as {
    addRequest?: (req: http.ClientRequest, options: unknown) => void;
  };
  const addRequest = target?.addRequest;
  if (typeof addRequest !== 'function') {
    return;
  }
  target.addRequest = function watched(req, options) {
    req.once('response', (res: http.IncomingMessage) => {
      res.once('close', () => {
        if (!res.complete) onCutShort();
      });
    });
    return addRequest.call(this, req, options);
  };
}

/**
 * The HTTP layer of `@kubernetes/client-node` (the same `node-fetch` call
 * as its default one, with the TLS agent the client configured), except
 * that a body larger than `maxBodyBytes` is refused: reading stops and the
 * connection is closed as soon as the cap is passed.
 */
export function cappedHttpLibrary(
  k8s: KubernetesModule,
  maxBodyBytes: number,
): HttpLibrary {
  return {
    send(request: RequestContext) {
      let cutShort = false;
      let body: { destroy?: (error?: Error) => void } | undefined;
      watchForCutShort(request.getAgent(), () => {
        cutShort = true;
        body?.destroy?.(new ResponseCutShortError());
      });
      const answer = fetch(request.getUrl(), {
        method: request.getHttpMethod().toString(),
        body: request.getBody() as any,
        headers: request.getHeaders(),
        signal: request.getSignal() as any,
        agent: request.getAgent(),
        size: maxBodyBytes,
      }).then((response): ResponseContext => {
        body = response.body as typeof body;
        if (cutShort) {
          body?.destroy?.(new ResponseCutShortError());
        }
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        const capped = <T>(read: Promise<T>) =>
          read.catch(error => {
            if ((error as { type?: string }).type === 'max-size') {
              (response.body as { destroy?: () => void }).destroy?.();
              throw new ResponseTooLargeError(maxBodyBytes);
            }
            if (cutShort && (error as Error).name !== 'AbortError') {
              throw new ResponseCutShortError();
            }
            throw error;
          });
        return new k8s.ResponseContext(response.status, headers, {
          text: () => capped(response.text()),
          binary: () => capped(response.buffer()),
        });
      });
      return new k8s.Observable(answer);
    },
  };
}

/**
 * Options for one call of `@kubernetes/client-node` that bound it: the
 * answer is read under `maxBodyBytes` and the call ends after `timeoutMs`
 * (the API server's own timeouts are far longer).
 */
export function boundedCallOptions(
  k8s: KubernetesModule,
  bounds: { maxBodyBytes: number; timeoutMs: number },
): ConfigurationOptions {
  return {
    httpApi: cappedHttpLibrary(k8s, bounds.maxBodyBytes),
    middleware: [
      {
        pre: context => {
          context.setSignal(AbortSignal.timeout(bounds.timeoutMs));
          return new k8s.Observable(Promise.resolve(context));
        },
        post: response => new k8s.Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
