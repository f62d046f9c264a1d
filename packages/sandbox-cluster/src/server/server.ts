import http from 'node:http';
import { AddressInfo } from 'node:net';
import { World } from '../world/world';
import { ClusterWorld } from '../world/cluster';
import { handleKubernetes } from '../kubernetes/router';
import { handlePrometheus } from '../prometheus/api';
import { handleLoki } from '../loki/api';
import { handleAlertmanager } from '../alerting/alertmanager';
import { ADMIN_PREFIX, handleAdmin, isLoopback } from './admin';
import {
  applyFaults,
  FaultRegistry,
  FAULTS_PATH,
  handleFaultsAdmin,
  upstreamOf,
} from '../faults';
import { RequestLog } from './requestLog';
import { HttpRequest, HttpResponse, json } from './types';

/** Options of the sandbox HTTP server. */
export interface ServerOptions {
  host: string;
  port: number;
  /** Require this bearer token on the Kubernetes API. */
  token?: string;
  /** Per cluster name, the token its Kubernetes API requires instead. */
  tokens?: Record<string, string>;
  /** The faults injected into the cluster APIs; none when not given. */
  faults?: FaultRegistry;
  /** Where every API request is recorded; a new log when not given. */
  requestLog?: RequestLog;
}

const PROMETHEUS_PATHS =
  /^\/api\/v1\/(query|query_range|series|labels|label\/[^/]+\/values|targets|alerts|rules|status\/[a-z]+|metadata|format_query|query_exemplars)$|^\/-\/(ready|healthy)$/;

type Api = 'k8s' | 'prometheus' | 'loki' | 'alertmanager';

/** Decides which API and cluster a path belongs to. */
export function routePath(
  world: World,
  path: string,
):
  | { api: Api; cluster: ClusterWorld; rest: string; prefix: string }
  | undefined {
  const prefixed =
    /^\/clusters\/([^/]+)\/(k8s|prometheus|loki|alertmanager)(\/.*)?$/.exec(
      path,
    );
  if (prefixed) {
    const cluster = world.cluster(decodeURIComponent(prefixed[1]));
    if (!cluster) {
      return undefined;
    }
    const api = prefixed[2] as Api;
    const rest = prefixed[3] ?? '/';
    return { api, cluster, rest, prefix: `/clusters/${prefixed[1]}/${api}` };
  }
  const cluster = world.defaultCluster;
  if (path.startsWith('/loki/')) {
    return { api: 'loki', cluster, rest: path, prefix: '' };
  }
  if (path === '/api/v2' || path.startsWith('/api/v2/')) {
    return { api: 'alertmanager', cluster, rest: path, prefix: '' };
  }
  if (PROMETHEUS_PATHS.test(path)) {
    return { api: 'prometheus', cluster, rest: path, prefix: '' };
  }
  return { api: 'k8s', cluster, rest: path, prefix: '' };
}

