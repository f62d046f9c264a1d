import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { RANGE_PRESETS } from '@observability-ir/plugin-observability-ir-common';
import type { ForensicsService } from '../service/forensics/ForensicsService';
import type { IncidentService } from '../service/IncidentService';
import type { RunbookService } from '../service/runbook/RunbookService';

type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];

const SOURCES = ['kubernetes', 'prometheus', 'loki', 'forensics'] as const;

const evidenceItem = (z: Zod) =>
  z.object({
    source: z.enum(SOURCES),
    description: z.string(),
  });

const sourceStatus = (z: Zod) =>
  z
    .object({
      source: z.string(),
      cluster: z.string().optional(),
      status: z.string(),
      message: z.string().optional(),
    })
    .passthrough();

const entityRefInput = (z: Zod) =>
  z
    .string()
    .min(1)
    .max(512)
    .describe(
      'The catalog entity, e.g. component:default/checkout-api; its Kubernetes annotations say where its pods run',
    );

/**
 * Registers the plugin's actions with Backstage's actions registry, so
 * assistants and MCP clients can read a diagnosis or a runbook and start
 * node forensics. Each acts with the caller's credentials and goes through
 * the same permission checks as the routes.
 */
export function registerIncidentActions(options: {
  actionsRegistry: ActionsRegistryService;
  incidents: IncidentService;
  runbooks: RunbookService;
  forensics: ForensicsService;
}): void {
  const { actionsRegistry, incidents, runbooks, forensics } = options;

  actionsRegistry.register({
    name: 'get-diagnosis',
    title: 'Diagnose an entity’s Kubernetes incident',
    description:
      'Ranks the likely causes of what is wrong with a catalog entity’s pods (memory limit too low, memory leak, node memory pressure, application crash, probe misconfiguration, CPU throttling, network fault, or healthy), each with the evidence for and against it from Kubernetes, Prometheus, Loki and node forensics, and the recommended change for the top one.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          range: z
            .enum(Object.keys(RANGE_PRESETS) as [string, ...string[]])
            .optional()
            .describe('How far back to look; default 1h'),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          hypotheses: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              confidence: z.number(),
              supporting: z.array(evidenceItem(z)),
              contradicting: z.array(evidenceItem(z)),
            }),
          ),
          recommendation: z
            .object({
              summary: z.string(),
              memoryLimit: z
                .object({
                  current: z.string(),
                  proposed: z.string(),
                  peakWorkingSet: z.string(),
                })
                .optional(),
            })
            .optional(),
          sources: z.array(sourceStatus(z)),
        }),
    },
    action: async ({ input, credentials }) => {
      const diagnosis = await incidents.getDiagnosis(
        {
          entityRef: input.entityRef,
          range: (input.range ?? '1h') as keyof typeof RANGE_PRESETS,
        },
        { credentials },
      );
      return { output: diagnosis as any };
    },
  });

  actionsRegistry.register({
    name: 'get-runbook',
    title: 'Read an entity’s incident runbook',
    description:
      'The guided runbook of a catalog entity’s current incident: the steps triage, logs, replicas, kernel, fix and verify, each with its status, the evidence gathered and the exact commands (kubectl, PromQL, LogQL, crictl, nsenter) to check by hand; and the incident record with who did what and when. Reading it opens an incident when the diagnosis finds a problem.',
    attributes: { readOnly: false, idempotent: true, destructive: false },
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            hypothesis: z.string(),
            title: z.string(),
            confidence: z.number(),
            incident: z
              .object({
                id: z.string(),
                status: z.enum(['open', 'resolved']),
                title: z.string(),
                openedAt: z.string(),
                closedAt: z.string().optional(),
                timeToRecoverySeconds: z.number().optional(),
                actions: z.array(
                  z.object({
                    at: z.string(),
                    actor: z.string(),
                    kind: z.string(),
                    stepId: z.string().optional(),
                    message: z.string(),
                  }),
                ),
              })
              .passthrough()
              .optional(),
            steps: z.array(
              z
                .object({
                  id: z.string(),
                  title: z.string(),
                  status: z.enum([
                    'done',
                    'needs-person',
                    'in-progress',
                    'skipped',
                  ]),
                  summary: z.string(),
                  skippedReason: z.string().optional(),
                  evidence: z.array(evidenceItem(z)),
                  commands: z.array(
                    z.object({
                      label: z.string(),
                      language: z.string(),
                      text: z.string(),
                    }),
                  ),
                })
                .passthrough(),
            ),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => ({
      output: (await runbooks.getRunbook(input.entityRef, {
        credentials,
      })) as any,
    }),
  });

  actionsRegistry.register({
    name: 'run-forensics',
    title: 'Run node forensics on one of an entity’s pods',
    description:
      'Starts a Job on the pod’s node that lists the container’s listening sockets (crictl and nsenter) and reads its memory cgroup, then answers the run; read the verdict later from the runbook’s kernel step. Runs only on the entity’s own pods, for callers allowed to run forensics on the entity.',
    attributes: { readOnly: false, idempotent: false, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          cluster: z.string().min(1).max(253),
          namespace: z.string().min(1).max(63),
          pod: z.string().min(1).max(253),
          container: z.string().min(1).max(63).optional(),
        }),
      output: z =>
        z
          .object({
            id: z.string(),
            status: z.string(),
            node: z.string().optional(),
            existing: z.boolean(),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const { run, existing } = await forensics.start(input, { credentials });
      return {
        output: {
          id: run.id,
          status: run.status,
          ...(run.node ? { node: run.node } : {}),
          existing,
        },
      };
    },
  });
}
