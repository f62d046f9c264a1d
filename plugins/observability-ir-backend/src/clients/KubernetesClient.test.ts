import http from 'node:http';
import { AddressInfo } from 'node:net';
import type {
  ClusterDetails,
  KubernetesCredential,
} from '@backstage/plugin-kubernetes-node';
import { KubernetesClient } from './KubernetesClient';
import { defaultClientLimits } from '../__testUtils__/fixtures';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function pod(name: string) {
  return {
    metadata: { name, namespace: 'finance' },
    spec: { containers: [{ name: 'checkout-api' }] },
  };
}

describe('KubernetesClient', () => {
  let server: http.Server;
  let handler: Handler;
  const requests: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url!);
      handler(req, res);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
  }, 60_000);
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
  });

  function client(
    overrides: Partial<ClusterDetails> = {},
    maxBodyBytes = defaultClientLimits('kubernetes').maxBodyBytes,
    credential: () => Promise<KubernetesCredential> = async () => ({
      type: 'bearer token',
      token: 'secret-token',
    }),
  ) {
    const { port } = server.address() as AddressInfo;
    return new KubernetesClient({
      ...defaultClientLimits('kubernetes'),
      maxBodyBytes,
      cluster: {
        name: 'sandbox',
        url: `http://127.0.0.1:${port}`,
        authMetadata: { 'kubernetes.io/auth-provider': 'serviceAccount' },
        ...overrides,
      },
      credential,
      timeoutMs: 500,
      retryDelayMs: 1,
    });
  }

  function json(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  it('stops reading a page larger than the byte cap, and says which limit', async () => {
    let written = 0;
    handler = (_req, res) => {
      // Chunked, no Content-Length: the cap must hold while streaming.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"PodList","metadata":{},"items":[');
      const chunk = `${JSON.stringify(pod('x'.repeat(60)))},`.repeat(200);
      const pump = () => {
        while (written < 8 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end(`${JSON.stringify(pod('last'))}]}`);
      };
      pump();
    };

    await expect(
      client({}, 256 * 1024).listPods({
        namespace: 'finance',
        labelSelector: 'app=checkout',
      }),
    ).rejects.toThrow(
      'Kubernetes API of cluster sandbox: answered more than 256Ki in one page, the most this plugin reads (observabilityIr.limits.responseBytes.kubernetes)',
    );
    expect(written).toBeLessThan(8 * 1024 * 1024);
  }, 30_000);

  it('says a page was cut short when the connection drops mid-answer, without waiting for the timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': '5000',
      });
      res.write('{"kind":"PodList","metadata":{},"items":[', () =>
        res.destroy(),
      );
    };

    const started = Date.now();
    await expect(
      client({}).listPods({ namespace: 'finance', labelSelector: 'app=x' }),
    ).rejects.toThrow(
      'Kubernetes API of cluster sandbox: answer cut short: the connection closed before the whole answer came',
    );
    // The client's timeout is 500 ms.
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('keeps the token out of an error the API server echoes', async () => {
    handler = (_req, res) =>
      json(res, 403, {
        kind: 'Status',
        status: 'Failure',
        message: 'token secret-token may not list pods in namespace finance',
        code: 403,
      });

    await expect(
      client().listPods({
        namespace: 'finance',
        labelSelector: 'app=checkout',
      }),
    ).rejects.toThrow(
      'Kubernetes API of cluster sandbox: answered 403: token [redacted] may not list pods in namespace finance',
    );
  });

  it('says "Unauthorized" for a 401, not the response headers', async () => {
    handler = (_req, res) => json(res, 401, {});

    await expect(
      client().listPods({
        namespace: 'finance',
        labelSelector: 'app=checkout',
      }),
    ).rejects.toThrow(
      /^Kubernetes API of cluster sandbox: answered 401: Unauthorized$/,
    );
  });

  it('follows continue tokens across pages, with the bearer token', async () => {
    const authorization: string[] = [];
    handler = (req, res) => {
      authorization.push(req.headers.authorization!);
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('continue') === 'page-2') {
        json(res, 200, { kind: 'PodList', metadata: {}, items: [pod('c')] });
      } else {
        json(res, 200, {
          kind: 'PodList',
          metadata: { continue: 'page-2' },
          items: [pod('a'), pod('b')],
        });
      }
    };

    const pods = await client().listPods({
      namespace: 'finance',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
    });

    expect(pods.map(p => p.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(requests).toHaveLength(2);
    const first = new URL(requests[0], 'http://x');
    expect(first.pathname).toBe('/api/v1/namespaces/finance/pods');
    expect(first.searchParams.get('labelSelector')).toBe(
      'backstage.io/kubernetes-id=checkout-api',
    );
    expect(first.searchParams.get('limit')).toBe('500');
    expect(authorization).toEqual([
      'Bearer secret-token',
      'Bearer secret-token',
    ]);
  });

  it('retries after a 429, honouring Retry-After, then succeeds', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(429, {
          'Content-Type': 'application/json',
          'Retry-After': '0',
        });
        res.end(
          JSON.stringify({
            kind: 'Status',
            status: 'Failure',
            reason: 'TooManyRequests',
            code: 429,
            message: 'too many requests, please try again later',
          }),
        );
      } else {
        json(res, 200, { kind: 'PodList', metadata: {}, items: [pod('a')] });
      }
    };

    const pods = await client().listPods({ labelSelector: 'app=checkout' });

    expect(pods).toHaveLength(1);
    expect(calls).toBe(2);
    expect(new URL(requests[0], 'http://x').pathname).toBe('/api/v1/pods');
  });

  it('does not retry a 403, and says what the API server said', async () => {
    handler = (_req, res) =>
      json(res, 403, {
        kind: 'Status',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message:
          'pods is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource "pods"',
      });

    await expect(
      client().listPods({ namespace: 'finance', labelSelector: 'app=x' }),
    ).rejects.toThrow(
      'Kubernetes API of cluster sandbox: answered 403: pods is forbidden',
    );
    expect(requests).toHaveLength(1);
  });

  it('gives up on an API server that does not answer in time', async () => {
    handler = () => {
      // never answers
    };

    await expect(
      client().listPods({ namespace: 'finance', labelSelector: 'app=x' }),
    ).rejects.toThrow(
      /Kubernetes API of cluster sandbox: no answer within 0.5 s/,
    );
  });

  it('reports a credential it cannot get, without calling the cluster', async () => {
    await expect(
      client({}, undefined, async () => {
        throw new Error('auth provider "google" gave no credential');
      }).listPods({
        labelSelector: 'app=x',
      }),
    ).rejects.toThrow(
      'Kubernetes API of cluster sandbox: cannot authenticate: auth provider "google" gave no credential',
    );
    expect(requests).toHaveLength(0);
  });

  it('reaches a plain-http API server without a credential (kubectl proxy)', async () => {
    const seen: Array<string | undefined> = [];
    handler = (req, res) => {
      seen.push(req.headers.authorization);
      json(res, 200, { kind: 'PodList', metadata: {}, items: [pod('a')] });
    };
    const pods = await client({}, undefined, async () => ({
      type: 'anonymous',
    })).listPods({ labelSelector: 'app=x' });
    expect(pods.map(p => p.metadata?.name)).toEqual(['a']);
    expect(seen).toEqual([undefined]);
  });
});