function index(world: World, baseUrl: string): HttpResponse {
  return json(200, {
    scenario: world.scenario.name,
    description: world.scenario.description,
    now: new Date(world.clock.now()).toISOString(),
    clusters: world.clusters.map(c => ({
      name: c.name,
      kubernetes: `${baseUrl}/clusters/${c.name}/k8s`,
      prometheus: `${baseUrl}/clusters/${c.name}/prometheus`,
      loki: `${baseUrl}/clusters/${c.name}/loki`,
      alertmanager: `${baseUrl}/clusters/${c.name}/alertmanager`,
    })),
  });
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Sends a response. A streamed one (a watch, a followed log) registers in
 * `openStreams` how to end it, until it ends.
 */
function send(
  res: http.ServerResponse,
  req: http.IncomingMessage,
  response: HttpResponse,
  openStreams?: Map<http.ServerResponse, () => void>,
) {
  if (response.stream) {
    res.writeHead(response.status, response.headers);
    let ended = false;
    const listeners: Array<() => void> = [];
    const close = () => {
      if (!ended) {
        ended = true;
        openStreams?.delete(res);
        listeners.forEach(l => l());
      }
    };
    const end = () => {
      if (!ended) {
        res.end();
        close();
      }
    };
    openStreams?.set(res, end);
    req.on('close', close);
    res.on('close', close);
    response.stream({
      write: chunk => {
        if (!ended) res.write(chunk);
      },
      end,
      onClose: l => listeners.push(l),
    });
    return;
  }
  const body = response.body ?? '';
  res.writeHead(response.status, {
    'Content-Length': Buffer.byteLength(body),
    ...response.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A running sandbox HTTP server. */
export interface RunningServer {
  server: http.Server;
  url: string;
  /** Every request the cluster APIs received. */
  requestLog: RequestLog;
  close(): Promise<void>;
}

/** Starts the HTTP server serving every cluster's APIs. */
export async function startServer(
  world: World,
  options: ServerOptions,
): Promise<RunningServer> {
  const sockets = new Set<import('node:net').Socket>();
  const openStreams = new Map<http.ServerResponse, () => void>();
  const faults = options.faults ?? new FaultRegistry();
  const requestLog = options.requestLog ?? new RequestLog();
  // After a reset, watches and followed logs would go on reading the old
  // clusters: end them, as a restarted API server does, and clients watch
  // again from the new state.
  const adminHooks = {
    onReset: () => [...openStreams.values()].forEach(end => end()),
  };
  let baseUrl = '';
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const body = await readBody(req);
      if (url.pathname === '/' || url.pathname === '/clusters') {
        send(res, req, index(world, baseUrl));
        return;
      }
      if (url.pathname === FAULTS_PATH) {
        send(
          res,
          req,
          isLoopback(req.socket.remoteAddress)
            ? handleFaultsAdmin(faults, {
                method: req.method ?? 'GET',
                path: url.pathname,
                query: url.searchParams,
                headers: req.headers,
                body,
                baseUrl,
              })
            : json(403, {
                error: 'the sandbox endpoints answer only loopback',
              }),
        );
        return;
      }
      if (url.pathname.startsWith(ADMIN_PREFIX)) {
        const admin = isLoopback(req.socket.remoteAddress)
          ? handleAdmin(
              world,
              {
                method: req.method ?? 'GET',
                path: url.pathname,
                query: url.searchParams,
                headers: req.headers,
                body,
                baseUrl,
              },
              adminHooks,
              requestLog,
            )
          : json(403, { error: 'the sandbox endpoints answer only loopback' });
        send(res, req, admin);
        return;
      }
      const route = routePath(world, url.pathname);
      if (!route) {
        send(res, req, {
          status: 404,
          headers: { 'Content-Type': 'text/plain' },
          body: '404 page not found\n',
        });
        return;
      }
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path: route.rest,
        query: url.searchParams,
        headers: req.headers,
        body,
        baseUrl: `${baseUrl}${route.prefix}`,
      };
      requestLog.record(route.api, route.cluster.name, request);
      const fault = await applyFaults(faults, {
        req,
        res,
        request,
        upstream: upstreamOf(route.api),
        cluster: route.cluster.name,
      });
      if (fault.handled) {
        return;
      }
      let response: HttpResponse;
      if (route.api === 'k8s') {
        response = handleKubernetes(route.cluster, request, {
          token: options.tokens?.[route.cluster.name] ?? options.token,
        });
      } else if (route.api === 'prometheus') {
        response = handlePrometheus(world, route.cluster, request);
      } else if (route.api === 'alertmanager') {
        // Alerts link to their Prometheus's graph page, whichever path
        // Alertmanager is read at.
        response = handleAlertmanager(
          route.cluster,
          request,
          `${baseUrl}/clusters/${route.cluster.name}/prometheus`,
        );
      } else {
        response = handleLoki(route.cluster, request);
      }
      if (!fault.send(response)) {
        send(res, req, response, openStreams);
      }
    } catch (e) {
      send(res, req, {
        status: 500,
        headers: { 'Content-Type': 'text/plain' },
        body: `internal error: ${(e as Error).stack ?? e}\n`,
      });
    }
  });
  // Idle kept-alive connections stay open 90 s, as the Kubernetes API
  // server's do (Node closes them after 5 s: a client reusing one just
  // then would see its request reset).
  server.keepAliveTimeout = 90_000;
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  return {
    server,
    url: baseUrl,
    requestLog,
    close: () =>
      new Promise<void>(resolve => {
        faults.clear();
        for (const s of sockets) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
