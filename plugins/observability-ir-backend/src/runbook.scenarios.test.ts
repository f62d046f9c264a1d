import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DiagnosisResponse,
  EntityWorkload,
  ForensicsRunsResponse,
  HypothesisId,
  LogsResponse,
  MetricsResponse,
  ReplicasResponse,
  RunbookResponse,
  RunbookStep,
  RunbookStepId,
  RunbookStepStatus,
  TimelineResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import { findBinary } from '@observability-ir/sandbox-cluster/testing';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { observabilityIrPlugin } from './plugin';
import { buildRunbook } from './service/runbook/buildRunbook';
import { renderPostmortem } from './service/runbook/postmortem';
import { checkoutApiEntity, sandboxConfig } from './__testUtils__/fixtures';

const ENTITY_REF = 'component:default/checkout-api';
const run = promisify(execFile);
const kubectlBinary = findBinary('kubectl');

/** What a runbook of each shipped scenario must show. */
interface Expected {
  hypothesis: HypothesisId;
  statuses: Record<RunbookStepId, RunbookStepStatus>;
  /** The clusters its commands name, and those they must not. */
  clusters: { in: string[]; notIn?: string[] };
  /** Text some Fix command must hold. */
  fixCommands: string[];
}

const TRIAGED = {
  triage: 'done',
  logs: 'done',
  replicas: 'done',
} as const;
const SKIPPED_ALL: Record<RunbookStepId, RunbookStepStatus> = {
  triage: 'skipped',
  logs: 'skipped',
  replicas: 'skipped',
  kernel: 'skipped',
  fix: 'skipped',
  verify: 'skipped',
};
// The test backend runs without node forensics: the Kernel step says so
// (skipped) where the hypothesis needs it, and "not needed" where not.
const TO_FIX = {
  kernel: 'skipped',
  fix: 'needs-person',
  verify: 'needs-person',
} as const;

const scenarios: Array<[string, Expected]> = [
  [
    'checkout-oom',
    {
      hypothesis: 'memory-limit-too-low',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [
        `patch deployment 'checkout-api' --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"checkout-api","resources":{"limits":{"memory":"1Gi"}}}]}}}}'`,
        `set resources 'deployment/checkout-api' -c 'checkout-api' --limits=memory='1Gi'`,
      ],
    },
  ],
  [
    'multi-cluster',
    {
      hypothesis: 'memory-limit-too-low',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['production'], notIn: ['staging'] },
      fixCommands: [`--limits=memory='1Gi'`],
    },
  ],
  [
    'network-fault',
    {
      hypothesis: 'network-fault',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['get networkpolicy', 'get endpoints'],
    },
  ],
  [
    'cpu-throttling',
    {
      hypothesis: 'cpu-throttling',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [`--limits=cpu='1000m'`, '"limits":{"cpu":null}'],
    },
  ],
  [
    'node-memory-pressure',
    {
      hypothesis: 'node-memory-pressure',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [`cordon 'worker-2'`, `drain 'worker-2'`],
    },
  ],
  [
    'app-crash',
    {
      hypothesis: 'application-crash',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['--previous', `rollout undo 'deployment/checkout-api'`],
    },
  ],
  [
    'probe-misconfig',
    {
      hypothesis: 'probe-misconfiguration',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['"livenessProbe":{"httpGet":{"port":8080}}'],
    },
  ],
  [
    'healthy',
    {
      hypothesis: 'healthy',
      statuses: SKIPPED_ALL,
      clusters: { in: ['sandbox'] },
      fixCommands: [],
    },
  ],
];

interface Gathered {
  sandbox: Sandbox;
  kubeconfig: string;
  runbook: RunbookResponse;
  timeline: TimelineResponse;
  replicas: ReplicasResponse;
  now: Date;
}

