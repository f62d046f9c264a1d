import { IncomingHttpHeaders } from 'node:http';

/** A request as the API handlers see it (path relative to their root). */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The externally visible base URL of this handler's root. */
  baseUrl: string;
}

/** Writes a streamed response until done or the client goes away. */
export type StreamWriter = (io: {
  write(chunk: string): void;
  end(): void;
  onClose(listener: () => void): void;
}) => void;

/** A response from an API handler. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  stream?: StreamWriter;
}

/** JSON response helper. */
export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

/** Plain text response helper. */
export function text(status: number, value: string): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: value,
  };
}
