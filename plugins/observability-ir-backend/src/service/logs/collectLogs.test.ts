import type { V1Pod } from '@kubernetes/client-node';
import {
  rangeBetween,
  testConnection,
} from '../../__testUtils__/clusterConnections';
import { deploymentPod } from '../../__testUtils__/kubernetesObjects';
import {
  fullyMatches,
  ParsedMatcher,
  readQuery,
} from '../../__testUtils__/queries/queryTree';
import {
  startStubServer,
  StubAnswer,
  StubRequest,
} from '../../__testUtils__/stubServer';
import { ClusterConnection } from '../fanout/ClusterConnections';
import { locatePods } from '../fanout/locatePods';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { collectLogs } from './collectLogs';

const START = '2026-11-25T13:05:00Z';
const END = '2026-11-25T14:05:00Z';
const range = rangeBetween(START, END);
const START_MS = Date.parse(START);

const workload: ResolvedWorkload = {
  entityRef: 'component:default/checkout-api',
  kubernetesId: 'checkout-api',
  labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  namespace: 'finance',
};

const abc = deploymentPod('finance', 'checkout-api', 'abcde');
const xyz = deploymentPod('finance', 'checkout-api', 'fghij');
const payments = deploymentPod('finance', 'payments', 'abcde');
const nameOf = (pod: V1Pod) => pod.metadata!.name!;

const OOM = (ms: number) =>
  `${new Date(
    ms,
  ).toISOString()} ERROR 1 --- [ main] c.e.Catalog : java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n\tat com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)`;
const TIMEOUT = (ms: number) =>
  `${new Date(
    ms,
  ).toISOString()} ERROR 1 --- [nio-8080-exec-3] c.e.PaymentClient : Payment gateway timed out after 5000ms`;

/** A log stream a stub Loki holds: its labels and `[ms, line]` entries. */
interface HeldStream {
  labels: Record<string, string>;
  entries: Array<[number, string]>;
}

function stream(
  pod: V1Pod,
  entries: Array<[number, string]>,
  extra: Record<string, string> = {},
): HeldStream {
  return {
    labels: {
      namespace: pod.metadata!.namespace!,
      pod: nameOf(pod),
      container: 'checkout-api',
      ...extra,
    },
    entries,
  };
}

function selects(labels: Record<string, string>, matcher: ParsedMatcher) {
  const value = labels[matcher.name] ?? '';
  if (matcher.op === '=') return value === matcher.value;
  if (matcher.op === '!=') return value !== matcher.value;
  if (matcher.op === '=~') return fullyMatches(matcher.value, value);
  return !fullyMatches(matcher.value, value);
}

/**
 * How a Loki holding these streams answers a log query: the streams its
 * selector picks, newest entries first up to the limit. (Every held line
 * is an error line; the line filter is not evaluated.)
 */
function lokiHolding(held: HeldStream[], warnings: string[] = []) {
  return (_cluster: string, request: StubRequest): StubAnswer => {
    const [selector] = readQuery(
      request.params.get('query')!,
      'logql',
    ).selectors;
    const picked = held.filter(s =>
      selector.matchers.every(m => selects(s.labels, m)),
    );
    const limit = Number(request.params.get('limit'));
    const newest = picked
      .flatMap(s => s.entries.map(([ms, line]) => ({ s, ms, line })))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, limit);
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'streams',
          result: picked
            .map(s => ({
              stream: s.labels,
              values: newest
                .filter(e => e.s === s)
                .map(e => [`${BigInt(e.ms) * 1_000_000n}`, e.line]),
            }))
            .filter(s => s.values.length > 0),
        },
        ...(warnings.length ? { warnings } : {}),
      },
    };
  };
}

