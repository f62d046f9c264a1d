import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  previousLogsQuerySchema,
  RAW_LOGS_PATHS,
  rawLogsQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { readKubernetesRequestAuth } from './clusters/requestAuth';
import { parseRequest } from './parseRequest';
import { callerOf } from './rateLimit/callerOf';
import {
  TooManyRequestsError,
  UserRateLimiter,
} from './rateLimit/UserRateLimiter';
import type { IncidentRequestOptions } from './service/IncidentService';
import type { RawLogsService } from './service/rawLogs/RawLogsService';

/**
 * `GET /v1/logs/raw` and `GET /v1/logs/previous`: raw log lines of one of
 * the entity's pods, read like its incident evidence: validated query, the
 * caller's credentials and rate limit, the entity's incident read
 * permission (in the service), and an audit event naming the entity and
 * the pod, never the search text.
 */
export function createRawLogsRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  rateLimiter: UserRateLimiter;
  rawLogs: Pick<RawLogsService, 'getRawLogs' | 'getPreviousLogs'>;
}): express.Router {
  const { httpAuth, auditor, rateLimiter, rawLogs } = options;
  const router = Router();

  function read<Q extends { entityRef: string; pod: string }>(
    queryType: string,
    schema: z.ZodType<Q, z.ZodTypeDef, unknown>,
    load: (query: Q, opts: IncidentRequestOptions) => Promise<unknown>,
  ): express.RequestHandler {
    return async (req, res) => {
      const query = parseRequest(schema, req.query, 'query');
      const auditorEvent = await auditor.createEvent({
        eventId: 'incident-read',
        request: req,
        meta: { queryType, entityRef: query.entityRef, pod: query.pod },
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
        const body = await load(query, {
          credentials,
          kubernetesAuth: readKubernetesRequestAuth(req.headers),
        });
        await auditorEvent.success();
        res.json(body);
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    };
  }

  router.get(
    RAW_LOGS_PATHS.raw,
    read('logs-raw', rawLogsQuerySchema, (q, o) => rawLogs.getRawLogs(q, o)),
  );
  router.get(
    RAW_LOGS_PATHS.previous,
    read('logs-previous', previousLogsQuerySchema, (q, o) =>
      rawLogs.getPreviousLogs(q, o),
    ),
  );
  return router;
}
