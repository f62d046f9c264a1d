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
import { demoComponent } from './__testUtils__/demoCatalog';
import { buildRunbook } from './service/runbook/buildRunbook';
import { PLAYBOOKS } from './service/runbook/steps/playbooks';
import { escapeMarkdown, renderPostmortem } from './service/runbook/postmortem';
import { sandboxConfig } from './__testUtils__/fixtures';

const run = promisify(execFile);
const kubectlBinary = findBinary('kubectl');

/** The pods' label selector the catalog gives the entity. */
function selectorOf(name: string): string {
  const annotations = demoComponent(name).metadata.annotations ?? {};
  return (
    annotations['backstage.io/kubernetes-label-selector'] ??
    `backstage.io/kubernetes-id=${annotations['backstage.io/kubernetes-id']}`
  );
}

/** What a runbook of each shipped scenario must show. */
interface Expected {
  /** The catalog Component the scenario is about, and where its pods run. */
  entity: string;
  namespace: string;
  /** The Deployment every workload command names. */
  workload: string;
  hypothesis: HypothesisId;
  statuses: Record<RunbookStepId, RunbookStepStatus>;
  /** The clusters its commands name, and those they must not. */
  clusters: { in: string[]; notIn?: string[] };
  /** Text some Fix command must hold. */
  fixCommands: string[];
  /** Text no Fix command may hold. */
  notInFix?: string[];
  /** What the Fix step's title and summary say, when it matters. */
  fixTitle?: string;
  fixSummary?: RegExp[];
  /** What the Replicas step's summary says, when it matters. */
  replicasSummary?: RegExp;
}

