import { DiscoveryService } from '@backstage/backend-plugin-api';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the stand-in backend received. */
export interface ReceivedRequest {
  method: string;
  /** The path below the plugin's base URL: `/v1/diagnosis`. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body?: unknown;
}

/** An answer: a status and a JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

type Route = (request: ReceivedRequest) => Answer;

const BASE_PATH = '/api/observability-ir';

/**
 * A stand-in for the observability-ir backend on 127.0.0.1: answers each
 * `METHOD /path` as a test says (404 otherwise) and keeps what it received.
 */
export async function startObservabilityIrServer() {
  let routes: Record<string, Route> = {};
  const requests: ReceivedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url!, 'http://stand-in');
    const text = Buffer.concat(chunks).toString();
    const request: ReceivedRequest = {
      method: req.method!,
      path: url.pathname.slice(BASE_PATH.length),
      query: url.searchParams,
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const route = url.pathname.startsWith(BASE_PATH)
      ? routes[`${request.method} ${request.path}`]
      : undefined;
    const answer = route
      ? route(request)
      : {
          status: 404,
          body: { error: { name: 'NotFoundError', message: 'no such route' } },
        };
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body),
    );
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}${BASE_PATH}`;

  const discovery: DiscoveryService = {
    async getBaseUrl(pluginId) {
      if (pluginId !== 'observability-ir') {
        throw new Error(`unexpected plugin ${pluginId}`);
      }
      return baseUrl;
    },
    async getExternalBaseUrl() {
      return baseUrl;
    },
  };

  return {
    discovery,
    requests,
    /** Answers `METHOD /path` (e.g. `POST /v1/runbook/actions`) with a route. */
    answer(key: string, route: Route | Answer) {
      routes[key] = typeof route === 'function' ? route : () => route;
    },
    reset() {
      routes = {};
      requests.length = 0;
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
