import {
  ExecutedQuery,
  ForensicsRun,
  IncidentAction,
  IncidentRecord,
} from '@observability-ir/plugin-observability-ir-common';
import { CLUSTER, NAMESPACE, NOW } from '../../../__testUtils__/evidence';
import {
  errorLogs,
  memoryLimit,
  memoryWorkingSet,
  PodScope,
  restarts,
} from '../../../queries';
import { diagnose, DiagnosisInput } from '../../diagnosis';
import { readForensicsReport } from '../../forensics';
import { fixture } from '../../forensics/__testUtils__/fixtures';
import type { RunbookInputs } from '../buildRunbook';

export const ENTITY_REF = 'component:default/checkout-api';

const SCOPE: PodScope = {
  namespace: NAMESPACE,
  pods: {
    owners: [{ kind: 'Deployment', name: 'checkout-api' }],
    names: ['checkout-api-v1-abc', 'checkout-api-v1-xyz'],
  },
};

/** The PromQL the backend runs, by the names it gives them. */
const METRIC_QUERIES: ExecutedQuery[] = [
  {
    name: 'memory working set',
    cluster: CLUSTER,
    query: memoryWorkingSet(SCOPE),
  },
  { name: 'memory limit', cluster: CLUSTER, query: memoryLimit(SCOPE) },
  { name: 'restarts', cluster: CLUSTER, query: restarts(SCOPE) },
];

/**
 * The runbook's inputs for a piece of diagnosis evidence: the answers the
 * backend's endpoints would give for it, with the diagnosis computed by
 * the real engine.
 */
export function runbookInputs(
  input: DiagnosisInput,
  overrides: Partial<RunbookInputs> = {},
): RunbookInputs {
  const range = {
    start: new Date(NOW.getTime() - 3_600_000).toISOString(),
    end: NOW.toISOString(),
    stepSeconds: 15,
  };
  const of = (source: string) => input.sources.filter(s => s.source === source);
  const { hypotheses, recommendation } = diagnose(input, { now: NOW });
  return {
    entityRef: ENTITY_REF,
    workload: {
      entityRef: ENTITY_REF,
      kubernetesId: 'checkout-api',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api',
      namespace: NAMESPACE,
    },
    diagnosis: {
      entityRef: ENTITY_REF,
      hypotheses,
      ...(recommendation && { recommendation }),
      sources: input.sources,
    },
    replicas: {
      entityRef: ENTITY_REF,
      replicas: input.replicas,
      events: input.events,
      nodes: input.nodes,
      kubectlCommands: [],
      sources: of('kubernetes'),
    },
    logs: {
      entityRef: ENTITY_REF,
      range,
      groups: input.logGroups,
      linesRead: input.logGroups.reduce((n, g) => n + g.count, 0),
      truncated: false,
      queries: [
        { name: 'error lines', cluster: CLUSTER, query: errorLogs(SCOPE) },
      ],
      sources: [...of('kubernetes'), ...of('loki')],
    },
    metrics: {
      entityRef: ENTITY_REF,
      range,
      ...input.metrics,
      queries: METRIC_QUERIES,
      sources: [...of('kubernetes'), ...of('prometheus')],
    },
    forensicsRuns: [],
    now: NOW,
    ...overrides,
  };
}

/** An incident of the lab, opened an hour before NOW, with these actions. */
export function incident(
  actions: IncidentAction[] = [],
  overrides: Partial<IncidentRecord> = {},
): IncidentRecord {
  return {
    id: 'inc-1',
    entityRef: ENTITY_REF,
    status: 'open',
    hypothesis: 'memory-limit-too-low',
    title: 'Memory limit too low',
    openedAt: '2026-11-25T13:00:00.000Z',
    actions: [
      {
        at: '2026-11-25T13:00:00.000Z',
        actor: 'system',
        kind: 'opened',
        message: 'The diagnosis found: Memory limit too low (confidence 98%)',
      },
      ...actions,
    ],
    ...overrides,
  };
}

/**
 * A node-forensics run of checkout-api-v1-abc; once succeeded, with the
 * report parsed from a captured script output (nothing listens on 8080,
 * the cgroup recorded OOM kills).
 */
export function forensicsRun(
  status: ForensicsRun['status'],
  overrides: Partial<ForensicsRun> = {},
): ForensicsRun {
  return {
    id: `run-${status}`,
    status,
    entityRef: ENTITY_REF,
    cluster: CLUSTER,
    namespace: NAMESPACE,
    pod: 'checkout-api-v1-abc',
    container: 'checkout-api',
    node: 'worker-1',
    requestedBy: 'user:default/jane',
    createdAt: '2026-11-25T14:00:00.000Z',
    ...(status !== 'pending' && { startedAt: '2026-11-25T14:00:10.000Z' }),
    ...(status === 'succeeded' && {
      finishedAt: '2026-11-25T14:00:40.000Z',
      report: readForensicsReport(fixture('script-output.ctr-oom.txt'), [
        { port: 8080, uses: ['container port', 'readiness probe'] },
      ]),
    }),
    ...(status === 'failed' && {
      finishedAt: '2026-11-25T14:01:00.000Z',
      reason: 'The Job did not start within 60 s',
    }),
    ...overrides,
  };
}
