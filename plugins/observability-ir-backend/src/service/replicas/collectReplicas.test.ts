import type { V1Pod } from '@kubernetes/client-node';
import { testConnection } from '../../__testUtils__/clusterConnections';
import {
  barePod,
  deploymentPod,
  kubernetesNode,
  podEvent,
} from '../../__testUtils__/kubernetesObjects';
import { fullyMatches, readQuery } from '../../__testUtils__/queries/queryTree';
import {
  startStubServer,
  StubAnswer,
  StubRequest,
} from '../../__testUtils__/stubServer';
import { answerFromSeries, HeldSeries } from '../../__testUtils__/heldSeries';
import { UpstreamError } from '../../clients/UpstreamError';
import { ClusterConnection } from '../fanout/ClusterConnections';
import { locatePods } from '../fanout/locatePods';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { collectReplicas } from './collectReplicas';

const MI = 2 ** 20;
const NOW_SECONDS = 1_795_960_800;

const workload: ResolvedWorkload = {
  entityRef: 'component:default/checkout-api',
  kubernetesId: 'checkout-api',
  labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  namespace: 'finance',
};

/** A pod of the lab: a 512Mi limit, restarted after OOM kills. */
function labPod(id: string, node: string, restarts: number) {
  return deploymentPod('finance', 'checkout-api', id, {
    node,
    containers: [
      {
        name: 'checkout-api',
        resources: { limits: { memory: '512Mi', cpu: '1' } },
      },
    ],
    statuses: [
      {
        name: 'checkout-api',
        image: 'checkout-api:1.4.2',
        imageID: 'sha256:1',
        ready: restarts === 0,
        restartCount: restarts,
        state: { running: { startedAt: new Date('2026-11-25T14:03:40Z') } },
        ...(restarts
          ? {
              lastState: {
                terminated: {
                  reason: 'OOMKilled',
                  exitCode: 137,
                  finishedAt: new Date('2026-11-25T14:03:20Z'),
                },
              },
            }
          : {}),
      },
    ],
  });
}

const abc = labPod('abcde', 'worker-1', 45);
const xyz = labPod('fghij', 'worker-2', 42);

/** A Prometheus holding these series. */
const holding =
  (series: HeldSeries[]) => (_cluster: string, request: StubRequest) =>
    answerFromSeries(series, request);

/** The working set of a pod's container, sampled at the end of the range. */
function workingSet(
  pod: V1Pod,
  bytes: number,
  container = 'checkout-api',
): HeldSeries {
  return {
    metric: 'container_memory_working_set_bytes',
    labels: {
      namespace: pod.metadata!.namespace!,
      pod: pod.metadata!.name!,
      container,
    },
    samples: [[NOW_SECONDS, bytes]],
  };
}

