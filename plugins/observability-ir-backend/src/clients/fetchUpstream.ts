import { EvidenceSource } from '@observability-ir/plugin-observability-ir-common';
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
}

/**
 * Sends a request to Prometheus or Loki: bounded by a timeout, never
 * following redirects (a redirect could lead credentials elsewhere), and
 * turning every failure into an {@link UpstreamError} naming the source.
 * Answers with status >= 400 are returned for the caller to read the
 * upstream's own error body.
 */
export async function fetchUpstream(request: UpstreamRequest) {
  const { source, cluster, timeoutMs } = request;
  let response: Response;
  try {
    response = await fetch(request.url, {
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
  } catch (error) {
    const e = error as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new UpstreamError(
        source,
        cluster,
        `no answer within ${timeoutMs / 1000} s`,
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UpstreamError(
      source,
      cluster,
      `unreachable (${cause?.code ?? cause?.message ?? e.message})`,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    throw new UpstreamError(
      source,
      cluster,
      `answered with a redirect (${response.status}) to ${
        response.headers.get('location') ?? 'nowhere'
      }, which is not followed; configure the final URL`,
      response.status,
    );
  }
  return response;
}

/** Reads a JSON body, or fails with an error naming the source. */
export async function readJson<T>(
  response: Response,
  source: EvidenceSource,
  cluster: string,
): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(
      source,
      cluster,
      `answered ${response.status} with a body that is not JSON: ${text.slice(
        0,
        200,
      )}`,
      response.status,
    );
  }
}
