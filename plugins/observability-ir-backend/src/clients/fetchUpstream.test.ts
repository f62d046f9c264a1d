import http from 'node:http';
import { AddressInfo } from 'node:net';
import { startStubServer } from '../__testUtils__/stubServer';
import { fetchUpstream } from './fetchUpstream';

const request = (url: string) => ({
  source: 'prometheus' as const,
  cluster: 'eu-west',
  url,
  timeoutMs: 5_000,
  maxBodyBytes: 1024 * 1024,
});

describe('fetchUpstream', () => {
  it('asks again after a short Retry-After, and gets the answer', async () => {
    let calls = 0;
    const stub = await startStubServer(() => {
      calls += 1;
      return calls === 1
        ? { status: 429, headers: { 'Retry-After': '1' }, body: 'slow down' }
        : { status: 200, body: { status: 'success' } };
    });
    try {
      const started = Date.now();
      const response = await fetchUpstream(request(stub.url));

      expect(response.status).toBe(200);
      expect(calls).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    } finally {
      await stub.close();
    }
  });

  it('fails at once, saying so, when the wait asked for is too long', async () => {
    const stub = await startStubServer(() => ({
      status: 429,
      headers: { 'Retry-After': '30' },
      body: 'too many outstanding requests',
    }));
    try {
      await expect(fetchUpstream(request(stub.url))).rejects.toThrow(
        'Prometheus of cluster eu-west: answered 429 Too Many Requests (asked to retry after 30 s): too many outstanding requests',
      );
      expect(stub.requests).toHaveLength(1);
    } finally {
      await stub.close();
    }
  });

  it('gives up after two retries of a 429', async () => {
    const stub = await startStubServer(() => ({
      status: 429,
      headers: { 'Retry-After': '0' },
      body: '',
    }));
    try {
      await expect(fetchUpstream(request(stub.url))).rejects.toThrow(
        'answered 429 Too Many Requests 3 times (asked to retry after 0 s)',
      );
      expect(stub.requests).toHaveLength(3);
    } finally {
      await stub.close();
    }
  });

  it('says a body was cut short when the connection drops mid-answer', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('{"status":"success","data":', () => res.destroy());
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        fetchUpstream(request(`http://127.0.0.1:${port}`)),
      ).rejects.toThrow(
        'Prometheus of cluster eu-west: answer cut short after 27B',
      );
    } finally {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });
});