/** Starts the scenario and its backend, reads every answer, builds the runbook. */
async function gather(scenario: string): Promise<Gathered> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbook-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const sandbox = await startSandbox({
    scenario,
    speed: 0,
    kubeconfigPath: kubeconfig,
  });
  try {
    const { server } = await startTestBackend({
      features: [
        observabilityIrPlugin,
        catalogServiceMock.factory({ entities: [checkoutApiEntity] }),
        mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      ],
    });
    const get = async <T>(kind: string): Promise<T> => {
      const response = await request(server)
        .get(`/api/observability-ir/v1/${kind}`)
        .query({ entityRef: ENTITY_REF });
      expect({ kind, status: response.status }).toEqual({ kind, status: 200 });
      return response.body as T;
    };
    const [workload, diagnosis, replicas, logs, metrics, timeline, forensics] =
      await Promise.all([
        get<EntityWorkload>('workload'),
        get<DiagnosisResponse>('diagnosis'),
        get<ReplicasResponse>('replicas'),
        get<LogsResponse>('logs'),
        get<MetricsResponse>('metrics'),
        get<TimelineResponse>('timeline'),
        get<ForensicsRunsResponse>('forensics'),
      ]);
    const now = new Date(metrics.range.end);
    const runbook = {
      ...buildRunbook({
        entityRef: ENTITY_REF,
        workload,
        diagnosis,
        replicas,
        logs,
        metrics,
        forensicsRuns: forensics.runs,
        ...(forensics.disabled && { forensicsDisabled: forensics.disabled }),
        now,
      }),
    };
    return { sandbox, kubeconfig, runbook, timeline, replicas, now };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

function stepOf(runbook: RunbookResponse, id: RunbookStepId): RunbookStep {
  return runbook.steps.find(s => s.id === id)!;
}

function shellTexts(step: RunbookStep): string[] {
  return step.commands.filter(c => c.language === 'shell').map(c => c.text);
}

const gathered = new Map<string, Gathered>();

afterAll(async () => {
  await Promise.all([...gathered.values()].map(g => g.sandbox.close()));
});

describe.each(scenarios)('runbook of the %s scenario', (scenario, expected) => {
  let g: Gathered;

  beforeAll(async () => {
    g = await gather(scenario);
    gathered.set(scenario, g);
  }, 60_000);

  it(`follows ${expected.hypothesis} through its six steps`, () => {
    expect(g.runbook.hypothesis).toBe(expected.hypothesis);
    expect(g.runbook.steps.map(s => s.id)).toEqual([
      'triage',
      'logs',
      'replicas',
      'kernel',
      'fix',
      'verify',
    ]);
    expect(
      Object.fromEntries(g.runbook.steps.map(s => [s.id, s.status])),
    ).toEqual(expected.statuses);
    expect(g.runbook.steps.every(s => s.summary.length > 10)).toBe(true);
    const skipped = g.runbook.steps.filter(s => s.status === 'skipped');
    expect(skipped.every(s => Boolean(s.skippedReason))).toBe(true);
  });

  it('gives commands with the namespace and the pod names', () => {
    const replicaCommands = shellTexts(stepOf(g.runbook, 'replicas'));
    expect(replicaCommands.every(c => c.includes("-n 'finance'"))).toBe(true);
    const ofClusters = g.replicas.replicas.filter(r =>
      expected.clusters.in.includes(r.cluster),
    );
    const troubled = ofClusters.filter(
      r => r.restartCount > 0 || !r.ready || r.phase !== 'Running',
    );
    // The pods in trouble, or every pod when none is (CPU throttling).
    const pods = (troubled.length ? troubled : ofClusters).map(r => r.pod);
    expect(pods.length).toBeGreaterThan(0);
    const described = replicaCommands.flatMap(
      c => /describe pod '([^']+)'$/.exec(c)?.[1] ?? [],
    );
    expect(described).toHaveLength(Math.min(3, pods.length));
    for (const pod of described) {
      expect(pods).toContain(pod);
      expect(replicaCommands).toContainEqual(
        expect.stringContaining(
          `get events --field-selector 'involvedObject.name=${pod}'`,
        ),
      );
    }
    const all = g.runbook.steps.flatMap(shellTexts).join('\n');
    for (const cluster of expected.clusters.in) {
      expect(all).toContain(`--context '${cluster}'`);
    }
    for (const cluster of expected.clusters.notIn ?? []) {
      expect(all).not.toContain(`--context '${cluster}'`);
    }
    const fix = shellTexts(stepOf(g.runbook, 'fix')).join('\n');
    for (const text of expected.fixCommands) {
      expect(fix).toContain(text);
    }
  });

  it('renders the postmortem with the hypothesis and the timeline', () => {
    const markdown = renderPostmortem(g.runbook, g.timeline, g.now);
    expect(markdown).toContain(`# Postmortem: ${g.runbook.title}`);
    expect(markdown).toContain(`(${expected.hypothesis}), confidence`);
    expect(markdown).toContain('## Timeline');
    const terminations = g.timeline.events.filter(
      e => e.kind === 'termination',
    );
    // The first kill, as the timeline section lists it.
    const first = terminations[0];
    const firstLine = first
      ? `- ${new Date(first.time)
          .toISOString()
          .replace('T', ' ')
          .slice(0, 19)}Z: ${first.pod}/${first.container} (${
          first.cluster
        }): ${first.reason}`
      : '- nothing recorded';
    expect(markdown).toContain(firstLine);
    for (const step of g.runbook.steps) {
      expect(markdown).toContain(`: ${step.status}\n`);
    }
  });
});