describe('collectReplicas', () => {
  let prometheus: Awaited<ReturnType<typeof startStubServer>>;
  /** How each cluster's Prometheus answers; the path starts with the cluster. */
  let answer: (cluster: string, request: StubRequest) => StubAnswer;

  beforeAll(async () => {
    prometheus = await startStubServer(request =>
      answer(request.path.split('/')[1], request),
    );
  }, 30_000);
  afterAll(() => prometheus.close());
  beforeEach(() => {
    prometheus.requests.length = 0;
    answer = holding([]);
  });

  /** A cluster whose Kubernetes lists `pods` and whose Prometheus is the stub. */
  function cluster(
    name: string,
    pods: V1Pod[],
    kubernetes: Parameters<typeof testConnection>[0]['kubernetes'] = {},
  ): ClusterConnection {
    return testConnection({
      name,
      prometheusUrl: `${prometheus.url}/${name}`,
      kubernetes: {
        listPods: async () => pods,
        readNode: async nodeName => kubernetesNode(nodeName),
        ...kubernetes,
      },
    });
  }

  const locate = (...connections: ClusterConnection[]) =>
    Promise.all(connections.map(c => locatePods(c, workload, 20)));

  it("fills the table from Kubernetes, with each container's working set and share of its limit", async () => {
    answer = holding([
      workingSet(abc, 480 * MI),
      workingSet(xyz, 128 * MI),
      workingSet(abc, 60 * MI, 'istio-proxy'),
      workingSet(deploymentPod('finance', 'payments', 'abcde'), 900 * MI),
    ]);

    const collected = await collectReplicas(
      await locate(cluster('eu', [xyz, abc])),
      workload,
      NOW_SECONDS,
    );

    expect(
      collected.replicas.map(r => [
        r.pod,
        r.node,
        r.restartCount,
        r.lastTermination?.reason,
        r.lastTermination?.exitCode,
        r.limits.memoryBytes,
        r.memoryWorkingSetBytes,
        r.memoryLimitShare,
      ]),
    ).toEqual([
      [
        abc.metadata!.name,
        'worker-1',
        45,
        'OOMKilled',
        137,
        512 * MI,
        480 * MI,
        480 / 512,
      ],
      [
        xyz.metadata!.name,
        'worker-2',
        42,
        'OOMKilled',
        137,
        512 * MI,
        128 * MI,
        128 / 512,
      ],
    ]);
    expect(collected.nodes.map(n => n.name).sort()).toEqual([
      'worker-1',
      'worker-2',
    ]);
    expect(collected.sources).toEqual([
      { cluster: 'eu', source: 'kubernetes', status: 'ok' },
      { cluster: 'eu', source: 'prometheus', status: 'ok' },
    ]);
    expect(collected.kubectlCommands).toHaveLength(1);
    expect(collected.kubectlCommands[0]).toContain(
      "--context 'eu' get pods -n 'finance' -l 'backstage.io/kubernetes-id=checkout-api'",
    );
  });

  it('asks Prometheus for the working set of the located pods only, at the end of the range', async () => {
    await collectReplicas(
      await locate(cluster('eu', [abc, xyz])),
      workload,
      NOW_SECONDS,
    );

    expect(prometheus.requests).toHaveLength(1);
    const [request] = prometheus.requests;
    expect(request.path).toBe('/eu/api/v1/query');
    expect(request.params.get('time')).toBe(String(NOW_SECONDS));
    const [selector] = readQuery(
      request.params.get('query')!,
      'promql',
    ).selectors;
    expect(selector.metric).toBe('container_memory_working_set_bytes');
    expect(selector.matchers).toContainEqual({
      name: 'namespace',
      op: '=',
      value: 'finance',
    });
    const pod = selector.matchers.find(m => m.name === 'pod')!;
    expect(fullyMatches(pod.value, abc.metadata!.name!)).toBe(true);
    // A pod the Deployment replaced, from an older ReplicaSet.
    expect(fullyMatches(pod.value, 'checkout-api-6f7b8d9c2-w4zkq')).toBe(true);
    expect(fullyMatches(pod.value, 'payments-5d8f7c9b4-abcde')).toBe(false);
    expect(fullyMatches(pod.value, 'checkout-api-worker-5d8f7c9b4-w4zkq')).toBe(
      false,
    );
  });

  it("keeps each namespace's working set apart when pods share a name", async () => {
    const finance = barePod('finance', 'checkout-api-0');
    const shop = barePod('shop', 'checkout-api-0');
    answer = holding([
      workingSet(shop, 100 * MI),
      workingSet(finance, 400 * MI),
    ]);

    const collected = await collectReplicas(
      await Promise.all([
        locatePods(
          cluster('eu', [finance, shop]),
          { ...workload, namespace: undefined },
          20,
        ),
      ]),
      { ...workload, namespace: undefined },
      NOW_SECONDS,
    );

    expect(
      collected.replicas.map(r => [r.namespace, r.memoryWorkingSetBytes]),
    ).toEqual([
      ['finance', 400 * MI],
      ['shop', 100 * MI],
    ]);
    expect(prometheus.requests).toHaveLength(2);
    expect(collected.kubectlCommands[0]).toContain(' -A ');
  });

  it("shows the pods' events newest first, from every namespace, and no other pod's", async () => {
    const other = deploymentPod('shop', 'checkout-api', 'klmno');
    const listEvents = jest.fn(async (namespace: string) =>
      namespace === 'finance'
        ? [
            podEvent(
              'finance',
              abc.metadata!.name!,
              'BackOff',
              '2026-11-25T14:01:00Z',
            ),
            podEvent(
              'finance',
              'payments-5d8f7c9b4-abcde',
              'BackOff',
              '2026-11-25T14:04:00Z',
            ),
          ]
        : [
            podEvent(
              'shop',
              other.metadata!.name!,
              'Unhealthy',
              '2026-11-25T14:02:00Z',
            ),
          ],
    );
    const everywhere = { ...workload, namespace: undefined };

    const collected = await collectReplicas(
      [
        await locatePods(
          cluster('eu', [abc, other], { listEvents }),
          everywhere,
          20,
        ),
      ],
      everywhere,
      NOW_SECONDS,
    );

    expect(listEvents.mock.calls.sort()).toEqual([
      ['finance', 'involvedObject.kind=Pod'],
      ['shop', 'involvedObject.kind=Pod'],
    ]);
    expect(collected.events.map(e => [e.namespace, e.pod, e.reason])).toEqual([
      ['shop', other.metadata!.name, 'Unhealthy'],
      ['finance', abc.metadata!.name, 'BackOff'],
    ]);
  });

  it("leaves out the events of another workload's pod that shares a name in another namespace", async () => {
    const finance = barePod('finance', 'checkout-api-0');
    const cache = barePod('shop', 'cache-0');
    const everywhere = { ...workload, namespace: undefined };
    const listEvents = async (namespace: string) =>
      namespace === 'finance'
        ? [
            podEvent(
              'finance',
              'checkout-api-0',
              'BackOff',
              '2026-11-25T14:01:00Z',
            ),
            // finance/cache-0 belongs to another workload.
            podEvent(
              'finance',
              'cache-0',
              'OOMKilling',
              '2026-11-25T14:02:00Z',
            ),
          ]
        : [podEvent('shop', 'cache-0', 'Unhealthy', '2026-11-25T14:03:00Z')];

    const collected = await collectReplicas(
      [
        await locatePods(
          cluster('eu', [finance, cache], { listEvents }),
          everywhere,
          20,
        ),
      ],
      everywhere,
      NOW_SECONDS,
    );

    expect(collected.events.map(e => [e.namespace, e.pod, e.reason])).toEqual([
      ['shop', 'cache-0', 'Unhealthy'],
      ['finance', 'checkout-api-0', 'BackOff'],
    ]);
  });

  it('keeps the table when events or a node cannot be read, and warns of each', async () => {
    const collected = await collectReplicas(
      await locate(
        cluster('eu', [abc, xyz], {
          listEvents: async () => {
            throw new UpstreamError('kubernetes', 'eu', 'answered 403', {
              status: 403,
              upstreamText: 'events is forbidden',
            });
          },
          readNode: async name => {
            if (name === 'worker-2')
              throw new Error('nodes "worker-2" not found');
            return kubernetesNode(name);
          },
        }),
      ),
      workload,
      NOW_SECONDS,
    );

    expect(collected.replicas).toHaveLength(2);
    expect(collected.nodes.map(n => n.name)).toEqual(['worker-1']);
    const kubernetes = collected.sources.find(s => s.source === 'kubernetes')!;
    expect(kubernetes.status).toBe('ok');
    expect(kubernetes.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^events of finance: .*403/),
        'node worker-2: nodes "worker-2" not found',
      ]),
    );
    expect(kubernetes.warnings).toHaveLength(2);
  });

  it('reads each node once, however many pods run on it', async () => {
    const readNode = jest.fn(async (name: string) => kubernetesNode(name));
    await collectReplicas(
      await locate(
        cluster('eu', [abc, labPod('pqrst', 'worker-1', 0)], { readNode }),
      ),
      workload,
      NOW_SECONDS,
    );

    expect(readNode.mock.calls).toEqual([['worker-1']]);
  });

  it('asks for the events, the nodes seen last time and the working sets while the pods are listed, and keeps only what is about the listed pods', async () => {
    const sibling = deploymentPod('finance', 'checkout-api-canary', 'qwert', {
      node: 'worker-9',
    });
    const calls: string[] = [];
    let listPods: (pods: V1Pod[]) => void = () => {};
    const connection = cluster('eu', [], {
      listPods: () => {
        calls.push('pods');
        return new Promise(resolve => {
          listPods = resolve;
        });
      },
      listEvents: async namespace => {
        calls.push(`events of ${namespace}`);
        return [
          podEvent(
            'finance',
            abc.metadata!.name!,
            'OOMKilling',
            '2026-11-25T14:03:20Z',
          ),
          podEvent(
            'finance',
            sibling.metadata!.name!,
            'BackOff',
            '2026-11-25T14:04:00Z',
          ),
        ];
      },
      readNode: async name => {
        calls.push(`node ${name}`);
        return kubernetesNode(name);
      },
    });
    answer = (_cluster, request) => {
      calls.push('working sets');
      return answerFromSeries(
        [workingSet(abc, 300 * MI), workingSet(sibling, 700 * MI)],
        request,
      );
    };

    const collecting = collectReplicas(
      [
        {
          connection,
          speculative: [
            { namespace: 'finance', pods: { namePrefix: 'checkout-api' } },
          ],
          located: locatePods(connection, workload, 20),
        },
      ],
      workload,
      NOW_SECONDS,
      {
        speculation: () => ({ namespace: 'finance', nodes: ['worker-1'] }),
      },
    );
    await new Promise(resolve => setTimeout(resolve, 50));
    // Everything asked before the pod list has answered.
    expect([...calls].sort()).toEqual(
      ['events of finance', 'node worker-1', 'pods', 'working sets'].sort(),
    );

    listPods([abc, xyz]);
    const collected = await collecting;

    // worker-2 was not known: read once the pods named it.
    expect(calls.slice(4)).toEqual(['node worker-2']);
    expect(
      collected.replicas.map(r => [r.pod, r.memoryWorkingSetBytes]),
    ).toEqual([
      [abc.metadata!.name, 300 * MI],
      [xyz.metadata!.name, undefined],
    ]);
    expect(collected.events.map(e => e.pod)).toEqual([abc.metadata!.name]);
    expect(collected.nodes.map(n => n.name).sort()).toEqual([
      'worker-1',
      'worker-2',
    ]);
  });

  it('shows the clusters that answer when one Kubernetes is down, and says which', async () => {
    const down = cluster('eu', [], {
      listPods: async () => {
        throw new UpstreamError('kubernetes', 'eu', 'no answer within 10 s');
      },
    });
    answer = holding([workingSet(abc, 300 * MI)]);

    const collected = await collectReplicas(
      await locate(down, cluster('us', [abc])),
      workload,
      NOW_SECONDS,
    );

    expect(collected.replicas.map(r => [r.cluster, r.pod])).toEqual([
      ['us', abc.metadata!.name],
    ]);
    expect(collected.replicas[0].memoryWorkingSetBytes).toBe(300 * MI);
    expect(collected.sources).toEqual(
      expect.arrayContaining([
        {
          cluster: 'eu',
          source: 'kubernetes',
          status: 'error',
          error: 'Kubernetes API of cluster eu: no answer within 10 s',
        },
        { cluster: 'us', source: 'kubernetes', status: 'ok' },
        { cluster: 'us', source: 'prometheus', status: 'ok' },
      ]),
    );
    expect(prometheus.requests.map(r => r.path)).toEqual(['/us/api/v1/query']);
    // The command still helps where the plugin could not look itself.
    expect(collected.kubectlCommands.sort()).toEqual([
      expect.stringContaining("--context 'eu'"),
      expect.stringContaining("--context 'us'"),
    ]);
  });

  it('keeps the table without working sets when Prometheus fails or is not configured', async () => {
    answer = (name, request) =>
      name === 'eu'
        ? {
            status: 503,
            body: {
              status: 'error',
              errorType: 'unavailable',
              error: 'too many queries in flight',
            },
          }
        : answerFromSeries([], request);
    const withoutPrometheus = testConnection({
      name: 'us',
      kubernetes: { listPods: async () => [abc] },
    });

    const collected = await collectReplicas(
      await locate(cluster('eu', [abc]), withoutPrometheus),
      workload,
      NOW_SECONDS,
    );

    expect(collected.replicas.map(r => r.cluster)).toEqual(['eu', 'us']);
    expect(
      collected.replicas.every(r => r.memoryWorkingSetBytes === undefined),
    ).toBe(true);
    const prometheusOf = (name: string) =>
      collected.sources.find(
        s => s.cluster === name && s.source === 'prometheus',
      );
    expect(prometheusOf('eu')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('Prometheus of cluster eu: answered 503'),
    });
    expect(prometheusOf('us')?.status).toBe('not-configured');
  });

  it('lists replicas by cluster, namespace, pod and container', async () => {
    const shop = deploymentPod('shop', 'checkout-api', 'aaaaa', {
      containers: [{ name: 'z-sidecar' }, { name: 'checkout-api' }],
    });
    const everywhere = { ...workload, namespace: undefined };

    const collected = await collectReplicas(
      await Promise.all([
        locatePods(cluster('us', [xyz]), everywhere, 20),
        locatePods(cluster('eu', [shop, xyz, abc]), everywhere, 20),
      ]),
      everywhere,
      NOW_SECONDS,
    );

    expect(
      collected.replicas.map(
        r => `${r.cluster}/${r.namespace}/${r.pod}/${r.container}`,
      ),
    ).toEqual([
      `eu/finance/${abc.metadata!.name}/checkout-api`,
      `eu/finance/${xyz.metadata!.name}/checkout-api`,
      `eu/shop/${shop.metadata!.name}/checkout-api`,
      `eu/shop/${shop.metadata!.name}/z-sidecar`,
      `us/finance/${xyz.metadata!.name}/checkout-api`,
    ]);
  });
});
