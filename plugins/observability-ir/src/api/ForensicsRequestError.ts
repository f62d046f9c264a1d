import { ResponseError } from '@backstage/errors';
import { describeDuration } from '@observability-ir/plugin-observability-ir-common';

/**
 * A refused or failed forensics request, with the backend's own message:
 * 403 (not allowed), 409 (a conflicting run), 429 (with the wait from
 * `Retry-After`), 503 (forensics is off), ...
 *
 * @public
 */
export class ForensicsRequestError extends Error {
  readonly name = 'ForensicsRequestError';

  constructor(
    message: string,
    readonly statusCode: number,
    /** For 429: how long to wait before asking again, when the backend said. */
    readonly retryAfterSeconds?: number,
    readonly cause?: Error,
  ) {
    super(message);
  }

  /** The backend turned the request down because forensics is off (or absent). */
  get unavailable(): boolean {
    return this.statusCode === 503 || this.statusCode === 404;
  }

  /** The error of a response that is not ok; consumes its body. */
  static async fromResponse(
    response: Response,
    now: number = Date.now(),
  ): Promise<ForensicsRequestError> {
    const error = await ResponseError.fromResponse(response);
    const said = error.body?.error?.message?.trim();
    const message = said || `${response.status} ${response.statusText}`.trim();
    if (response.status !== 429) {
      return new ForensicsRequestError(
        message,
        response.status,
        undefined,
        error,
      );
    }
    const wait = parseRetryAfter(response.headers.get('Retry-After'), now);
    const sentence = message.replace(/\.?$/, '.');
    return new ForensicsRequestError(
      wait === undefined
        ? `${sentence} Try again later.`
        : `${sentence} Try again in ${describeDuration(wait * 1000)}.`,
      429,
      wait,
      error,
    );
  }
}

/**
 * Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date.
 */
export function parseRetryAfter(
  header: string | null,
  now: number = Date.now(),
): number | undefined {
  if (!header) {
    return undefined;
  }
  const value = header.trim();
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  const at = Date.parse(value);
  return Number.isNaN(at)
    ? undefined
    : Math.max(0, Math.ceil((at - now) / 1000));
}
