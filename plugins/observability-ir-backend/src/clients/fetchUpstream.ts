import {
  describeBytes,
  EvidenceSource,
} from '@observability-ir/plugin-observability-ir-common';
import { UpstreamError } from './UpstreamError';

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
    const { done, value } = await reader.read();
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
 * {@link UpstreamError} naming the source. Answers with status >= 400 are
 * returned for the caller to read the upstream's own error body.
 */
export async function fetchUpstream(
  request: UpstreamRequest,
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
      signal: AbortSignal.timeout(timeoutMs),
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
      upstreamText: cause?.code ?? cause?.message ?? e.message,
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
