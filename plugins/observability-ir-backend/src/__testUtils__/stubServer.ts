import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the stub received. */
export interface StubRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Query string and form body parameters together. */
  params: URLSearchParams;
}

/** What the stub answers; `undefined` leaves the request hanging. */
export type StubAnswer =
  | { status: number; headers?: Record<string, string>; body: unknown }
  | undefined;

/**
 * An HTTP server on 127.0.0.1 that answers as the test says, for faults a
 * real upstream cannot be made to produce on demand.
 */
export async function startStubServer(
  answer: (request: StubRequest) => StubAnswer | Promise<StubAnswer>,
) {
  const requests: StubRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url!, 'http://stub');
    const params = new URLSearchParams(url.searchParams);
    for (const [key, value] of new URLSearchParams(
      Buffer.concat(chunks).toString(),
    )) {
      params.append(key, value);
    }
    const request = {
      method: req.method!,
      path: url.pathname,
      headers: req.headers,
      params,
    };
    requests.push(request);
    const reply = await answer(request);
    if (!reply) return;
    const body =
      typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'Content-Type':
        typeof reply.body === 'string' ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(body);
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

/**
 * What a Prometheus or Loki with no data answers: an empty matrix, vector
 * or set of streams, by the path asked.
 */
export function emptyAnswer(upstream: StubRequest): StubAnswer {
  let data;
  if (upstream.path.startsWith('/loki')) {
    data = { resultType: 'streams', result: [] };
  } else if (upstream.path.endsWith('query_range')) {
    data = { resultType: 'matrix', result: [] };
  } else {
    data = { resultType: 'vector', result: [] };
  }
  return { status: 200, body: { status: 'success', data } };
}
