import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  previousLogsQuerySchema,
  RAW_LOGS_PATHS,
  rawLogsQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { createIncidentRead } from './incidentRead';
import { UserRateLimiter } from './rateLimit/UserRateLimiter';
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

  const read = createIncidentRead({ httpAuth, auditor, rateLimiter });

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