describe('collectLogs', () => {
  let loki: Awaited<ReturnType<typeof startStubServer>>;
  /** How each cluster's Loki answers; the path starts with the cluster. */
  let answer: (cluster: string, request: StubRequest) => StubAnswer;

  beforeAll(async () => {
    loki = await startStubServer(request =>
      answer(request.path.split('/')[1], request),
    );
  }, 30_000);
  afterAll(() => loki.close());
  beforeEach(() => {
    loki.requests.length = 0;
    answer = lokiHolding([]);
  });

  function cluster(
    name: string,
    pods: V1Pod[],
    withLoki = true,
  ): ClusterConnection {
    return testConnection({
      name,
      ...(withLoki ? { lokiUrl: `${loki.url}/${name}` } : {}),
      kubernetes: { listPods: async () => pods },
    });
  }

  const locate = (...connections: ClusterConnection[]) =>
    Promise.all(connections.map(c => locatePods(c, workload, 20)));

  const minute = (n: number) => START_MS + n * 60_000;

  it('groups the same error across pods, oldest entry first, each with its pod and container', async () => {
    answer = lokiHolding([
      stream(abc, [
        [minute(1), OOM(minute(1))],
        [minute(40), OOM(minute(40))],
      ]),
      stream(xyz, [
        [minute(20), OOM(minute(20))],
        [minute(30), TIMEOUT(minute(30))],
      ]),
    ]);

    const collected = await collectLogs(
      await locate(cluster('eu', [abc, xyz])),
      range,
      { maxLines: 1000 },
    );

    expect(collected.entries.map(e => [e.timeMs, e.pod, e.container])).toEqual([
      [minute(1), nameOf(abc), 'checkout-api'],
      [minute(20), nameOf(xyz), 'checkout-api'],
      [minute(30), nameOf(xyz), 'checkout-api'],
      [minute(40), nameOf(abc), 'checkout-api'],
    ]);
    expect(
      collected.groups.map(g => [g.signature, g.count, g.pods, g.firstSeen]),
    ).toEqual([
      [
        'java.lang.OutOfMemoryError: Java heap space',
        3,
        [nameOf(abc), nameOf(xyz)],
        new Date(minute(1)).toISOString(),
      ],
      [
        expect.stringContaining('Payment gateway timed out'),
        1,
        [nameOf(xyz)],
        new Date(minute(30)).toISOString(),
      ],
    ]);
    const [oom] = collected.groups;
    expect(oom.histogram.reduce((a, b) => a + b, 0)).toBe(3);
    expect(oom.sample).toMatchObject({
      cluster: 'eu',
      pod: nameOf(abc),
      container: 'checkout-api',
      stackTrace: expect.arrayContaining([
        '\tat com.example.checkoutapi.catalog.CatalogCache.load(CatalogCache.java:88)',
      ]),
    });
    expect(collected.truncated).toBe(false);
    expect(collected.sources).toEqual([
      { cluster: 'eu', source: 'loki', status: 'ok' },
    ]);
  });

  it("reads the located pods' error lines over the range, newest first up to the line limit, and lists the query it ran", async () => {
    answer = lokiHolding([
      stream(abc, [[minute(1), OOM(minute(1))]]),
      stream(payments, [[minute(2), OOM(minute(2))]]),
    ]);

    const collected = await collectLogs(
      await locate(cluster('eu', [abc, xyz])),
      range,
      { maxLines: 700 },
    );

    expect(loki.requests).toHaveLength(1);
    const [request] = loki.requests;
    expect(request.path).toBe('/eu/loki/api/v1/query_range');
    expect(request.params.get('start')).toBe(
      `${BigInt(range.startSeconds) * 1_000_000_000n}`,
    );
    expect(request.params.get('end')).toBe(
      `${BigInt(range.endSeconds) * 1_000_000_000n}`,
    );
    expect(request.params.get('limit')).toBe('700');
    expect(request.params.get('direction')).toBe('backward');
    const query = readQuery(request.params.get('query')!, 'logql');
    const [selector] = query.selectors;
    expect(selector.matchers).toContainEqual({
      name: 'namespace',
      op: '=',
      value: 'finance',
    });
    const pod = selector.matchers.find(m => m.name === 'pod')!;
    expect(fullyMatches(pod.value, nameOf(abc))).toBe(true);
    expect(fullyMatches(pod.value, nameOf(payments))).toBe(false);
    expect(query.lineFilters).toHaveLength(1);

    expect(collected.entries.map(e => e.pod)).toEqual([nameOf(abc)]);
    expect(collected.queries).toEqual([
      {
        name: 'error lines',
        cluster: 'eu',
        query: request.params.get('query'),
      },
    ]);
  });

  it('says the lines were cut when Loki returns as many as asked for', async () => {
    answer = lokiHolding([
      stream(
        abc,
        [1, 2, 3, 4].map(n => [minute(n), OOM(minute(n))]),
      ),
    ]);
    const located = await locate(cluster('eu', [abc]));

    const cut = await collectLogs(located, range, { maxLines: 3 });
    const whole = await collectLogs(located, range, { maxLines: 5 });

    expect(cut.truncated).toBe(true);
    // The newest lines are the ones kept.
    expect(cut.entries.map(e => e.timeMs)).toEqual([
      minute(2),
      minute(3),
      minute(4),
    ]);
    expect(whole.truncated).toBe(false);
    expect(whole.groups[0].count).toBe(4);
  });

  it('narrows the query with the custom selector annotation, on top of the scope', async () => {
    answer = lokiHolding([
      stream(abc, [[minute(1), OOM(minute(1))]], { app: 'checkout' }),
      stream(xyz, [[minute(2), OOM(minute(2))]], { app: 'checkout-batch' }),
    ]);

    const collected = await collectLogs(
      await locate(cluster('eu', [abc, xyz])),
      range,
      { maxLines: 100, lokiSelector: '{app="checkout"}' },
    );

    const [selector] = readQuery(
      loki.requests[0].params.get('query')!,
      'logql',
    ).selectors;
    expect(selector.matchers).toEqual(
      expect.arrayContaining([
        { name: 'namespace', op: '=', value: 'finance' },
        { name: 'app', op: '=', value: 'checkout' },
      ]),
    );
    expect(selector.matchers.some(m => m.name === 'pod')).toBe(true);
    expect(collected.entries.map(e => e.pod)).toEqual([nameOf(abc)]);
  });

  it('fails the log source with the reason when the custom selector is refused, and asks Loki nothing', async () => {
    const collected = await collectLogs(
      await locate(cluster('eu', [abc])),
      range,
      { maxLines: 100, lokiSelector: '{app="checkout"} |= "x"' },
    );

    expect(loki.requests).toEqual([]);
    expect(collected.groups).toEqual([]);
    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'loki',
        status: 'error',
        error: expect.stringContaining('Invalid custom LogQL selector'),
      },
    ]);
  });

  it("keeps the other clusters' lines, in time order, when one Loki fails, and says which", async () => {
    const held: Record<string, ReturnType<typeof lokiHolding>> = {
      us: lokiHolding([
        stream(abc, [
          [minute(5), OOM(minute(5))],
          [minute(1), OOM(minute(1))],
        ]),
      ]),
      ap: lokiHolding([stream(abc, [[minute(3), OOM(minute(3))]])]),
    };
    answer = (name, request) =>
      name === 'eu'
        ? {
            status: 500,
            body: 'failed to get ingester: rpc error: code = Unavailable',
          }
        : held[name](name, request);

    const collected = await collectLogs(
      await locate(
        cluster('eu', [abc]),
        cluster('us', [abc]),
        cluster('ap', [abc]),
      ),
      range,
      { maxLines: 100 },
    );

    expect(collected.entries.map(e => [e.cluster, e.timeMs])).toEqual([
      ['us', minute(1)],
      ['ap', minute(3)],
      ['us', minute(5)],
    ]);
    expect(collected.groups[0].count).toBe(3);
    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'loki',
        status: 'error',
        error:
          'Loki of cluster eu: answered 500: failed to get ingester: rpc error: code = Unavailable',
      },
      { cluster: 'us', source: 'loki', status: 'ok' },
      { cluster: 'ap', source: 'loki', status: 'ok' },
    ]);
  });

  it("passes on Loki's warnings and says when a cluster has no Loki", async () => {
    answer = lokiHolding(
      [stream(abc, [[minute(1), OOM(minute(1))]])],
      ['query timed out on one querier, results may be partial'],
    );

    const collected = await collectLogs(
      await locate(cluster('eu', [abc]), cluster('us', [abc], false)),
      range,
      { maxLines: 100 },
    );

    expect(collected.sources).toEqual([
      {
        cluster: 'eu',
        source: 'loki',
        status: 'ok',
        warnings: ['query timed out on one querier, results may be partial'],
      },
      {
        cluster: 'us',
        source: 'loki',
        status: 'not-configured',
        error: expect.stringContaining('No loki is configured for cluster us'),
      },
    ]);
    expect(collected.entries).toHaveLength(1);
  });
});