const LAB = {
  entity: 'checkout-api',
  namespace: 'finance',
  workload: 'checkout-api',
} as const;

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
      ...LAB,
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
      ...LAB,
      hypothesis: 'memory-limit-too-low',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['production'], notIn: ['staging'] },
      fixCommands: [`--limits=memory='1Gi'`],
    },
  ],
  [
    'network-fault',
    {
      ...LAB,
      hypothesis: 'network-fault',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['get networkpolicy', 'get endpoints'],
    },
  ],
  [
    'cpu-throttling',
    {
      ...LAB,
      hypothesis: 'cpu-throttling',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [`--limits=cpu='1000m'`, '"limits":{"cpu":null}'],
    },
  ],
  [
    'node-memory-pressure',
    {
      ...LAB,
      hypothesis: 'node-memory-pressure',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [`cordon 'worker-2'`, `drain 'worker-2'`],
    },
  ],
  [
    'app-crash',
    {
      ...LAB,
      hypothesis: 'application-crash',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['--previous', `rollout undo 'deployment/checkout-api'`],
    },
  ],
  [
    'probe-misconfig',
    {
      ...LAB,
      hypothesis: 'probe-misconfiguration',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: ['"livenessProbe":{"httpGet":{"port":8080}}'],
    },
  ],
  [
    'healthy',
    {
      ...LAB,
      hypothesis: 'healthy',
      statuses: SKIPPED_ALL,
      clusters: { in: ['sandbox'] },
      fixCommands: [],
    },
  ],
  [
    // Go, killed every ~6 h: find the leak, with Go's own profiler.
    'slow-leak',
    {
      entity: 'payment-gateway',
      namespace: 'finance',
      workload: 'payment-gateway',
      hypothesis: 'memory-leak',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [
        `port-forward 'pod/payment-gateway-5d8c7b9f6-`,
        'go tool pprof -top http://localhost:6060/debug/pprof/heap',
        `exec 'payment-gateway-5d8c7b9f6-`,
        `set resources 'deployment/payment-gateway' -c 'payment-gateway' --limits=memory=`,
      ],
      fixSummary: [/^Raising the limit only buys time: the leak must be found/],
    },
  ],
  [
    // Node.js, one replica of three OOMKilled: raise the limit, and find
    // what that replica does differently.
    'one-replica-oom',
    {
      entity: 'cart-service',
      namespace: 'storefront',
      workload: 'cart-service',
      hypothesis: 'memory-limit-too-low',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [
        `patch deployment 'cart-service' --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"cart-service","resources":{"limits":{"memory":"1.5Gi"}}}]}}}}'`,
        `set resources 'deployment/cart-service' -c 'cart-service' --limits=memory='1.5Gi'`,
        `logs 'cart-service-6f7d9c8b4-v5r7n' -c 'cart-service' --previous`,
      ],
      notInFix: [
        'cart-service-6f7d9c8b4-2xk8p',
        'cart-service-6f7d9c8b4-9mq4z',
      ],
      fixSummary: [
        /from 768Mi to 1\.5Gi/,
        /Only cart-service-6f7d9c8b4-v5r7n of 3 replicas was OOMKilled: find what it does differently/,
      ],
      replicasSummary:
        /^1 of 3 containers in trouble \(cart-service-6f7d9c8b4-v5r7n\): 37 restarts; last ended OOMKilled \(1\)/,
    },
  ],
  [
    // Go, a nil pointer panic: its pods are selected by two labels, and
    // their Deployment is not named after either.
    'go-crash-loop',
    {
      entity: 'auth-service',
      namespace: 'identity',
      workload: 'auth-service',
      hypothesis: 'application-crash',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [
        `logs 'auth-service-7b6c5d4f9-c8n2x' -c 'auth-service' --previous`,
        `rollout history 'deployment/auth-service'`,
        `rollout undo 'deployment/auth-service'`,
      ],
      fixSummary: [
        /"panic: runtime error: invalid memory address or nil pointer dereference" that ends the container with exit 2/,
      ],
      replicasSummary: /^2 of 2 containers in trouble: /,
    },
  ],
  [
    // Python, MemoryError at its own 600Mi cap under a 1Gi limit: raise
    // the runtime's cap; a higher limits.memory would change nothing.
    'python-memory-error',
    {
      entity: 'search-indexer',
      namespace: 'storefront',
      workload: 'search-indexer',
      hypothesis: 'memory-limit-too-low',
      statuses: { ...TRIAGED, ...TO_FIX },
      clusters: { in: ['sandbox'] },
      fixCommands: [
        `get deployment 'search-indexer' -o jsonpath='{range .spec.template.spec.containers[?(@.name=="search-indexer")]}{"command: "}{.command}{"\\nargs: "}{.args}{"\\nenv: "}{.env}{"\\n"}{end}'`,
        `rollout status 'deployment/search-indexer'`,
      ],
      notInFix: ['--limits=memory', '"memory":', 'set resources'],
      fixTitle: "Raise the runtime's memory cap",
      fixSummary: [
        /^Raise the memory cap of the runtime in container search-indexer of Deployment search-indexer \(sandbox, namespace storefront\): it exits after its own memory error at about 600Mi, 59% of its 1Gi limit/,
        /JAVA_TOOL_OPTIONS=-Xmx/,
        /NODE_OPTIONS=--max-old-space-size=/,
        /Keep limits\.memory at least 25% above the new cap/,
      ],
      replicasSummary:
        /^2 of 2 containers in trouble: 27 restarts; last ended Error \(2\)/,
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
async function gather(scenario: string, entity: string): Promise<Gathered> {
  const entityRef = `component:default/${entity}`;
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
        catalogServiceMock.factory({ entities: [demoComponent(entity)] }),
        mockServices.rootConfig.factory({ data: sandboxConfig(sandbox) }),
      ],
    });
    const get = async <T>(kind: string): Promise<T> => {
      const response = await request(server)
        .get(`/api/observability-ir/v1/${kind}`)
        .query({ entityRef });
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
        entityRef,
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
    g = await gather(scenario, expected.entity);
    gathered.set(scenario, g);
  }, 60_000);

  it(`follows ${expected.hypothesis} through its six steps`, () => {
    expect(g.runbook.entityRef).toBe(`component:default/${expected.entity}`);
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
    expect(replicaCommands.length).toBeGreaterThan(0);
    expect(
      replicaCommands.filter(c => !c.includes(`-n '${expected.namespace}'`)),
    ).toEqual([]);
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
    for (const text of expected.notInFix ?? []) {
      expect(fix).not.toContain(text);
    }
  });

  it("selects the pods by the catalog's label selector and names their Deployment", () => {
    const all = g.runbook.steps.flatMap(shellTexts);
    const kubectl = all.filter(c => c.startsWith('kubectl '));
    expect(kubectl.length).toBeGreaterThan(0);
    // Every command in the namespace, but those about nodes.
    const aboutNodes =
      /^kubectl --context '[^']+' (top node|debug|cordon|drain|describe node|get pods -A) /;
    expect(
      kubectl.filter(
        c => !aboutNodes.test(c) && !c.includes(`-n '${expected.namespace}'`),
      ),
    ).toEqual([]);
    // Listing pods goes by the selector, never by a name prefix.
    const selector = `-l '${selectorOf(expected.entity)}'`;
    const listings = kubectl.filter(c => / (get|top) pods? -(?!A)/.test(c));
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.filter(c => !c.includes(selector))).toEqual([]);
    const workloads = all.flatMap(c =>
      [...c.matchAll(/deployment(?:\/| ')([^' ]+)'/g)].map(m => m[1]),
    );
    expect(workloads.filter(w => w !== expected.workload)).toEqual([]);
  });

  it('says what to change in the Fix step and who is in trouble', () => {
    const fix = stepOf(g.runbook, 'fix');
    expect(fix.title).toBe(
      expected.fixTitle ?? PLAYBOOKS[g.runbook.hypothesis].titles.fix,
    );
    for (const pattern of expected.fixSummary ?? []) {
      expect(fix.summary).toMatch(pattern);
    }
    expect(stepOf(g.runbook, 'replicas').summary).toMatch(
      expected.replicasSummary ?? /\w/,
    );
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
    // Each step under its title, each command as a block to copy.
    g.runbook.steps.forEach((step, i) => {
      expect(markdown).toContain(
        `### ${i + 1}. ${escapeMarkdown(step.title)}: ${step.status}\n`,
      );
    });
    for (const command of shellTexts(stepOf(g.runbook, 'fix'))) {
      expect(markdown).toContain(`\`\`\`sh\n${command}\n\`\`\``);
    }
    const fix = stepOf(g.runbook, 'fix');
    expect(markdown).toContain(
      `- **Status:** ${fix.status}: ${escapeMarkdown(fix.summary)}\n`,
    );
    // The limit change, only when there is one to make.
    const change = fix.memoryLimitFix;
    expect(
      markdown.split('\n').filter(l => l.startsWith('- **Change:**')),
    ).toEqual(
      change
        ? [
            `- **Change:** limits.memory of container ${change.container} in Deployment ${change.workloadName} (cluster ${change.cluster}, namespace ${change.namespace}): ${change.currentLimit} → ${change.proposedLimit} (proposed, not applied yet)`,
          ]
        : [],
    );
  });
});

