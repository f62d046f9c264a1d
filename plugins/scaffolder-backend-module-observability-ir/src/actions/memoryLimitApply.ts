import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import {
  MemoryLimitFixResponse,
  memoryLimitFixRequestSchema,
} from '@observability-ir/plugin-observability-ir-common';
import { ObservabilityIrClient } from '../client/ObservabilityIrClient';
import { readMaxMemoryLimit } from '../config';
import { WORKLOAD_KINDS } from '../manifests/workloads';
import {
  checkMemoryLimitCap,
  readMemoryQuantity,
} from '../memory/memoryQuantity';
import { examples } from './memoryLimitApply.examples';

/**
 * Sets a container's memory limit in its cluster through the
 * observability-ir backend, for teams without GitOps. The backend checks
 * the `observability-ir.memory-limit.apply` permission of the person who
 * runs the template, patches the workload and records the fix on the
 * incident; this action never talks to Kubernetes itself.
 *
 * @public
 */
export function createMemoryLimitApplyAction(options: {
  config: Config;
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  const maxLimit = readMaxMemoryLimit(options.config);
  const client = new ObservabilityIrClient(options);

  return createTemplateAction({
    id: 'observability:memory-limit:apply',
    description:
      "Sets a container's memory limit in its cluster through the observability-ir backend, with the permissions of the person who runs the template",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string({ description: 'The catalog entity of the workload' })
            .min(1)
            .max(512),
        cluster: z =>
          z
            .string({
              description: 'The cluster, as named in the kubernetes config',
            })
            .min(1)
            .max(253),
        namespace: z =>
          z.string({ description: 'The workload’s namespace' }).min(1).max(63),
        workloadKind: z =>
          z.enum(WORKLOAD_KINDS, {
            description: 'Deployment, StatefulSet or DaemonSet',
          }),
        workloadName: z =>
          z.string({ description: 'The workload’s name' }).min(1).max(253),
        container: z =>
          z.string({ description: 'The container’s name' }).min(1).max(63),
        limit: z =>
          z.string({
            description:
              'The new memory limit, a Kubernetes quantity such as 1Gi',
          }),
        request: z =>
          z
            .string({
              description:
                'Also set the memory request; it may not exceed the limit',
            })
            .optional(),
        dryRun: z =>
          z
            .boolean({
              description:
                'Ask the cluster to validate the patch without keeping it',
            })
            .optional(),
      },
      output: {
        cluster: z => z.string(),
        namespace: z => z.string(),
        workloadKind: z => z.string(),
        workloadName: z => z.string(),
        container: z => z.string(),
        previousLimit: z =>
          z
            .string({
              description: 'The limit before; absent when none was set',
            })
            .optional(),
        limit: z => z.string({ description: 'The limit now set' }),
        previousRequest: z =>
          z.string({ description: 'The request before, if any' }).optional(),
        request: z =>
          z.string({ description: 'The request now set, if any' }).optional(),
        dryRun: z =>
          z.boolean({ description: 'Whether the cluster kept nothing' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const limit = readMemoryQuantity(input.limit, 'limit');
      checkMemoryLimitCap(limit, maxLimit);
      const request =
        input.request === undefined
          ? undefined
          : readMemoryQuantity(input.request, 'request');
      if (request && request.bytes > limit.bytes) {
        throw new InputError(
          `request ${request.text} is above limit ${limit.text}; give a request no larger than the limit`,
        );
      }

      const parsed = memoryLimitFixRequestSchema.safeParse({
        entityRef: input.entityRef,
        cluster: input.cluster,
        namespace: input.namespace,
        workloadKind: input.workloadKind,
        workloadName: input.workloadName,
        container: input.container,
        limit: limit.text,
        ...(request ? { request: request.text } : {}),
        dryRun: input.dryRun === true || ctx.isDryRun === true,
      });
      if (!parsed.success) {
        throw new InputError(
          `invalid memory-limit fix: ${parsed.error.issues
            .map(issue => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
      }
      const fix = parsed.data;
      const target = `container ${fix.container} of ${fix.workloadKind} ${fix.namespace}/${fix.workloadName} in cluster ${fix.cluster}`;
      const credentials = await ctx.getInitiatorCredentials();

      const result = (await ctx.checkpoint({
        key: `observability.memory-limit.apply.${fix.cluster}.${fix.namespace}.${fix.workloadKind}.${fix.workloadName}.${fix.container}.${fix.dryRun}`,
        fn: async () =>
          (await client.applyMemoryLimitFix(fix, {
            credentials,
            signal: ctx.signal,
          })) as unknown as JsonObject,
      })) as unknown as MemoryLimitFixResponse;

      ctx.logger.info(
        `${
          result.dryRun ? 'Dry run, the cluster kept nothing: ' : ''
        }memory limit ${result.previousLimit ?? '(none)'} → ${
          result.limit
        } for ${target}`,
      );
      ctx.output('cluster', result.cluster);
      ctx.output('namespace', result.namespace);
      ctx.output('workloadKind', result.workloadKind);
      ctx.output('workloadName', result.workloadName);
      ctx.output('container', result.container);
      if (result.previousLimit !== undefined) {
        ctx.output('previousLimit', result.previousLimit);
      }
      ctx.output('limit', result.limit);
      if (result.previousRequest !== undefined) {
        ctx.output('previousRequest', result.previousRequest);
      }
      if (result.request !== undefined) {
        ctx.output('request', result.request);
      }
      ctx.output('dryRun', result.dryRun);
    },
  });
}
