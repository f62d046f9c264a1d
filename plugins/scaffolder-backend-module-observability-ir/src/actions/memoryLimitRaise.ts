import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { createTwoFilesPatch } from 'diff';
import {
  ObservabilityIrCallOptions,
  ObservabilityIrClient,
} from '../client/ObservabilityIrClient';
import { readMaxMemoryLimit } from '../config';
import {
  editMemorySettings,
  locateMemorySettings,
  readMemorySettings,
} from '../manifests/memorySettings';
import { WORKLOAD_KINDS } from '../manifests/workloads';
import { decideMemorySettings } from '../memory/decideMemorySettings';
import {
  checkMemoryLimitCap,
  MemoryQuantity,
  readMemoryQuantity,
} from '../memory/memoryQuantity';
import {
  readWorkspaceFile,
  writeWorkspaceFile,
} from '../workspace/workspaceFile';
import { examples } from './memoryLimitRaise.examples';

/** The longest message an incident action takes. */
const MAX_ACTION_MESSAGE = 500;

async function proposedLimit(
  client: ObservabilityIrClient,
  entityRef: string,
  options: ObservabilityIrCallOptions,
): Promise<MemoryQuantity> {
  const diagnosis = await client.getDiagnosis(entityRef, options);
  const proposed = diagnosis.recommendation?.memoryLimit?.proposed;
  if (!proposed) {
    const top = diagnosis.hypotheses[0];
    throw new InputError(
      `the diagnosis of ${entityRef} proposes no memory limit (its top hypothesis: ${
        top ? top.title : 'none'
      }); give limit to set one`,
    );
  }
  return readMemoryQuantity(
    proposed,
    `the memory limit the diagnosis of ${entityRef} proposes`,
  );
}

/**
 * Raises a container's memory limit (and optionally its request) in a
 * Kubernetes manifest, Kustomize patch or Helm values file of the
 * template's workspace, changing nothing else in the file.
 *
 * @public
 */