describe('runbooks of different hypotheses', () => {
  it('differ in their titles, fixes and skipped steps', () => {
    const problems = scenarios
      .filter(([s, e]) => e.hypothesis !== 'healthy' && s !== 'multi-cluster')
      .map(([s]) => gathered.get(s)!.runbook);
    const fixTitles = problems.map(r => stepOf(r, 'fix').title);
    expect(new Set(fixTitles).size).toBe(problems.length);
    const fixCommands = problems.map(r =>
      shellTexts(stepOf(r, 'fix')).join('\n'),
    );
    expect(new Set(fixCommands).size).toBe(problems.length);
    const kernel = (s: string) => stepOf(gathered.get(s)!.runbook, 'kernel');
    expect(kernel('checkout-oom').skippedReason).toMatch(/disabled/);
    expect(kernel('network-fault').skippedReason).toMatch(/disabled/);
    expect(kernel('app-crash').skippedReason).toMatch(/^Not needed/);
    expect(kernel('cpu-throttling').skippedReason).toMatch(/^Not needed/);
    expect(
      stepOf(gathered.get('checkout-oom')!.runbook, 'fix').memoryLimitFix,
    ).toEqual({
      cluster: 'sandbox',
      namespace: 'finance',
      workloadKind: 'Deployment',
      workloadName: 'checkout-api',
      container: 'checkout-api',
      currentLimit: '512Mi',
      proposedLimit: '1Gi',
    });
    expect(
      stepOf(gathered.get('multi-cluster')!.runbook, 'fix').memoryLimitFix
        ?.cluster,
    ).toBe('production');
    for (const r of problems.filter(
      p => p.hypothesis !== 'memory-limit-too-low',
    )) {
      expect(stepOf(r, 'fix').memoryLimitFix).toBeUndefined();
    }
    const healthy = gathered.get('healthy')!.runbook;
    expect(healthy.steps.map(s => s.skippedReason)).toEqual(
      healthy.steps.map(() => expect.stringMatching(/^No problem found/)),
    );
    // Nothing to fix or watch; what was looked at stays.
    expect(healthy.steps.map(s => [s.id, s.commands.length > 0])).toEqual([
      ['triage', true],
      ['logs', true],
      ['replicas', true],
      ['kernel', false],
      ['fix', false],
      ['verify', false],
    ]);
  });
});

describe('the commands run against the sandbox', () => {
  const lab = () => gathered.get('checkout-oom')!;
  const withKubeconfig = () => ({
    env: { ...process.env, KUBECONFIG: lab().kubeconfig },
  });

  (kubectlBinary ? describe : describe.skip)('with kubectl', () => {
    it('prints the restarts, pods and events the runbook names', async () => {
      const replicas = shellTexts(stepOf(lab().runbook, 'replicas'));
      const table = await run('sh', ['-c', replicas[0]], withKubeconfig());
      expect(table.stdout).toMatch(
        /checkout-api-v1-abc\t restarts: \d+\t reason: OOMKilled/,
      );
      const events = replicas.find(c => c.includes('get events'))!;
      const eventsOut = await run('sh', ['-c', events], withKubeconfig());
      expect(eventsOut.stdout).toMatch(/BackOff|Unhealthy/);
    });

    it('applies the Fix patch: the spec then holds the proposed limit', async () => {
      const fix = stepOf(lab().runbook, 'fix');
      const [spec, patch] = shellTexts(fix);
      await run('sh', ['-c', patch], withKubeconfig());
      const after = await run('sh', ['-c', spec], withKubeconfig());
      expect(after.stdout).toContain('"memory":"1Gi"');
    });
  });

  it('Prometheus answers the working set / limit query of Triage', async () => {
    const query = stepOf(lab().runbook, 'triage').commands.find(c =>
      c.label.startsWith('Working set as a share'),
    )!.text;
    const { prometheusUrl } = lab().sandbox.clusters[0];
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
    );
    const body = (await response.json()) as {
      status: string;
      data: {
        result: Array<{ metric: { pod: string }; value: [number, string] }>;
      };
    };
    expect(body.status).toBe('success');
    expect(body.data.result.map(r => r.metric.pod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const r of body.data.result) {
      expect(Number(r.value[1])).toBeGreaterThan(0);
      expect(Number(r.value[1])).toBeLessThanOrEqual(1);
    }
  });
});
