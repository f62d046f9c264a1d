import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  TELEMETRY_PATH,
  telemetryQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { createIncidentRead } from './incidentRead';
import { UserRateLimiter } from './rateLimit/UserRateLimiter';
import type { TelemetryService } from './service/telemetry/TelemetryService';

/**
 * `GET /v1/telemetry?entityRef=`: the entity's telemetry pipeline audit,
 * read like its incident evidence: validated query, the caller's
 * credentials and rate limit, the entity's incident read permission (in
 * the service), and an audit event naming the entity.
 */
export function createTelemetryRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  rateLimiter: UserRateLimiter;
  telemetry: Pick<TelemetryService, 'getTelemetry'>;
}): express.Router {
  const { httpAuth, auditor, rateLimiter, telemetry } = options;
  const read = createIncidentRead({ httpAuth, auditor, rateLimiter });
  const router = Router();
  router.get(
    TELEMETRY_PATH,
    read('telemetry', telemetryQuerySchema, (query, opts) =>
      telemetry.getTelemetry(query.entityRef, opts),
    ),
  );
  return router;
}
