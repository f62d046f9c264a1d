import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import { z } from 'zod';
import { readKubernetesRequestAuth } from './clusters/requestAuth';
import { parseRequest } from './parseRequest';
import { callerOf } from './rateLimit/callerOf';
import {
  TooManyRequestsError,
  UserRateLimiter,
} from './rateLimit/UserRateLimiter';
import type { IncidentRequestOptions } from './service/IncidentService';

/**
 * The handler of one read of incident data: validated query, the caller's
 * credentials, the caller's rate limit, and an audit event that names the
 * entity, the kind of data and the pod when the query names one, never
 * any query text. The entity's permission is decided by `load`.
 */
export type IncidentRead = <Q extends { entityRef: string }>(
  queryType: string,
  schema: z.ZodType<Q, z.ZodTypeDef, unknown>,
  load: (query: Q, options: IncidentRequestOptions) => Promise<unknown>,
  send?: (res: express.Response, body: any) => void,
) => express.RequestHandler;

/** {@link IncidentRead} for the plugin's routers. */
export function createIncidentRead(deps: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  rateLimiter: UserRateLimiter;
}): IncidentRead {
  const { httpAuth, auditor, rateLimiter } = deps;
  return (queryType, schema, load, send = (res, body) => res.json(body)) =>
    async (req, res) => {
      const query = parseRequest(schema, req.query, 'query');
      const pod = (query as { pod?: unknown }).pod;
      const auditorEvent = await auditor.createEvent({
        eventId: 'incident-read',
        request: req,
        meta: {
          queryType,
          entityRef: query.entityRef,
          ...(typeof pod === 'string' ? { pod } : {}),
        },
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
        send(res, body);
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    };
}
