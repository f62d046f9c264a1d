import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  EntityWorkload,
  incidentReadPermission,
} from '@observability-ir/plugin-observability-ir-common';
import { resolveEntityWorkload } from './resolveEntityWorkload';

/** Who asks, passed to every call so upstreams are asked on their behalf. */
export interface IncidentRequestOptions {
  credentials: BackstageCredentials;
}

/**
 * The incident evidence of catalog entities.
 *
 * @public
 */
export interface IncidentService {
  /** Which pods belong to an entity, and where to look for them. */
  getWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<EntityWorkload>;
}

function normalizeEntityRef(entityRef: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(entityRef, { defaultKind: 'component' }),
    );
  } catch (error) {
    throw new InputError(
      `Invalid entity ref "${entityRef}": ${(error as Error).message}`,
    );
  }
}

/**
 * Reads entities from the catalog on the caller's behalf, so nobody reaches
 * an entity the catalog hides from them, and authorizes every read with
 * {@link @observability-ir/plugin-observability-ir-common#incidentReadPermission}.
 */
export class DefaultIncidentService implements IncidentService {
  constructor(
    private readonly deps: {
      catalog: typeof catalogServiceRef.T;
      permissions: typeof coreServices.permissions.T;
    },
  ) {}

  async getWorkload(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<EntityWorkload> {
    const ref = normalizeEntityRef(entityRef);
    const [decision] = await this.deps.permissions.authorize(
      [{ permission: incidentReadPermission, resourceRef: ref }],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to read the incident data of ${ref}`,
      );
    }
    const entity = await this.deps.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${ref} in the catalog`);
    }
    return resolveEntityWorkload(entity);
  }
}

/**
 * The service behind the plugin's routes. Replace it through this ref to
 * change where evidence comes from.
 *
 * @public
 */
export const incidentServiceRef = createServiceRef<IncidentService>({
  id: 'observability-ir.incidents',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
      },
      factory: deps => new DefaultIncidentService(deps),
    }),
});
