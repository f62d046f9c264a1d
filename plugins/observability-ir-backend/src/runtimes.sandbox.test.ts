import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { startSandbox } from '@observability-ir/sandbox-cluster';
import { DiagnosisResponse } from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { sandboxConfig } from './__testUtils__/fixtures';

/*
 * The same service in every runtime the sandbox writes logs for, twice:
 * once running out of its runtime's own heap cap (the runtime prints its
 * memory error and ends the process itself), once OOMKilled by the kernel
 * at its container limit (the process prints nothing). The diagnosis must
 * read both as memory, whatever the runtime's words.
 */

jest.setTimeout(60_000);

const RUNTIMES = ['java', 'python', 'go', 'node', 'dotnet', 'rust'] as const;

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'indexer',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'indexer',
      'backstage.io/kubernetes-namespace': 'shop',
    },
  },
  spec: { type: 'service', owner: 'shop-team', lifecycle: 'production' },
};

function scenario(runtime: string, heapCapped: boolean) {
  return {
    name: `indexer-${runtime}`,
    seed: 5,
    historyHours: 6,
    clusters: [
      {
        name: 'sandbox',
        nodes: [
          { name: 'worker-1', internalIP: '10.0.1.11' },
          { name: 'worker-2', internalIP: '10.0.1.12' },
        ],
        namespaces: ['shop'],
        deployments: [
          {
            name: 'indexer',
            namespace: 'shop',
            labels: { app: 'indexer', 'backstage.io/kubernetes-id': 'indexer' },
            replicaSet: 'indexer-6d5c4b3a2',
            pods: [
              {
                name: 'indexer-6d5c4b3a2-k8d2p',
                node: 'worker-1',
                restarts: 12,
              },
              {
                name: 'indexer-6d5c4b3a2-w3x9m',
                node: 'worker-2',
                restarts: 11,
              },
            ],
            containers: [
              {
                name: 'indexer',
                image: `registry.example.com/shop/indexer-${runtime}:1.0.0`,
                runtime,
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: {
                  requests: { cpu: '250m', memory: '512Mi' },
                  limits: { cpu: '1', memory: '1Gi' },
                },
                behavior: {
                  type: 'memory-leak',
                  baselineMemory: '100Mi',
                  demandMemory: '1500Mi',
                  ...(heapCapped ? { heapLimit: '600Mi' } : {}),
                  rampSeconds: 200,
                  startupSeconds: 5,
                  restartDelaySeconds: 20,
                  cpuCores: 0.3,
                  logs: { intervalSeconds: 15 },
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

async function diagnosisOf(runtime: string, heapCapped: boolean) {
  const sandbox = await startSandbox({
    scenario: scenario(runtime, heapCapped),
    speed: 0,
    kubeconfigPath: false,
  });
  try {
    const { server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities: [entity] }),
        mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      ],
    });
    const response = await request(server)
      .get('/api/observability-ir/v1/diagnosis')
      .query({ entityRef: 'component:default/indexer' });
    expect(response.status).toBe(200);
    return response.body as DiagnosisResponse;
  } finally {
    await sandbox.close();
  }
}

describe.each(RUNTIMES)('a %s service', runtime => {
  it('that runs out of its own heap cap is short of memory, not crashing', async () => {
    const body = await diagnosisOf(runtime, true);
    const [top, runnerUp] = body.hypotheses;
    expect({ runtime, top: top.id }).toEqual({
      runtime,
      top: 'memory-limit-too-low',
    });
    expect(top.confidence - runnerUp.confidence).toBeGreaterThanOrEqual(0.2);
    const evidence = top.supporting.map(e => e.description).join('\n');
    expect(evidence).toMatch(/after its runtime's memory error/);
    expect(body.recommendation?.summary).toMatch(
      /^Raise the memory cap of the runtime in container indexer/,
    );
    expect(body.recommendation?.memoryLimit).toBeUndefined();
    const crash = body.hypotheses.find(h => h.id === 'application-crash')!;
    expect(crash.contradicting.map(e => e.description).join('\n')).toMatch(
      /the runtime ran out of memory/,
    );
  });

  it('that the kernel OOM-kills at its limit gets a limit raise', async () => {
    const body = await diagnosisOf(runtime, false);
    expect({ runtime, top: body.hypotheses[0].id }).toEqual({
      runtime,
      top: 'memory-limit-too-low',
    });
    expect(body.recommendation?.memoryLimit).toMatchObject({
      current: '1Gi',
      proposed: '2Gi',
    });
  });
});
