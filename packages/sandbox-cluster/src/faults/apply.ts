import http from 'node:http';
import { ApiError } from '../kubernetes/status';
import { HttpRequest, HttpResponse, json, text } from '../server/types';
import {
  ActiveFault,
  FAULT_UPSTREAMS,
  FaultRegistry,
  FaultUpstream,
} from './registry';

const DEFAULT_OVERSIZE_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

const REASONS: Record<number, [string, string]> = {
  500: ['InternalError', 'Internal error occurred: injected fault'],
  502: ['InternalError', 'error trying to reach service: bad gateway'],
  503: [
    'ServiceUnavailable',
    'the server is currently unable to handle the request',
  ],
  504: [
    'Timeout',
    'Timeout: request did not complete within the allotted timeout',
  ],
};

/** A 5xx as the upstream itself words it. */
export function errorAnswer(
  upstream: FaultUpstream,
  status: number,
): HttpResponse {
  const [reason, message] = REASONS[status] ?? [
    'InternalError',
    `Internal error occurred: injected fault (${status})`,
  ];
  switch (upstream) {
    case 'kubernetes':
      return json(status, new ApiError(status, reason, message).toStatus());
    case 'prometheus':
      return json(status, {
        status: 'error',
        errorType: status === 503 ? 'unavailable' : 'internal',
        error: message,
      });
    case 'loki':
      // Loki answers errors as plain text.
      return text(
        status,
        `rpc error: code = ${
          status === 503 ? 'Unavailable' : 'Internal'
        } desc = ${message}\n`,
      );
    default:
      // Alertmanager's API v2 answers a JSON string.
      return json(status, message);
  }
}

/** A 429 as the upstream words it, with `Retry-After`. */
export function rateLimitAnswer(
  upstream: FaultUpstream,
  retryAfterSeconds: number,
): HttpResponse {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  const message = 'Too many requests, please try again later.';
  let answer: HttpResponse;
  switch (upstream) {
    case 'kubernetes':
      answer = json(
        429,
        new ApiError(429, 'TooManyRequests', message, {
          retryAfterSeconds,
        }).toStatus(),
      );
      break;
    case 'prometheus':
      answer = json(429, {
        status: 'error',
        errorType: 'too_many_requests',
        error: message,
      });
      break;
    case 'loki':
      answer = text(429, 'too many outstanding requests\n');
      break;
    default:
      answer = json(429, message);
  }
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

/** The raw exchange a fault may take over. */
export interface FaultExchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  request: HttpRequest;
  upstream: FaultUpstream;
  cluster: string;
}

/** Whether a request asks for a stream: a watch or a followed log. */
export function isStreamRequest(request: HttpRequest): boolean {
  const q = request.query;
  return (
    q.get('watch') === 'true' ||
    q.get('watch') === '1' ||
    q.get('follow') === 'true'
  );
}

/** The upstream names of the sandbox's routes. */
export function upstreamOf(api: string): FaultUpstream {
  return api === 'k8s'
    ? 'kubernetes'
    : FAULT_UPSTREAMS.find(u => u === api) ?? 'kubernetes';
}

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** What the server does after consulting the faults. */
export interface FaultOutcome {
  /** The fault answered (or dropped) the request itself. */
  handled: boolean;
  /**
   * Sends the normal answer through the fault (cut or blown up); false
   * when the server should send it as usual.
   */
  send(response: HttpResponse): boolean;
}

const untouched: FaultOutcome = { handled: false, send: () => false };

/**
 * Applies the faults in force to one routed request: waits out a latency,
 * then answers an error, drops the connection, stalls a watch, or lets the
 * server build the answer and mangles it on the way out.
 */
export async function applyFaults(
  faults: FaultRegistry,
  exchange: FaultExchange,
): Promise<FaultOutcome> {
  const { req, res, request, upstream, cluster } = exchange;
  const { latencyMs, fault } = faults.strike(
    { upstream, cluster },
    upstream === 'kubernetes' && isStreamRequest(request),
  );
  if (latencyMs > 0) {
    await sleep(latencyMs);
    // The request itself has ended (its body was read): look at the socket.
    if (req.socket.destroyed || res.destroyed) {
      return { handled: true, send: () => true };
    }
  }
  if (!fault) {
    return untouched;
  }
  const answer = (response: HttpResponse) => {
    const body = response.body ?? '';
    res.writeHead(response.status, {
      'Content-Length': String(Buffer.byteLength(body)),
      ...response.headers,
    });
    res.end(body);
    return { handled: true, send: () => true };
  };
  switch (fault.kind) {
    case 'error':
      return answer(errorAnswer(upstream, fault.status ?? 500));
    case 'rate-limit':
      return answer(rateLimitAnswer(upstream, fault.retryAfterSeconds ?? 1));
    case 'reset':
      req.socket.resetAndDestroy();
      return { handled: true, send: () => true };
    case 'unreachable':
      req.socket.destroy();
      return { handled: true, send: () => true };
    case 'stall-watch':
      stall(faults, res);
      return { handled: true, send: () => true };
    case 'truncate':
      return { handled: false, send: r => truncate(fault, res, r) };
    case 'oversize':
      return { handled: false, send: r => oversize(fault, upstream, res, r) };
    default:
      return untouched;
  }
}

/** Accepts the stream, then sends nothing until the faults are cleared. */
function stall(faults: FaultRegistry, res: http.ServerResponse) {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const stop = faults.onClear(() => res.end());
  res.on('close', stop);
}

/** Declares the whole body, sends part of it, and drops the connection. */
function truncate(
  fault: ActiveFault,
  res: http.ServerResponse,
  response: HttpResponse,
): boolean {
  if (response.stream) {
    return false;
  }
  const body = Buffer.from(response.body ?? '');
  const kept = body.subarray(0, Math.floor(body.length * (fault.keep ?? 0.5)));
  res.writeHead(response.status, {
    ...response.headers,
    'Content-Length': String(body.length),
  });
  res.write(kept, () => {
    fault.bytesSent += kept.length;
    res.destroy();
  });
  return true;
}

/**
 * A 200 whose body runs to the fault's size: the real answer's opening,
 * then filler inside a JSON string, streamed with back-pressure and no
 * declared length, so only a reader's own cap stops it. Nothing is held
 * here beyond one chunk.
 */
function oversize(
  fault: ActiveFault,
  upstream: FaultUpstream,
  res: http.ServerResponse,
  response: HttpResponse,
): boolean {
  if (response.stream || response.status !== 200) {
    return false;
  }
  const total = fault.bytes ?? DEFAULT_OVERSIZE_BYTES;
  const head =
    upstream === 'loki' || upstream === 'prometheus'
      ? '{"status":"success","data":{"resultType":"matrix","result":[],"padding":"'
      : '{"kind":"List","apiVersion":"v1","metadata":{},"items":[],"padding":"';
  const tail = '"}}';
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const filler = Buffer.alloc(CHUNK_BYTES, 'x');
  let sent = 0;
  const pump = () => {
    while (!res.destroyed) {
      let chunk: Buffer;
      if (sent === 0) {
        chunk = Buffer.from(head);
      } else if (sent + CHUNK_BYTES + tail.length < total) {
        chunk = filler;
      } else {
        const last = Math.max(0, total - sent - tail.length);
        res.end(Buffer.concat([filler.subarray(0, last), Buffer.from(tail)]));
        fault.bytesSent += last + tail.length;
        return;
      }
      sent += chunk.length;
      fault.bytesSent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return true;
}
