import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { startSandbox } from '@observability-ir/sandbox-cluster';
import {
  DiagnosisResponse,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

// Every scenario the sandbox ships, and the cause a diagnosis must name.
const scenarios: Array<[string, HypothesisId]> = [
  ['checkout-oom', 'memory-limit-too-low'],
  ['healthy', 'healthy'],
  ['network-fault', 'network-fault'],
  ['cpu-throttling', 'cpu-throttling'],
  ['node-memory-pressure', 'node-memory-pressure'],
  ['app-crash', 'application-crash'],
  ['probe-misconfig', 'probe-misconfiguration'],
  ['multi-cluster', 'memory-limit-too-low'],
];

describe('diagnosis of every sandbox scenario', () => {
  it.each(scenarios)(
    '%s: the top hypothesis is %s',
    async (scenario, expected) => {
      const sandbox = await startSandbox({
        scenario,
        speed: 0,
        kubeconfigPath: false,
      });
      try {
        const { server } = await startTestBackend({
          features: [
            observabilityIrPlugin,
            catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
            mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
          ],
        });

        const response = await request(server)
          .get('/api/observability-ir/v1/diagnosis')
          .query({ entityRef: 'component:default/checkout-api' });

        expect(response.status).toBe(200);
        const body = response.body as DiagnosisResponse;
        expect(body.sources.every(s => s.status === 'ok')).toBe(true);
        const [top, runnerUp] = body.hypotheses;
        expect({ scenario, top: top.id }).toEqual({ scenario, top: expected });
        expect(top.supporting.length).toBeGreaterThan(0);
        expect(top.confidence).toBeGreaterThan(runnerUp?.confidence ?? 0);
      } finally {
        await sandbox.close();
      }
    },
    60_000,
  );
});
