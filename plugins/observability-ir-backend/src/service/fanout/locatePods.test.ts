import { mockServices } from '@backstage/backend-test-utils';
import type { V1Pod } from '@kubernetes/client-node';
import { UpstreamError } from '../../clients/UpstreamError';
import type { ResolvedWorkload } from '../workload/resolveEntityWorkload';
import { ClusterConnection } from './ClusterConnections';
import { locatePods, scopesOfPods } from './locatePods';

/** A pod of a Deployment: its ReplicaSet's name ends in the template hash. */
function deploymentPod(namespace: string, deployment: string, id: string) {
  return {
    metadata: {
      namespace,
      name: `${deployment}-5d8f7c9b4-${id}`,
      labels: { 'pod-template-hash': '5d8f7c9b4' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${deployment}-5d8f7c9b4`,
          uid: `uid-${deployment}`,
          controller: true,
        },
      ],
    },
  } as V1Pod;
}

function barePod(namespace: string, name: string) {
  return { metadata: { namespace, name } } as V1Pod;
}

const workload: ResolvedWorkload = {
  entityRef: 'component:default/checkout-api',
  kubernetesId: 'checkout-api',
  labelSelector: 'backstage.io/kubernetes-id=checkout-api',
  namespace: 'finance',
  extraPrometheusMatchers: [{ name: 'cluster', op: '=', value: 'eu-1' }],
};

function connection(listPods: () => Promise<V1Pod[]>) {
  return {
    name: 'eu',
    logger: mockServices.logger.mock(),
    kubernetes: { listPods },
  } as unknown as ClusterConnection;
}

describe('scopesOfPods', () => {
  it('asks about a Deployment by the names its ReplicaSets give their pods, so replaced pods count too', () => {
    const pods = [
      deploymentPod('finance', 'checkout-api', 'x2x9q'),
      deploymentPod('finance', 'checkout-api', 'b7kzd'),
    ];
    expect(scopesOfPods(pods, undefined)).toEqual([
      {
        namespace: 'finance',
        pods: { owners: [{ kind: 'Deployment', name: 'checkout-api' }] },
        extraPrometheusMatchers: undefined,
      },
    ]);
  });

  it('names the pods of a Deployment one by one when they do not have the shape Kubernetes gives them', () => {
    const pods = [
      deploymentPod('finance', 'checkout-api', 'x2x9q'),
      deploymentPod('finance', 'checkout-api', 'abc'),
    ];
    expect(scopesOfPods(pods, undefined).map(s => s.pods)).toEqual([
      {
        owners: [{ kind: 'Deployment', name: 'checkout-api' }],
        names: ['checkout-api-5d8f7c9b4-abc'],
      },
    ]);
  });

  it("keeps a sibling Deployment whose name extends the entity's in a scope of its own", () => {
    const pods = [
      deploymentPod('finance', 'checkout-api', 'x2x9q'),
      deploymentPod('finance', 'checkout-api-worker', 'x2x9q'),
    ];
    expect(scopesOfPods(pods, undefined).map(s => s.pods)).toEqual([
      { owners: [{ kind: 'Deployment', name: 'checkout-api' }] },
      { owners: [{ kind: 'Deployment', name: 'checkout-api-worker' }] },
    ]);
  });

  it('asks about a StatefulSet by its ordinal pod names', () => {
    const pod = {
      metadata: {
        namespace: 'finance',
        name: 'ledger-0',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: 'ledger',
            uid: 'uid-ledger',
            controller: true,
          },
        ],
      },
    } as V1Pod;
    expect(scopesOfPods([pod], undefined).map(s => s.pods)).toEqual([
      { owners: [{ kind: 'StatefulSet', name: 'ledger' }] },
    ]);
  });

  it('names pods without a Deployment one by one, per namespace', () => {
    const pods = [
      barePod('finance', 'checkout-api-0'),
      barePod('finance', 'checkout-api-1'),
      barePod('shop', 'checkout-api-0'),
    ];
    expect(
      scopesOfPods(pods, undefined).map(s => [s.namespace, s.pods]),
    ).toEqual([
      ['finance', { names: ['checkout-api-0', 'checkout-api-1'] }],
      ['shop', { names: ['checkout-api-0'] }],
    ]);
  });
});

describe('locatePods', () => {
  it('lists the pods and carries the parsed matchers into every scope', async () => {
    const located = await locatePods(
      connection(async () => [
        deploymentPod('finance', 'checkout-api', 'x2x9q'),
      ]),
      workload,
      20,
    );
    expect(located.kubernetes).toEqual({
      cluster: 'eu',
      source: 'kubernetes',
      status: 'ok',
    });
    expect(located.scopes).toEqual([
      {
        namespace: 'finance',
        pods: { owners: [{ kind: 'Deployment', name: 'checkout-api' }] },
        extraPrometheusMatchers: workload.extraPrometheusMatchers,
      },
    ]);
  });

  it('queries at most the scope limit, and says how many groups it left out', async () => {
    const pods = ['a', 'b', 'c', 'd'].map(d =>
      deploymentPod('finance', `checkout-api-${d}`, 'x'),
    );
    const located = await locatePods(
      connection(async () => pods),
      workload,
      3,
    );
    expect(located.pods).toHaveLength(4);
    expect(located.scopes).toHaveLength(3);
    expect(located.kubernetes.warnings).toEqual([
      'The pods fall into 4 namespace and workload groups; metrics and logs are read for the first 3 only (observabilityIr.limits.scopes)',
    ]);
  });

  it('falls back to the kubernetes id in the namespace when Kubernetes does not answer', async () => {
    const failing = connection(async () => {
      throw new UpstreamError('kubernetes', 'eu', 'no answer within 10 s');
    });
    const located = await locatePods(failing, workload, 20);
    expect(located.pods).toEqual([]);
    expect(located.scopes).toEqual([
      {
        namespace: 'finance',
        pods: {
          owners: [
            { kind: 'Deployment', name: 'checkout-api' },
            { kind: 'StatefulSet', name: 'checkout-api' },
          ],
        },
        extraPrometheusMatchers: workload.extraPrometheusMatchers,
      },
    ]);
    expect(located.kubernetes).toEqual({
      cluster: 'eu',
      source: 'kubernetes',
      status: 'error',
      error: 'Kubernetes API of cluster eu: no answer within 10 s',
    });
    expect(failing.logger.warn).toHaveBeenCalled();
  });

  it('has nothing to fall back on without a namespace', async () => {
    const located = await locatePods(
      connection(async () => {
        throw new Error('socket hang up');
      }),
      { ...workload, namespace: undefined },
      20,
    );
    expect(located.scopes).toEqual([]);
    expect(located.kubernetes.status).toBe('error');
  });
});
