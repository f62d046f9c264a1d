import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EvidenceQuery,
  incidentReadPermission,
} from '@observability-ir/plugin-observability-ir-common';
import { normalizeEntityRef } from './entityRefs';
import type {
  IncidentRequestOptions,
  IncidentService,
} from './IncidentService';

/**
 * Authorizes every read of an entity's incident data with
 * `observability-ir.incident.read` before handing it to the wrapped service.
 */
export class AuthorizedIncidentService implements IncidentService {
  constructor(
    private readonly inner: IncidentService,
    private readonly permissions: PermissionsService,
  ) {}

  async getWorkload(entityRef: string, options: IncidentRequestOptions) {
    await this.authorizeRead(entityRef, options);
    return this.inner.getWorkload(entityRef, options);
  }

  async getReplicas(query: EvidenceQuery, options: IncidentRequestOptions) {
    await this.authorizeRead(query.entityRef, options);
    return this.inner.getReplicas(query, options);
  }

  async getMetrics(query: EvidenceQuery, options: IncidentRequestOptions) {
    await this.authorizeRead(query.entityRef, options);
    return this.inner.getMetrics(query, options);
  }

  async getLogs(query: EvidenceQuery, options: IncidentRequestOptions) {
    await this.authorizeRead(query.entityRef, options);
    return this.inner.getLogs(query, options);
  }

  async getTimeline(query: EvidenceQuery, options: IncidentRequestOptions) {
    await this.authorizeRead(query.entityRef, options);
    return this.inner.getTimeline(query, options);
  }

  async getDiagnosis(query: EvidenceQuery, options: IncidentRequestOptions) {
    await this.authorizeRead(query.entityRef, options);
    return this.inner.getDiagnosis(query, options);
  }

  private async authorizeRead(
    entityRef: string,
    options: IncidentRequestOptions,
  ) {
    const resourceRef = normalizeEntityRef(entityRef);
    const [decision] = await this.permissions.authorize(
      [{ permission: incidentReadPermission, resourceRef }],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to read the incident data of ${resourceRef}`,
      );
    }
  }
}
