import { z } from 'zod';
import { EvidenceItem, HypothesisId, Recommendation } from './diagnosis';

/**
 * The paths of the runbook endpoints, relative to the plugin's base URL.
 * `runbook` answers a {@link RunbookResponse}; `export` the postmortem;
 * `actions` records what a person or a fix did (`POST`); `memoryLimitFix`
 * patches a workload's memory limit in its cluster (`POST`).
 *
 * @public
 */
export const RUNBOOK_PATHS = {
  runbook: '/v1/runbook',
  export: '/v1/runbook/export',
  actions: '/v1/runbook/actions',
  memoryLimitFix: '/v1/fixes/memory-limit',
} as const;

/**
 * The steps of a runbook, in the order a person takes them.
 *
 * @public
 */
export const RUNBOOK_STEP_IDS = [
  'triage',
  'logs',
  'replicas',
  'kernel',
  'fix',
  'verify',
] as const;

/**
 * One of {@link RUNBOOK_STEP_IDS}.
 *
 * @public
 */
export type RunbookStepId = (typeof RUNBOOK_STEP_IDS)[number];

/**
 * Where a step is: its evidence was gathered automatically (`done`), it
 * waits for a person (`needs-person`), it is under way (`in-progress`), or
 * it does not apply to this incident (`skipped`, with the reason).
 *
 * @public
 */
export type RunbookStepStatus =
  | 'done'
  | 'needs-person'
  | 'in-progress'
  | 'skipped';

/**
 * A command a person could run by hand to see the same evidence.
 *
 * @public
 */
export interface RunbookCommand {
  /** What it shows, in a few words. */
  label: string;
  /** What it is written in: a shell command, a LogQL or a PromQL query. */
  language: 'shell' | 'logql' | 'promql' | 'yaml';
  /** The exact text, with every value quoted or escaped for its language. */
  text: string;
}

/**
 * The change the Fix step proposes for a memory limit, and where to make it.
 *
 * @public
 */
export interface MemoryLimitFix {
  cluster: string;
  namespace: string;
  /** `Deployment`, `StatefulSet` or `DaemonSet`. */
  workloadKind: string;
  workloadName: string;
  container: string;
  /** Kubernetes quantities, e.g. `512Mi` and `1Gi`. */
  currentLimit: string;
  proposedLimit: string;
}

/**
 * How far the Verify step is: it watches the replicas for a window after a
 * fix and passes when every check held for the whole window.
 *
 * @public
 */
export interface VerifyProgress {
  /** RFC 3339: when the current watch began (a failed check restarts it). */
  since: string;
  /** The window's length, in seconds. */
  windowSeconds: number;
  /** How much of the window has passed, 0–1. */
  progress: number;
  /** Each check as it stands now. */
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  /** RFC 3339, once it passed. */
  passedAt?: string;
}

/**
 * One step of a runbook.
 *
 * @public
 */
export interface RunbookStep {
  id: RunbookStepId;
  title: string;
  status: RunbookStepStatus;
  /** What the step found or what it waits for, in one or two sentences. */
  summary: string;
  /** For `skipped`: why the step does not apply. */
  skippedReason?: string;
  /** The evidence gathered for the step. */
  evidence: EvidenceItem[];
  /** The commands a person could run by hand, in the order to run them. */
  commands: RunbookCommand[];
  /** For the Fix step of a memory runbook. */
  memoryLimitFix?: MemoryLimitFix;
  /** For the Verify step once a fix is seen. */
  verify?: VerifyProgress;
}

/**
 * What happened during an incident, and who did it.
 *
 * @public
 */
export interface IncidentAction {
  /** RFC 3339. */
  at: string;
  /** A user entity ref, or `system` for what the backend saw by itself. */
  actor: string;
  kind:
    | 'opened'
    | 'step-completed'
    | 'step-skipped'
    | 'fix-proposed'
    | 'fix-applied'
    | 'fix-observed'
    | 'verify-started'
    | 'verify-reset'
    | 'closed'
    | 'note';
  stepId?: RunbookStepId;
  /** One sentence. */
  message: string;
}

/**
 * An incident of one entity: opened when the diagnosis first found a
 * problem, closed when verification passed.
 *
 * @public
 */
export interface IncidentRecord {
  id: string;
  entityRef: string;
  status: 'open' | 'resolved';
  /** The hypothesis the incident was opened for. */
  hypothesis: HypothesisId;
  title: string;
  /** RFC 3339. */
  openedAt: string;
  closedAt?: string;
  /** Seconds from opening to the passed verification. */
  timeToRecoverySeconds?: number;
  /** Oldest first. */
  actions: IncidentAction[];
}

/**
 * `GET /v1/runbook?entityRef=`: the entity's current incident (or its most
 * recent one, resolved, or none) and the runbook for the top hypothesis.
 *
 * @public
 */
export interface RunbookResponse {
  entityRef: string;
  incident?: IncidentRecord;
  /** The hypothesis the runbook follows. */
  hypothesis: HypothesisId;
  title: string;
  confidence: number;
  recommendation?: Recommendation;
  steps: RunbookStep[];
}

/**
 * The query of `GET /v1/runbook` and of its export.
 *
 * @public
 */
export const runbookQuerySchema = z
  .object({ entityRef: z.string().min(1).max(512) })
  .strict();

/**
 * The query of `GET /v1/runbook/export`.
 *
 * @public
 */
export const runbookExportQuerySchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    format: z.literal('markdown').default('markdown'),
  })
  .strict();

/**
 * What a person records on a step (`POST /v1/runbook/actions`): done by
 * hand, skipped with a reason, or a note; and what the fix actions record
 * (`fix-proposed` by the manifest edit, `fix-applied` by the cluster patch).
 *
 * @public
 */
export const runbookActionRequestSchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    kind: z.enum([
      'step-completed',
      'step-skipped',
      'fix-proposed',
      'fix-applied',
      'note',
    ]),
    stepId: z.enum(RUNBOOK_STEP_IDS).optional(),
    message: z.string().trim().min(1).max(500),
  })
  .strict();

/**
 * A parsed {@link runbookActionRequestSchema}.
 *
 * @public
 */
export type RunbookActionRequest = z.infer<typeof runbookActionRequestSchema>;

/**
 * `POST /v1/fixes/memory-limit`: set one container's memory limit (and
 * optionally its request) on the entity's workload in its cluster, with a
 * strategic-merge patch. Quantities are Kubernetes quantities.
 *
 * @public
 */
export const memoryLimitFixRequestSchema = z
  .object({
    entityRef: z.string().min(1).max(512),
    cluster: z.string().min(1).max(253),
    namespace: z.string().min(1).max(63),
    workloadKind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
    workloadName: z.string().min(1).max(253),
    container: z.string().min(1).max(63),
    limit: z.string().min(1).max(32),
    request: z.string().min(1).max(32).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

/**
 * A parsed {@link memoryLimitFixRequestSchema}.
 *
 * @public
 */
export type MemoryLimitFixRequest = z.infer<typeof memoryLimitFixRequestSchema>;

/**
 * The answer of `POST /v1/fixes/memory-limit`.
 *
 * @public
 */
export interface MemoryLimitFixResponse {
  cluster: string;
  namespace: string;
  workloadKind: string;
  workloadName: string;
  container: string;
  previousLimit?: string;
  limit: string;
  previousRequest?: string;
  request?: string;
  dryRun: boolean;
}
