import {
  RunbookResponse,
  RunbookStep,
} from '@observability-ir/plugin-observability-ir-common';
import { ENTITY_REF } from './fixtures';

/**
 * Runbooks as the backend answers them: the lab's OOM loop of checkout-api
 * (open, verifying, resolved), a network fault, and a healthy service.
 */

/** The command of the Triage step of the OOM runbook. */
export const TRIAGE_COMMAND =
  "kubectl --context 'sandbox' -n 'finance' get pods -l 'backstage.io/kubernetes-id=checkout-api' -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.containerStatuses[0].lastState.terminated.reason}{\"\\n\"}{end}'";

function step(
  id: RunbookStep['id'],
  title: string,
  status: RunbookStep['status'],
  summary: string,
  extra: Partial<RunbookStep> = {},
): RunbookStep {
  return { id, title, status, summary, evidence: [], commands: [], ...extra };
}

/** The steps of the OOM runbook before any fix. */
function oomSteps(): RunbookStep[] {
  return [
    step(
      'triage',
      'Triage',
      'done',
      'Both replicas restart in a loop: OOMKilled (exit 137).',
      {
        evidence: [
          {
            source: 'kubernetes',
            description:
              'checkout-api-v1-abc last terminated OOMKilled (exit 137) after 45 restarts',
          },
        ],
        commands: [
          {
            label: 'Last termination of each pod',
            language: 'shell',
            text: TRIAGE_COMMAND,
          },
        ],
      },
    ),
    step(
      'logs',
      'Logs',
      'done',
      '87 java.lang.OutOfMemoryError lines before the kills.',
      {
        evidence: [
          {
            source: 'loki',
            description: '87 java.lang.OutOfMemoryError: Java heap space lines',
          },
        ],
        commands: [
          {
            label: 'Error lines',
            language: 'logql',
            text: '{namespace="finance", app="checkout-api"} |= "OutOfMemoryError"',
          },
        ],
      },
    ),
    step(
      'replicas',
      'Replicas',
      'done',
      'Every replica reaches 99% of its 512Mi limit before it is killed.',
    ),
    step(
      'kernel',
      'Kernel',
      'needs-person',
      'Run node forensics on a replica to see the kernel’s OOM kills.',
    ),
    step(
      'fix',
      'Fix',
      'needs-person',
      'Raise limits.memory of container checkout-api from 512Mi to 1Gi.',
      {
        memoryLimitFix: {
          cluster: 'sandbox',
          namespace: 'finance',
          workloadKind: 'Deployment',
          workloadName: 'checkout-api',
          container: 'checkout-api',
          currentLimit: '512Mi',
          proposedLimit: '1Gi',
        },
      },
    ),
    step(
      'verify',
      'Verify',
      'needs-person',
      'Waits for a fix to watch the replicas.',
    ),
  ];
}

/** The lab's incident, open, before any fix. */
export function oomRunbook(
  overrides: Partial<RunbookResponse> = {},
): RunbookResponse {
  return {
    entityRef: ENTITY_REF,
    incident: {
      id: 'inc-1',
      entityRef: ENTITY_REF,
      status: 'open',
      hypothesis: 'memory-limit-too-low',
      title: 'Memory limit too low',
      openedAt: '2026-11-25T13:40:00Z',
      actions: [
        {
          at: '2026-11-25T13:40:00Z',
          actor: 'system',
          kind: 'opened',
          message: 'Opened for Memory limit too low.',
        },
      ],
    },
    hypothesis: 'memory-limit-too-low',
    title: 'Memory limit too low',
    confidence: 0.92,
    steps: oomSteps(),
    ...overrides,
  };
}

/** A copy of the runbook with one step changed. */
export function withStep(
  runbook: RunbookResponse,
  id: RunbookStep['id'],
  change: Partial<RunbookStep>,
): RunbookResponse {
  return {
    ...runbook,
    steps: runbook.steps.map(s => (s.id === id ? { ...s, ...change } : s)),
  };
}

/** The lab's incident after the 1Gi fix was seen: Verify watches. */
export function verifyingRunbook(progress = 0.4): RunbookResponse {
  const open = oomRunbook();
  const fixed = withStep(open, 'fix', {
    status: 'done',
    summary: 'limits.memory is 1Gi since 14:02.',
  });
  return withStep(
    {
      ...fixed,
      incident: {
        ...open.incident!,
        actions: [
          ...open.incident!.actions,
          {
            at: '2026-11-25T14:02:00Z',
            actor: 'system',
            kind: 'fix-observed',
            message: 'limits.memory of checkout-api is 1Gi.',
          },
        ],
      },
    },
    'verify',
    {
      status: 'in-progress',
      summary: 'Watching the replicas for 10 minutes.',
      verify: {
        since: '2026-11-25T14:02:00Z',
        windowSeconds: 600,
        progress,
        checks: [
          { name: 'No OOM kill', passed: true, detail: 'none since 14:02' },
          {
            name: 'Restarts',
            passed: false,
            detail: 'checkout-api-v1-xyz restarted at 14:03',
          },
        ],
      },
    },
  );
}

/** The lab's incident once verification passed. */
export function resolvedRunbook(): RunbookResponse {
  const verifying = verifyingRunbook(1);
  const verify = verifying.steps.find(s => s.id === 'verify')!.verify!;
  return withStep(
    {
      ...verifying,
      incident: {
        ...verifying.incident!,
        status: 'resolved',
        closedAt: '2026-11-25T14:12:00Z',
        timeToRecoverySeconds: 32 * 60,
      },
    },
    'verify',
    {
      status: 'done',
      summary: 'Every check held for 10 minutes.',
      verify: {
        ...verify,
        checks: verify.checks.map(c => ({ ...c, passed: true })),
        passedAt: '2026-11-25T14:12:00Z',
      },
    },
  );
}

/** Another cause: the replicas cannot reach their database. */
export function networkRunbook(): RunbookResponse {
  return {
    entityRef: ENTITY_REF,
    incident: {
      id: 'inc-2',
      entityRef: ENTITY_REF,
      status: 'open',
      hypothesis: 'network-fault',
      title: 'Network fault',
      openedAt: '2026-11-25T09:15:00Z',
      actions: [],
    },
    hypothesis: 'network-fault',
    title: 'Network fault',
    confidence: 0.64,
    steps: [
      step('triage', 'Triage', 'done', 'Readiness fails on every replica.'),
      step('logs', 'Logs', 'done', 'Connection refused to payments-db:5432.', {
        evidence: [
          {
            source: 'loki',
            description: '412 "connection refused" lines to payments-db:5432',
          },
        ],
      }),
      step('replicas', 'Replicas', 'skipped', 'Not needed.', {
        skippedReason:
          'Every replica fails alike: the fault is outside the pods.',
      }),
      step(
        'kernel',
        'Kernel',
        'in-progress',
        'Node forensics is reading the pod’s network namespace.',
      ),
      step('fix', 'Fix', 'needs-person', 'Restore the route to payments-db.'),
      step('verify', 'Verify', 'needs-person', 'Waits for a fix.'),
    ],
  };
}

/** A healthy service: no incident, nothing to do. */
export function healthyRunbook(): RunbookResponse {
  return {
    entityRef: ENTITY_REF,
    hypothesis: 'healthy',
    title: 'Healthy',
    confidence: 0.95,
    steps: [],
  };
}