export function createMemoryLimitRaiseAction(options: {
  config: Config;
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const maxLimit = readMaxMemoryLimit(options.config);
  const client = new ObservabilityIrClient(options);

  return createTemplateAction({
    id: 'observability:memory-limit:raise',
    description:
      "Raises a container's memory limit in a Kubernetes manifest, Kustomize patch or Helm values file of the workspace, keeping the rest of the file byte for byte",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string({
              description:
                'The file to edit, relative to the workspace: a manifest (one or several documents), a strategic-merge patch, a kustomization.yaml with inline patches, or a Helm values file',
            })
            .min(1),
        workloadName: z =>
          z.string({ description: 'The workload’s metadata.name' }).min(1),
        workloadKind: z =>
          z
            .enum(WORKLOAD_KINDS, {
              description:
                'Deployment, StatefulSet or DaemonSet; any of them when absent',
            })
            .optional(),
        container: z =>
          z.string({ description: 'The container’s name' }).min(1),
        limit: z =>
          z
            .string({
              description:
                'The new memory limit, a Kubernetes quantity such as 1Gi. When absent, the limit the diagnosis of entityRef proposes',
            })
            .optional(),
        entityRef: z =>
          z
            .string({
              description:
                'The catalog entity of the workload: where the limit comes from when none is given, and whose incident records the proposal',
            })
            .min(1)
            .max(512)
            .optional(),
        request: z =>
          z
            .string({
              description:
                'Also set the memory request to this quantity; it may not exceed the limit',
            })
            .optional(),
        raiseRequest: z =>
          z
            .boolean({
              description:
                'Set the memory request to the new limit (when no request is given)',
            })
            .optional(),
        allowLower: z =>
          z
            .boolean({
              description:
                'Allow a limit below the current one; refused by default',
            })
            .default(false)
            .optional(),
        valuesPath: z =>
          z
            .string({
              description:
                'For Helm values files: the dot-separated path of the limit. Default resources.limits.memory',
            })
            .optional(),
        dryRun: z =>
          z
            .boolean({
              description: 'Compute the change and its diff; write nothing',
            })
            .optional(),
      },
      output: {
        file: z =>
          z.string({
            description: 'The edited file, relative to the workspace',
          }),
        oldLimit: z =>
          z
            .string({
              description: 'The limit before; absent when none was set',
            })
            .optional(),
        newLimit: z =>
          z.string({ description: 'The limit the file holds afterwards' }),
        oldRequest: z =>
          z
            .string({ description: 'The request before, when it changed' })
            .optional(),
        newRequest: z =>
          z
            .string({ description: 'The request afterwards, when it changed' })
            .optional(),
        changed: z =>
          z.boolean({
            description:
              'Whether the file changed (in a dry run: whether it would)',
          }),
        diff: z =>
          z.string({
            description: 'The change as a unified diff; empty when none',
          }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const dryRun = input.dryRun === true || ctx.isDryRun === true;
      const selector = {
        kind: input.workloadKind,
        name: input.workloadName,
        container: input.container,
      };

      const givenLimit =
        input.limit === undefined
          ? undefined
          : readMemoryQuantity(input.limit, 'limit');
      const givenRequest =
        input.request === undefined
          ? undefined
          : readMemoryQuantity(input.request, 'request');
      if (!givenLimit && !input.entityRef) {
        throw new InputError(
          'give limit, or entityRef to take the limit its diagnosis proposes',
        );
      }

      const file = await readWorkspaceFile(ctx.workspacePath, input.path);
      const site = locateMemorySettings(file.content, {
        file: file.relativePath,
        selector,
        valuesPath: input.valuesPath,
      });
      const current = readMemorySettings(site);

      const callOptions = {
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      };
      const limit =
        givenLimit ??
        (await proposedLimit(client, input.entityRef!, callOptions));
      checkMemoryLimitCap(limit, maxLimit);
      const decision = decideMemorySettings({
        current,
        limit,
        request: givenRequest ?? (input.raiseRequest ? limit : undefined),
        allowLower: input.allowLower ?? false,
        where: site.where,
      });

      const edited =
        decision.limit.changed || decision.request.changed
          ? editMemorySettings(file.content, site, {
              limit: decision.limit.changed ? decision.limit.new : undefined,
              request: decision.request.changed
                ? decision.request.new
                : undefined,
            })
          : file.content;
      const changed = edited !== file.content;
      const diff = changed
        ? createTwoFilesPatch(
            `a/${file.relativePath}`,
            `b/${file.relativePath}`,
            file.content,
            edited,
          )
        : '';

      const summary = `memory limit ${decision.limit.old ?? '(none)'} → ${
        decision.limit.new
      }${
        decision.request.changed
          ? `, request ${decision.request.old ?? '(none)'} → ${
              decision.request.new
            }`
          : ''
      } for ${site.where}`;
      if (!changed) {
        ctx.logger.info(`Nothing to change: ${summary}`);
      } else if (dryRun) {
        ctx.logger.info(`Dry run, nothing written: ${summary}\n${diff}`);
      } else {
        await ctx.checkpoint({
          key: `observability.memory-limit.raise.${file.relativePath}.${selector.name}.${selector.container}`,
          fn: () => writeWorkspaceFile(file, edited),
        });
        ctx.logger.info(`Wrote ${summary}`);
      }

      ctx.output('file', file.relativePath);
      if (decision.limit.old !== undefined) {
        ctx.output('oldLimit', decision.limit.old);
      }
      ctx.output('newLimit', decision.limit.new);
      if (decision.request.changed) {
        if (decision.request.old !== undefined) {
          ctx.output('oldRequest', decision.request.old);
        }
        ctx.output('newRequest', decision.request.new!);
      }
      ctx.output('changed', changed);
      ctx.output('diff', diff);

      if (changed && !dryRun && input.entityRef) {
        const entityRef = input.entityRef;
        const message = `Proposed memory limit ${
          decision.limit.old ? `${decision.limit.old} → ` : ''
        }${decision.limit.new} for container ${selector.container} in ${
          file.relativePath
        }`;
        await ctx.checkpoint({
          key: `observability.memory-limit.raise.record.${file.relativePath}.${selector.name}.${selector.container}`,
          fn: async () => {
            try {
              await client.recordRunbookAction(
                {
                  entityRef,
                  kind: 'fix-proposed',
                  stepId: 'fix',
                  message: message.slice(0, MAX_ACTION_MESSAGE),
                },
                callOptions,
              );
            } catch (error) {
              // The file is written; a missing note on the incident is no
              // reason to fail the template.
              ctx.logger.warn(
                `Could not record the proposal on the incident of ${entityRef}: ${
                  (error as Error).message
                }`,
              );
            }
          },
        });
      }
    },
  });
}
