import { PermissionsService } from '@backstage/backend-plugin-api';
import { EvidenceQuery } from '@observability-ir/plugin-observability-ir-common';
import { IncidentReadAuthorizer } from './authorizeIncidentRead';
import type {
  IncidentRequestOptions,
  IncidentService,
} from './IncidentService';

/**
 * Authorizes every read of an entity's incident data with
 * `observability-ir.incident.read` before handing it to the wrapped service.
 * A decision is reused for the same caller and entity for a few seconds
 * (see {@link IncidentReadAuthorizer}).
 */
export class AuthorizedIncidentService implements IncidentService {
  private readonly authorizer: IncidentReadAuthorizer;

  constructor(
    private readonly inner: IncidentService,
    permissions: PermissionsService,
    options: { authorizationTtlMs?: number } = {},
  ) {
    this.authorizer = new IncidentReadAuthorizer(permissions, {
      ttlMs: options.authorizationTtlMs,
    });
  }

  async getWorkload(entityRef: string, options: IncidentRequestOptions) {
    return this.inner.getWorkload(
      entityRef,
      await this.authorizeRead(entityRef, options),
    );
  }

  async getClusters(entityRef: string, options: IncidentRequestOptions) {
    return this.inner.getClusters(
      entityRef,
      await this.authorizeRead(entityRef, options),
    );
  }

  async getReplicas(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getReplicas(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  async getMetrics(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getMetrics(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  async getLogs(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getLogs(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  async getTimeline(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getTimeline(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  async getAlerts(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getAlerts(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  async getDiagnosis(query: EvidenceQuery, options: IncidentRequestOptions) {
    return this.inner.getDiagnosis(
      query,
      await this.authorizeRead(query.entityRef, options),
    );
  }

  /**
   * Refuses a caller who may not read the entity's incident data, and
   * tells the wrapped service whether the caller may read all namespaces.
   */
  private authorizeRead(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<IncidentRequestOptions> {
    return this.authorizer.authorize(entityRef, options);
  }
}
