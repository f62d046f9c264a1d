import fs from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { startSandbox } from '@observability-ir/sandbox-cluster';
import {
  DiagnosisResponse,
  HypothesisId,
} from '@observability-ir/plugin-observability-ir-common';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { demoComponent } from './__testUtils__/demoCatalog';
import { sandboxConfig } from './__testUtils__/fixtures';

/** What a diagnosis of a scenario must say, beyond its top hypothesis. */
interface Expected {
  scenario: string;
  entity: string;
  top: HypothesisId;
  /** Sentences the top hypothesis' supporting evidence must hold. */
  evidence?: RegExp[];
  /** What the recommendation must say. */
  recommendation?: RegExp[];
  /**
   * The look-back the response reports: none when every container's runs
   * are too short for its step (a loop of minutes), read over the range.
   */
  lookback?: string;
}

// Every scenario the sandbox ships, and what a diagnosis must name, by at
// least MARGIN over the runner-up.
const MARGIN = 0.2;
const scenarios: Expected[] = [
  {
    scenario: 'checkout-oom',
    entity: 'checkout-api',
    top: 'memory-limit-too-low',
    evidence: [/last terminated OOMKilled \(exit 137\)/],
    recommendation: [/from 512Mi to 1Gi/, /true demand is unknown/],
  },
  // Runs of hours or more: their shapes are read over the look-back.
  {
    scenario: 'healthy',
    entity: 'checkout-api',
    top: 'healthy',
    lookback: 'the last 1d',
  },
  {
    scenario: 'network-fault',
    entity: 'checkout-api',
    top: 'network-fault',
    lookback: 'the last 1d',
  },
  {
    scenario: 'cpu-throttling',
    entity: 'checkout-api',
    top: 'cpu-throttling',
    lookback: 'the last 1d',
  },
  {
    scenario: 'node-memory-pressure',
    entity: 'checkout-api',
    top: 'node-memory-pressure',
    lookback: 'the last 1d',
  },
  {
    scenario: 'app-crash',
    entity: 'checkout-api',
    top: 'application-crash',
    recommendation: [/NullPointerException/],
  },
  {
    scenario: 'probe-misconfig',
    entity: 'checkout-api',
    top: 'probe-misconfiguration',
  },
  {
    scenario: 'multi-cluster',
    entity: 'checkout-api',
    top: 'memory-limit-too-low',
    lookback: 'the last 1d',
  },
  {
    // Go, killed every ~6 h; the last kill is before the one-hour view.
    scenario: 'slow-leak',
    entity: 'payment-gateway',
    top: 'memory-leak',
    evidence: [/climbed steadily in \d+ of \d+ runs over the last 1d/],
    // The stopgap comes from the kills at the limit in the look-back, not
    // from the range's lower peak.
    recommendation: [/heap dump/, /from 512Mi to 1Gi/],
    lookback: 'the last 1d',
  },
  {
    // Node.js, one replica of three needs more than the limit.
    scenario: 'one-replica-oom',
    entity: 'cart-service',
    top: 'memory-limit-too-low',
    evidence: [
      /Only cart-service-6f7d9c8b4-v5r7n of 3 replicas of container cart-service was OOMKilled/,
    ],
    recommendation: [
      /Raise limits\.memory of container cart-service from 768Mi/,
      /Only cart-service-6f7d9c8b4-v5r7n of 3 replicas/,
    ],
  },
  {
    // Go, a nil pointer panic, exit code 2.
    scenario: 'go-crash-loop',
    entity: 'auth-service',
    top: 'application-crash',
    evidence: [/last terminated Error \(exit 2\)/],
    recommendation: [
      /"panic: runtime error: invalid memory address or nil pointer dereference" that ends the container with exit 2/,
    ],
  },
  {
    // A telemetry pipeline audit scenario; checkout-api itself is fine.
    scenario: 'telemetry-gaps',
    entity: 'checkout-api',
    top: 'healthy',
    lookback: 'the last 1d',
  },
  {
    // Python, MemoryError at its own cap below the limit, exit code 1.
    scenario: 'python-memory-error',
    entity: 'search-indexer',
    top: 'memory-limit-too-low',
    evidence: [
      /last terminated Error \(exit 1\).*after its runtime's memory error/,
    ],
    recommendation: [
      /Raise the memory cap of the runtime in container search-indexer/,
    ],
  },
];

describe('diagnosis of every sandbox scenario', () => {
  it('covers every shipped scenario', () => {
    const shipped = fs
      .readdirSync(
        path.resolve(__dirname, '../../../packages/sandbox-cluster/scenarios'),
      )
      .filter(f => f.endsWith('.yaml'))
      .map(f => f.replace(/\.yaml$/, ''))
      // Generated at any size for the benchmarks; it has no single cause.
      .filter(name => name !== 'scale');
    expect(scenarios.map(s => s.scenario).sort()).toEqual(shipped.sort());
  });

  it.each(scenarios.map(s => [s.scenario, s] as const))(
    '%s: the top hypothesis is named by a clear margin',
    async (_, expected) => {
      const sandbox = await startSandbox({
        scenario: expected.scenario,
        speed: 0,
        kubeconfigPath: false,
      });
      try {
        const entity = demoComponent(expected.entity);
        const { server } = await startTestBackend({
          features: [
            observabilityIrPlugin,
            catalogServiceMock.factory({ entities: [entity] }),
            mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
          ],
        });

        const response = await request(server)
          .get('/api/observability-ir/v1/diagnosis')
          .query({ entityRef: `component:default/${expected.entity}` });

        expect(response.status).toBe(200);
        const body = response.body as DiagnosisResponse;
        expect(body.sources.every(s => s.status === 'ok')).toBe(true);
        const [top, runnerUp] = body.hypotheses;
        expect({ scenario: expected.scenario, top: top.id }).toEqual({
          scenario: expected.scenario,
          top: expected.top,
        });
        expect(top.supporting.length).toBeGreaterThan(0);
        expect({
          scenario: expected.scenario,
          margin: top.confidence - (runnerUp?.confidence ?? 0),
        }).toEqual({
          scenario: expected.scenario,
          margin: expect.toBeAtLeast(MARGIN),
        });
        const evidence = top.supporting.map(e => e.description).join('\n');
        for (const pattern of expected.evidence ?? []) {
          expect(evidence).toMatch(pattern);
        }
        for (const pattern of expected.recommendation ?? []) {
          expect(body.recommendation?.summary).toMatch(pattern);
        }
        expect(body.memoryLookback?.description).toBe(expected.lookback);
      } finally {
        await sandbox.close();
      }
    },
    60_000,
  );
});

expect.extend({
  toBeAtLeast(received: number, floor: number) {
    return {
      pass: received >= floor - 1e-9,
      message: () => `expected ${received} to be at least ${floor}`,
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Expect {
      toBeAtLeast(floor: number): unknown;
    }
  }
}
