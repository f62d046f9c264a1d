import { mockServices } from '@backstage/backend-test-utils';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { PrometheusClient } from '../../clients/PrometheusClient';
import { UpstreamError } from '../../clients/UpstreamError';
import { FleetOwnership } from './FleetOwnership';
import { PodPage } from './FleetPodPager';
import { SweepSources, sweepFleet } from './sweepFleet';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function pod(
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    restartCount?: number;
    lastTerminated?: { reason: string; exitCode: number; finishedAt: string };
    startTime?: string;
  } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'finance',
      labels: options.labels ?? {},
    },
    spec: {
      containers: [{ name: 'app', resources: { limits: { memory: '256Mi' } } }],
    },
    status: {
      startTime: (options.startTime ?? minutesAgo(3 * 24 * 60)) as any,
      containerStatuses: [
        {
          name: 'app',
          image: 'app:1',
          imageID: '',
          ready: true,
          restartCount: options.restartCount ?? 0,
          state: { running: { startedAt: minutesAgo(1) as any } },
          ...(options.lastTerminated
            ? {
                lastState: {
                  terminated: {
                    ...options.lastTerminated,
                    finishedAt: options.lastTerminated.finishedAt as any,
                  },
                },
              }
            : {}),
        },
      ],
    },
  };
}

const cluster = (name: string): ClusterDetails => ({
  name,
  url: `https://${name}.example.com`,
  authMetadata: {},
});

/** A Prometheus that answers each of the sweep's queries from a table. */
function fakePrometheus(answers: {
  reasons?: Array<[string, string, string]>;
  restarts1h?: Array<[string, string, number]>;
}): PrometheusClient {
  return {
    query: async (query: string) => {
      const sample = (namespace: string, p: string, extra = {}) => ({
        namespace,
        pod: p,
        container: 'app',
        ...extra,
      });
      if (
        query.startsWith('kube_pod_container_status_last_terminated_reason')
      ) {
        return {
          data: (answers.reasons ?? []).map(([ns, p, reason]) => ({
            metric: sample(ns, p, { reason }),
            value: [NOW / 1000, 1],
          })),
          warnings: [],
        };
      }
      if (query.includes('offset 1h)')) {
        return {
          data: (answers.restarts1h ?? []).map(([ns, p, n]) => ({
            metric: sample(ns, p),
            value: [NOW / 1000, n],
          })),
          warnings: [],
        };
      }
      return { data: [], warnings: [] };
    },
  } as unknown as PrometheusClient;
}

function sources(
  pages: Record<string, V1Pod[][] | Error>,
  prometheus: Record<string, PrometheusClient> = {},
): SweepSources {
  return {
    clusters: async () => Object.keys(pages).map(cluster),
    credential: async () => ({ type: 'anonymous' }),
    prometheus: name => prometheus[name],
    ownership: async () =>
      new FleetOwnership([
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'ledger-worker',
            namespace: 'default',
            annotations: { 'backstage.io/kubernetes-id': 'ledger-worker' },
          },
          spec: { owner: 'finance-team' },
        },
      ]),
    pager: details => ({
      async *pages(): AsyncGenerator<PodPage, { truncated: boolean }> {
        const list = pages[details.name];
        if (list instanceof Error) throw list;
        for (const p of list) yield { pods: p };
        return { truncated: false };
      },
    }),
  };
}

function sweep(s: SweepSources) {
  return sweepFleet(s, {
    ranges: ['1h'],
    nearOomShare: 0.9,
    timeoutMs: 1000,
    maxBodyBytes: 1024,
    logger: mockServices.logger.mock(),
    now: () => NOW,
  });
}

