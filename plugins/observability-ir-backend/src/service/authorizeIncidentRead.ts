import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  incidentReadAllNamespacesPermission,
  incidentReadPermission,
} from '@observability-ir/plugin-observability-ir-common';
import {
  CALLER_CACHE_TTL_MS,
  credentialsKey,
  ShortLivedCache,
} from './callerCache';
import type { IncidentRequestOptions } from './IncidentService';
import { normalizeEntityRef } from './workload/entityRefs';

/** What the permission framework decided for one caller and entity. */
interface IncidentReadDecision {
  read: boolean;
  allNamespaces: boolean;
}

/**
 * `observability-ir.incident.read` on the entity, and whether the caller
 * may read all namespaces, in one round trip to the permission framework.
 */
async function decide(
  permissions: PermissionsService,
  resourceRef: string,
  credentials: BackstageCredentials,
): Promise<IncidentReadDecision> {
  const [read, allNamespaces] = await permissions.authorize(
    [
      { permission: incidentReadPermission, resourceRef },
      { permission: incidentReadAllNamespacesPermission },
    ],
    { credentials },
  );
  return {
    read: read.result === AuthorizeResult.ALLOW,
    allNamespaces: allNamespaces.result === AuthorizeResult.ALLOW,
  };
}

function applyDecision(
  resourceRef: string,
  decision: IncidentReadDecision,
  options: IncidentRequestOptions,
): IncidentRequestOptions {
  if (!decision.read) {
    throw new NotAllowedError(
      `You are not allowed to read the incident data of ${resourceRef}`,
    );
  }
  return { ...options, allNamespaces: decision.allNamespaces };
}

/**
 * The check every read of an entity's incident data passes (the evidence
 * through `AuthorizedIncidentService`, the telemetry audit):
 * `observability-ir.incident.read` on the entity, and whether the caller
 * may read all namespaces, in one round trip to the permission framework.
 *
 * @throws NotAllowedError when the caller may not read the entity's data.
 */
export async function authorizeIncidentRead(
  permissions: PermissionsService,
  entityRef: string,
  options: IncidentRequestOptions,
): Promise<IncidentRequestOptions> {
  const resourceRef = normalizeEntityRef(entityRef);
  return applyDecision(
    resourceRef,
    await decide(permissions, resourceRef, options.credentials),
    options,
  );
}

/**
 * {@link authorizeIncidentRead} with each decision reused for the same
 * caller (and token) and entity for a few seconds, and asked once for
 * concurrent reads: the Incident tab asks for every panel of one entity at
 * once, and each would otherwise cost a round trip to the permission
 * framework (and, for an owner's conditional grant, to the catalog). A
 * refusal is reused as well; a failure of the framework is not.
 */
export class IncidentReadAuthorizer {
  private readonly decisions: ShortLivedCache<IncidentReadDecision>;

  constructor(
    private readonly permissions: PermissionsService,
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.decisions = new ShortLivedCache({
      ttlMs: options.ttlMs ?? CALLER_CACHE_TTL_MS,
      now: options.now,
    });
  }

  /** @throws NotAllowedError when the caller may not read the entity's data. */
  async authorize(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<IncidentRequestOptions> {
    const resourceRef = normalizeEntityRef(entityRef);
    const decision = await this.decisions.get(
      `${resourceRef}\n${credentialsKey(options.credentials)}`,
      () => decide(this.permissions, resourceRef, options.credentials),
    );
    return applyDecision(resourceRef, decision, options);
  }
}