describe('runbooks of different hypotheses', () => {
  it('differ in their titles, fixes and skipped steps', () => {
    const problems = scenarios
      .filter(([, e]) => e.hypothesis !== 'healthy')
      .map(([s]) => gathered.get(s)!.runbook);
    // One Fix title per kind of change: a hypothesis, or a runtime's own
    // memory cap instead of the limit.
    const fixTitles = new Map<string, Set<string>>();
    for (const [s, e] of scenarios.filter(
      ([, x]) => x.hypothesis !== 'healthy',
    )) {
      const title = stepOf(gathered.get(s)!.runbook, 'fix').title;
      fixTitles.set(
        title,
        (fixTitles.get(title) ?? new Set()).add(e.hypothesis),
      );
    }
    expect([...fixTitles.values()].every(h => h.size === 1)).toBe(true);
    expect(fixTitles.size).toBe(
      new Set(problems.map(r => r.hypothesis)).size + 1,
    );
    const fixCommands = problems.map(r =>
      shellTexts(stepOf(r, 'fix')).join('\n'),
    );
    expect(new Set(fixCommands).size).toBe(problems.length);
    const kernel = (s: string) => stepOf(gathered.get(s)!.runbook, 'kernel');
    expect(kernel('checkout-oom').skippedReason).toMatch(/disabled/);
    expect(kernel('network-fault').skippedReason).toMatch(/disabled/);
    expect(kernel('slow-leak').skippedReason).toMatch(/disabled/);
    expect(kernel('python-memory-error').skippedReason).toMatch(/disabled/);
    expect(kernel('app-crash').skippedReason).toMatch(/^Not needed/);
    expect(kernel('go-crash-loop').skippedReason).toMatch(/^Not needed/);
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
    expect(
      stepOf(gathered.get('one-replica-oom')!.runbook, 'fix').memoryLimitFix,
    ).toEqual({
      cluster: 'sandbox',
      namespace: 'storefront',
      workloadKind: 'Deployment',
      workloadName: 'cart-service',
      container: 'cart-service',
      currentLimit: '768Mi',
      proposedLimit: '1.5Gi',
    });
    // A leak's stopgap names the limit; a crash, a probe, CPU, the network
    // and a runtime's own cap have no limit to raise.
    expect(
      stepOf(gathered.get('slow-leak')!.runbook, 'fix').memoryLimitFix,
    ).toMatchObject({ workloadName: 'payment-gateway', currentLimit: '512Mi' });
    for (const r of problems.filter(
      p =>
        !['memory-limit-too-low', 'memory-leak'].includes(p.hypothesis) ||
        p.entityRef === 'component:default/search-indexer',
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

    it('shows the command, args and env of the container whose runtime cap to raise', async () => {
      const python = gathered.get('python-memory-error')!;
      const [show] = shellTexts(stepOf(python.runbook, 'fix'));
      const out = await run('sh', ['-c', show], {
        env: { ...process.env, KUBECONFIG: python.kubeconfig },
      });
      // Exactly the one container the filter names.
      expect(out.stdout).toMatch(/^command: .*\nargs: .*\nenv: .*\n$/);
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