describe('sweepFleet', () => {
  it('reports a kill only kube-state-metrics saw, between two reads of the pods', async () => {
    // The pod status shows a clean exit, long ago; kube-state-metrics saw
    // the container OOMKilled and restarted twice in the hour.
    const result = await sweep(
      sources(
        {
          prod: [
            [
              pod('ledger-worker-1', {
                labels: { 'app.kubernetes.io/name': 'ledger-worker' },
                restartCount: 9,
              }),
            ],
          ],
        },
        {
          prod: fakePrometheus({
            reasons: [['finance', 'ledger-worker-1', 'OOMKilled']],
            restarts1h: [['finance', 'ledger-worker-1', 2.04]],
          }),
        },
      ),
    );
    expect(result['1h'].findings).toEqual([
      {
        cluster: 'prod',
        namespace: 'finance',
        pod: 'ledger-worker-1',
        container: 'app',
        reason: 'OOMKilled',
        restartsInRange: 2,
        restartCount: 9,
        memoryLimitBytes: 256 * 1024 * 1024,
        source: 'prometheus',
        owner: {
          entityRef: 'component:default/ledger-worker',
          title: 'ledger-worker',
          ownerRef: 'group:default/finance-team',
        },
      },
    ]);
  });

  it('keeps kills outside the range and clean exits out of the findings', async () => {
    const result = await sweep(
      sources({
        prod: [
          [
            pod('old-kill', {
              restartCount: 1,
              lastTerminated: {
                reason: 'OOMKilled',
                exitCode: 137,
                finishedAt: minutesAgo(90),
              },
            }),
            pod('clean-exit', {
              restartCount: 1,
              lastTerminated: {
                reason: 'Completed',
                exitCode: 0,
                finishedAt: minutesAgo(5),
              },
            }),
          ],
          [
            pod('crash', {
              restartCount: 4,
              lastTerminated: {
                reason: 'Error',
                exitCode: 1,
                finishedAt: minutesAgo(5),
              },
            }),
          ],
        ],
      }),
    );
    const { findings, podsScanned, sources: statuses } = result['1h'];
    expect(podsScanned).toBe(3);
    expect(findings.map(f => [f.pod, f.reason, f.exitCode, f.owner])).toEqual([
      ['crash', 'Error', 1, undefined],
    ]);
    // Without Prometheus the pod status tells of at least one restart.
    expect(findings[0].restartsInRange).toBe(1);
    expect(statuses).toContainEqual(
      expect.objectContaining({
        cluster: 'prod',
        source: 'prometheus',
        status: 'not-configured',
      }),
    );
  });

  it('counts every restart of a pod that started within the range', async () => {
    const result = await sweep(
      sources({
        prod: [
          [
            pod('young', {
              startTime: minutesAgo(30),
              restartCount: 6,
              lastTerminated: {
                reason: 'OOMKilled',
                exitCode: 137,
                finishedAt: minutesAgo(2),
              },
            }),
          ],
        ],
      }),
    );
    expect(result['1h'].findings[0].restartsInRange).toBe(6);
    expect(result['1h'].topRestarters.map(r => r.restartsInRange)).toEqual([6]);
  });

  it('lists a container near OOM that Prometheus names only after every page was read', async () => {
    let pagesRead: () => void = () => {};
    const allPagesRead = new Promise<void>(resolve => {
      pagesRead = resolve;
    });
    const lateNearOom = {
      query: async (query: string) => {
        await allPagesRead;
        return {
          data: query.startsWith(
            'max by (namespace, pod, container) (container',
          )
            ? [
                {
                  metric: {
                    namespace: 'finance',
                    pod: 'ledger-worker-1',
                    container: 'app',
                  },
                  value: [NOW / 1000, 0.95],
                },
              ]
            : [],
          warnings: [],
        };
      },
    } as unknown as PrometheusClient;
    const base = sources(
      {
        prod: [
          [
            pod('ledger-worker-1', {
              labels: { 'app.kubernetes.io/name': 'ledger-worker' },
            }),
          ],
          [pod('ledger-worker-2')],
        ],
      },
      { prod: lateNearOom },
    );
    const result = await sweep({
      ...base,
      pager: details => ({
        async *pages() {
          const done = yield* base.pager!(details).pages();
          pagesRead();
          return done;
        },
      }),
    });
    expect(result['1h'].nearOom).toEqual([
      {
        cluster: 'prod',
        namespace: 'finance',
        pod: 'ledger-worker-1',
        container: 'app',
        workingSetBytes: Math.round(0.95 * 256 * 1024 * 1024),
        memoryLimitBytes: 256 * 1024 * 1024,
        share: 0.95,
        owner: {
          entityRef: 'component:default/ledger-worker',
          title: 'ledger-worker',
          ownerRef: 'group:default/finance-team',
        },
      },
    ]);
    expect(result['1h'].findings).toEqual([]);
  });

  it('asks Prometheus again once when the connection was reset, not when it was refused', async () => {
    const flaky = (code: string) => {
      const asked: string[] = [];
      const answers = fakePrometheus({
        reasons: [['finance', 'ledger-worker-1', 'OOMKilled']],
        restarts1h: [['finance', 'ledger-worker-1', 2]],
      });
      const client = {
        query: async (query: string, at: number) => {
          asked.push(query);
          if (asked.filter(q => q === query).length === 1) {
            throw new UpstreamError('prometheus', 'prod', 'unreachable', {
              upstreamText: code,
            });
          }
          return answers.query(query, at);
        },
      } as unknown as PrometheusClient;
      return { client, asked };
    };
    const pages = {
      prod: [[pod('ledger-worker-1', { restartCount: 9 })]],
    };

    const reset = flaky('ECONNRESET');
    const recovered = await sweep(sources(pages, { prod: reset.client }));
    expect(recovered['1h'].sources).toContainEqual({
      cluster: 'prod',
      source: 'prometheus',
      status: 'ok',
    });
    expect(recovered['1h'].findings.map(f => [f.pod, f.reason])).toEqual([
      ['ledger-worker-1', 'OOMKilled'],
    ]);
    expect(reset.asked).toHaveLength(6);

    const refused = flaky('ECONNREFUSED');
    const failed = await sweep(sources(pages, { prod: refused.client }));
    expect(failed['1h'].sources).toContainEqual({
      cluster: 'prod',
      source: 'prometheus',
      status: 'error',
      error: 'Prometheus of cluster prod: unreachable: ECONNREFUSED',
    });
    expect(refused.asked).toHaveLength(3);
  });

  it('keeps a failing cluster to its status and sweeps the others', async () => {
    const result = await sweep(
      sources({
        broken: new UpstreamError('kubernetes', 'broken', 'answered 403', {
          status: 403,
        }),
        prod: [
          [
            pod('crash', {
              restartCount: 1,
              lastTerminated: {
                reason: 'Error',
                exitCode: 2,
                finishedAt: minutesAgo(1),
              },
            }),
          ],
        ],
      }),
    );
    expect(result['1h'].sources).toContainEqual({
      cluster: 'broken',
      source: 'kubernetes',
      status: 'error',
      error: 'Kubernetes API of cluster broken: answered 403',
    });
    expect(result['1h'].findings.map(f => `${f.cluster}/${f.pod}`)).toEqual([
      'prod/crash',
    ]);
  });
});
