import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  TELEMETRY_PATH,
  telemetryQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { readKubernetesRequestAuth } from './clusters/requestAuth';
import { parseRequest } from './parseRequest';
import { callerOf } from './rateLimit/callerOf';
import {
  TooManyRequestsError,
  UserRateLimiter,
} from './rateLimit/UserRateLimiter';
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
  const router = Router();
  router.get(TELEMETRY_PATH, async (req, res) => {
    const query = parseRequest(telemetryQuerySchema, req.query, 'query');
    const auditorEvent = await auditor.createEvent({
      eventId: 'incident-read',
      request: req,
      meta: { queryType: 'telemetry', entityRef: query.entityRef },
    });
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      try {
        rateLimiter.take(callerOf(credentials));
      } catch (error) {
        if (error instanceof TooManyRequestsError) {
          res.set('Retry-After', String(error.retryAfterSeconds));
        }
        throw error;
      }
      const body = await telemetry.getTelemetry(query.entityRef, {
        credentials,
        kubernetesAuth: readKubernetesRequestAuth(req.headers),
      });
      await auditorEvent.success();
      res.json(body);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
  return router;
}
