import type { V1Container } from '@kubernetes/client-node';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  formatMemoryQuantity,
  MemoryLimitFixRequest,
  MemoryLimitFixResponse,
  observabilityIrMemoryLimitApplyPermission,
  parseMemoryQuantity,
} from '@observability-ir/plugin-observability-ir-common';
import type { ClusterAccess } from '../../clusters/ClusterAccess';
import { WorkloadClient } from '../../clients/WorkloadClient';
import { LabelRequirement, parseLabelSelector } from '../../queries';
import type {
  IncidentRequestOptions,
  IncidentService,
} from '../IncidentService';
import { normalizeEntityRef } from '../workload/entityRefs';

/** The highest memory limit the fix sets unless configured otherwise. */
export const DEFAULT_MAX_MEMORY_LIMIT = '16Gi';

function matches(
  labels: Record<string, string>,
  requirement: LabelRequirement,
): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case 'notExists':
      return value === undefined;
    case 'equals':
      return value === requirement.value;
    case 'notEquals':
      return value !== requirement.value;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    default:
      return value === undefined || !requirement.values.includes(value);
  }
}

function quantity(what: string, text: string): number {
  let bytes: number;
  try {
    bytes = parseMemoryQuantity(text);
  } catch {
    throw new InputError(
      `The ${what} "${text}" is not a Kubernetes memory quantity such as 768Mi or 1Gi`,
    );
  }
  if (bytes <= 0) {
    throw new InputError(`The ${what} must be more than zero, not "${text}"`);
  }
  return bytes;
}

/**
 * Sets one container's memory limit (and optionally its request) on an
 * entity's Deployment, StatefulSet or DaemonSet, with a strategic-merge
 * patch through the cluster's configured credentials, for teams that do
 * not deploy through Git. Only on a workload whose pods the entity's label
 * selector selects, in the entity's namespace; never lower, never above
 * the configured maximum.
 */
export class MemoryLimitFixer {
  constructor(
    private readonly deps: {
      incidents: IncidentService;
      permissions: PermissionsService;
      clusterAccess: ClusterAccess;
      maxLimitBytes: number;
      timeoutMs: number;
    },
  ) {}

  async apply(
    request: MemoryLimitFixRequest,
    options: IncidentRequestOptions,
  ): Promise<MemoryLimitFixResponse> {
    const entityRef = normalizeEntityRef(request.entityRef);
    const [decision] = await this.deps.permissions.authorize(
      [
        {
          permission: observabilityIrMemoryLimitApplyPermission,
          resourceRef: entityRef,
        },
      ],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to change the memory limit of ${entityRef}'s workloads in the cluster`,
      );
    }

    const limitBytes = quantity('memory limit', request.limit);
    const requestBytes =
      request.request === undefined
        ? undefined
        : quantity('memory request', request.request);
    if (limitBytes > this.deps.maxLimitBytes) {
      throw new InputError(
        `The memory limit ${
          request.limit
        } is above the highest this portal sets, ${formatMemoryQuantity(
          this.deps.maxLimitBytes,
        )} (observabilityIr.fixes.maxMemoryLimit)`,
      );
    }
    if (requestBytes !== undefined && requestBytes > limitBytes) {
      throw new InputError(
        `The memory request ${request.request} must not be above the limit ${request.limit}`,
      );
    }

    // Reading the workload of the entity also checks that the caller may
    // read its incident data.
    const workload = await this.deps.incidents.getWorkload(entityRef, options);
    if (workload.cluster && workload.cluster !== request.cluster) {
      throw new NotAllowedError(
        `${entityRef} runs in cluster ${workload.cluster}, not ${request.cluster}`,
      );
    }
    if (workload.namespace && workload.namespace !== request.namespace) {
      throw new NotAllowedError(
        `${entityRef} runs in namespace ${workload.namespace}, not ${request.namespace}`,
      );
    }

    const client = await this.client(request.cluster, options);
    const where = `${request.workloadKind} ${request.workloadName} in namespace ${request.namespace} of cluster ${request.cluster}`;
    const current = await client.read(
      request.workloadKind,
      request.namespace,
      request.workloadName,
    );
    if (!current) {
      throw new NotFoundError(`There is no ${where}`);
    }
    const labels = current.spec?.template?.metadata?.labels ?? {};
    const selected = parseLabelSelector(workload.labelSelector).every(r =>
      matches(labels, r),
    );
    if (!selected) {
      throw new NotAllowedError(
        `The pods of ${where} are not ${entityRef}'s: its label selector ${workload.labelSelector} does not select them`,
      );
    }
    const container = (current.spec?.template?.spec?.containers ?? []).find(
      (c: V1Container) => c.name === request.container,
    );
    if (!container) {
      throw new InputError(`${where} has no container ${request.container}`);
    }
    const previousLimit = container.resources?.limits?.memory;
    const previousRequest = container.resources?.requests?.memory;
    if (
      previousLimit !== undefined &&
      parseMemoryQuantity(previousLimit) > limitBytes
    ) {
      throw new InputError(
        `Refusing to lower the memory limit of container ${request.container} from ${previousLimit} to ${request.limit}`,
      );
    }

    const response: MemoryLimitFixResponse = {
      cluster: request.cluster,
      namespace: request.namespace,
      workloadKind: request.workloadKind,
      workloadName: request.workloadName,
      container: request.container,
      ...(previousLimit !== undefined ? { previousLimit } : {}),
      limit: request.limit,
      ...(previousRequest !== undefined ? { previousRequest } : {}),
      ...(request.request !== undefined ? { request: request.request } : {}),
      dryRun: request.dryRun ?? false,
    };
    if (request.dryRun) {
      return response;
    }
    await client.patch(
      request.workloadKind,
      request.namespace,
      request.workloadName,
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: request.container,
                  resources: {
                    limits: { memory: request.limit },
                    ...(request.request !== undefined
                      ? { requests: { memory: request.request } }
                      : {}),
                  },
                },
              ],
            },
          },
        },
      },
    );
    return response;
  }

  private async client(
    cluster: string,
    options: IncidentRequestOptions,
  ): Promise<WorkloadClient> {
    const details = (await this.deps.clusterAccess.clusters()).find(
      c => c.name === cluster,
    );
    if (!details) {
      throw new InputError(`There is no cluster ${cluster}`);
    }
    return new WorkloadClient({
      cluster: details,
      credential: () =>
        this.deps.clusterAccess.credential(
          details,
          options.kubernetesAuth ?? {},
        ),
      timeoutMs: this.deps.timeoutMs,
    });
  }
}
