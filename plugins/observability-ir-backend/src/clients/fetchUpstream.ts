import {
  describeBytes,
  EvidenceSource,
} from '@observability-ir/plugin-observability-ir-common';
import { parseRetryAfter } from './retry';
import { UpstreamError } from './UpstreamError';

/**
 * How often a 429 or 503 that says when to come back (`Retry-After`) is
 * asked again, and the longest wait honoured; a longer wait, or one past
 * the request's timeout, fails the request at once instead.
 */
export const RATE_LIMIT_RETRIES = 2;
export const MAX_RETRY_AFTER_MS = 2_000;

/** One request to an HTTP upstream. */
export interface UpstreamRequest {
  source: EvidenceSource;
  cluster: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent form-encoded, which keeps long queries out of the URL. */
  form?: URLSearchParams;
  timeoutMs: number;
  /** The most bytes of body read; a longer answer fails the request. */
  maxBodyBytes: number;
}

/** An upstream's answer, its body read whole within the byte cap. */
export interface UpstreamResponse {
  status: number;
  ok: boolean;
  statusText: string;
  body: string;
  /** The `Retry-After` header, when there was one. */
  retryAfter?: string;
}

function tooLarge(request: UpstreamRequest, status: number) {
  return new UpstreamError(
    request.source,
    request.cluster,
    `answered more than ${describeBytes(
      request.maxBodyBytes,
    )}, the most this plugin reads from one answer (observabilityIr.limits.responseBytes.${
      request.source
    }); narrow the range`,
    { status },
  );
}

/** A connection that failed, in words (the code alone for the rest). */
function connectionFailure(cause: { code?: string; message?: string }) {
  switch (cause.code) {
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case 'UND_ERR_SOCKET':
      return 'connection closed before the answer was complete';
    default:
      return cause.code ?? cause.message;
  }
}

/** Reads a body chunk by chunk, giving up as soon as it passes the cap. */
async function readCapped(
  response: Response,
  request: UpstreamRequest,
): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > request.maxBodyBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(request, response.status);
  }
  if (!response.body) {
    return '';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw error;
      }
      // The answer began, then the connection dropped: a body cut short.
      throw new UpstreamError(
        request.source,
        request.cluster,
        `answer cut short after ${describeBytes(bytes)}`,
        {
          status: response.status,
          upstreamText: connectionFailure(e.cause ?? e),
        },
      );
    }
    const { done, value } = next;
    if (done) break;
    bytes += value.byteLength;
    if (bytes > request.maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(request, response.status);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends a request to Prometheus or Loki: bounded by a timeout and a byte
 * cap on the answer, never following redirects (a redirect could lead
 * credentials elsewhere), and turning every failure into an
 * {@link UpstreamError} naming the source. A 429 or 503 with a short
 * `Retry-After` is asked again after that wait (twice at most, within the
 * timeout); a 429 still answered fails with the wait it asked for. Other
 * answers with status >= 400 are returned for the caller to read the
 * upstream's own error body.
 */
export async function fetchUpstream(
  request: UpstreamRequest,
): Promise<UpstreamResponse> {
  const deadline = Date.now() + request.timeoutMs;
  for (let retries = 0; ; retries++) {
    const response = await fetchOnce(request, deadline);
    if (response.status !== 429 && response.status !== 503) {
      return response;
    }
    const waitMs = parseRetryAfter(response.retryAfter);
    const honoured =
      waitMs !== undefined &&
      retries < RATE_LIMIT_RETRIES &&
      waitMs <= MAX_RETRY_AFTER_MS &&
      Date.now() + waitMs < deadline;
    if (honoured) {
      await new Promise(resolve => setTimeout(resolve, waitMs));
    } else if (response.status === 429) {
      throw new UpstreamError(
        request.source,
        request.cluster,
        `answered 429 Too Many Requests${
          retries ? ` ${retries + 1} times` : ''
        }${
          waitMs === undefined
            ? ''
            : ` (asked to retry after ${Math.ceil(waitMs / 1000)} s)`
        }`,
        {
          status: 429,
          upstreamText: response.body.slice(0, 1000),
          secrets: Object.values(request.headers ?? {}),
        },
      );
    } else {
      return response;
    }
  }
}

async function fetchOnce(
  request: UpstreamRequest,
  deadline: number,
): Promise<UpstreamResponse> {
  const { source, cluster, timeoutMs } = request;
  const secrets = Object.values(request.headers ?? {});
  try {
    const response = await fetch(request.url, {
      method: request.method ?? (request.form ? 'POST' : 'GET'),
      headers: {
        Accept: 'application/json',
        ...(request.form
          ? { 'Content-Type': 'application/x-www-form-urlencoded' }
          : {}),
        ...request.headers,
      },
      body: request.form?.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamError(
        source,
        cluster,
        `answered with a redirect (${response.status}), which is not followed; configure the final URL`,
        {
          status: response.status,
          upstreamText: `Location: ${
            response.headers.get('location') ?? 'none'
          }`,
          secrets,
        },
      );
    }
    return {
      status: response.status,
      ok: response.ok,
      statusText: response.statusText,
      body: await readCapped(response, request),
      retryAfter: response.headers.get('retry-after') ?? undefined,
    };
  } catch (error) {
    if (error instanceof UpstreamError) {
      throw error;
    }
    const e = error as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new UpstreamError(
        source,
        cluster,
        `no answer within ${timeoutMs / 1000} s`,
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UpstreamError(source, cluster, 'unreachable', {
      upstreamText: cause ? connectionFailure(cause) : e.message,
      secrets,
    });
  }
}

/** Parses a JSON body, or fails with an error naming the source. */
export function parseJsonBody<T>(
  response: UpstreamResponse,
  source: EvidenceSource,
  cluster: string,
): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new UpstreamError(
      source,
      cluster,
      `answered ${response.status} with a body that is not JSON`,
      { status: response.status, upstreamText: response.body.slice(0, 1000) },
    );
  }
}
