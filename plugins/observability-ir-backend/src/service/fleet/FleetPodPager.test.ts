import { startStubServer } from '../../__testUtils__/stubServer';
import { FleetPodPager } from './FleetPodPager';

// The Kubernetes client loads on first use, which takes seconds when cold.
jest.setTimeout(30_000);

const podList = (names: string[], metadata: Record<string, unknown> = {}) => ({
  kind: 'PodList',
  apiVersion: 'v1',
  metadata,
  items: names.map(name => ({
    metadata: { name, namespace: 'finance' },
    spec: { containers: [] },
  })),
});

function pager(url: string, pageSize = 2) {
  return new FleetPodPager({
    cluster: { name: 'prod', url, authMetadata: {}, skipTLSVerify: true },
    credential: async () => ({ type: 'bearer token', token: 'sa-token' }),
    timeoutMs: 5_000,
    maxBodyBytes: 1024 * 1024,
    pageSize,
    retryDelayMs: 1,
  });
}

async function collect(p: FleetPodPager) {
  const pages: string[][] = [];
  const gen = p.pages();
  let next = await gen.next();
  while (!next.done) {
    pages.push(next.value.pods.map(pod => pod.metadata!.name!));
    next = await gen.next();
  }
  return { pages, result: next.value };
}

describe('FleetPodPager', () => {
  it('reads every namespace page by page with the continue token', async () => {
    const stub = await startStubServer(request => {
      const token = request.params.get('continue');
      if (!token) {
        return {
          status: 200,
          body: podList(['a', 'b'], {
            continue: 'page-2',
            remainingItemCount: 1,
          }),
        };
      }
      return { status: 200, body: podList(['c']) };
    });
    try {
      const { pages, result } = await collect(pager(stub.url));
      expect(pages).toEqual([['a', 'b'], ['c']]);
      expect(result).toEqual({ truncated: false });
      expect(stub.requests.map(r => r.path)).toEqual([
        '/api/v1/pods',
        '/api/v1/pods',
      ]);
      expect(
        stub.requests.map(r => [
          r.params.get('limit'),
          r.params.get('continue'),
        ]),
      ).toEqual([
        ['2', null],
        ['2', 'page-2'],
      ]);
      expect(stub.requests[0].headers.authorization).toBe('Bearer sa-token');
    } finally {
      await stub.close();
    }
  });

  it('starts the list over once when the continue token has expired (410)', async () => {
    let expired = false;
    const stub = await startStubServer(request => {
      const token = request.params.get('continue');
      if (!token) {
        return { status: 200, body: podList(['a', 'b'], { continue: 'old' }) };
      }
      if (!expired) {
        expired = true;
        return {
          status: 410,
          body: {
            kind: 'Status',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
            message: 'The provided continue parameter is too old',
          },
        };
      }
      return { status: 200, body: podList(['c']) };
    });
    try {
      const { pages } = await collect(pager(stub.url));
      expect(pages).toEqual([['a', 'b'], ['a', 'b'], ['c']]);
      expect(stub.requests.map(r => r.params.get('continue'))).toEqual([
        null,
        'old',
        null,
        'old',
      ]);
    } finally {
      await stub.close();
    }
  });

  it('fails naming the cluster and what the API server said when it refuses', async () => {
    const stub = await startStubServer(() => ({
      status: 403,
      body: {
        kind: 'Status',
        code: 403,
        message:
          'pods is forbidden: User "system:serviceaccount:backstage:sa" cannot list resource "pods" at the cluster scope',
      },
    }));
    try {
      await expect(collect(pager(stub.url))).rejects.toThrow(
        /^Kubernetes API of cluster prod: answered 403: pods is forbidden/,
      );
    } finally {
      await stub.close();
    }
  });

  it('stops at the page limit and says the list was cut', async () => {
    let n = 0;
    const stub = await startStubServer(() => {
      n += 1;
      return {
        status: 200,
        body: podList([`p${n}`], { continue: `t${n}` }),
      };
    });
    try {
      const p = new FleetPodPager({
        cluster: { name: 'prod', url: stub.url, authMetadata: {} },
        credential: async () => ({ type: 'anonymous' }),
        timeoutMs: 5_000,
        maxBodyBytes: 1024 * 1024,
        pageSize: 1,
        maxPages: 3,
      });
      const { pages, result } = await collect(p);
      expect(pages).toHaveLength(3);
      expect(result).toEqual({ truncated: true });
    } finally {
      await stub.close();
    }
  });
});
