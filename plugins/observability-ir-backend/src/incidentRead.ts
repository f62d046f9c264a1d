import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { createHash } from 'crypto';
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

/**
 * Sends a JSON answer with a strong validator: `ETag` is a hash of the
 * exact bytes of the answer. A request whose `If-None-Match` names it (the
 * browser's previous answer is still the answer) gets `304 Not Modified`
 * with no body. `Cache-Control: private, no-cache`: no shared cache keeps
 * it, and the browser asks again before using what it kept.
 *
 * The answer is only compared once the read has checked the credentials,
 * the rate limit and the entity's permission and loaded the evidence, so a
 * validator never reveals anything the caller could not read.
 */
export function sendWithValidator(res: express.Response, body: unknown) {
  const json = JSON.stringify(body);
  const etag = `"${createHash('sha256')
    .update(json)
    .digest('base64url')
    .slice(0, 32)}"`;
  res.set('ETag', etag);
  res.set('Cache-Control', 'private, no-cache');
  if (matchesIfNoneMatch(res.req.get('If-None-Match'), etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(json);
}

/** `If-None-Match` names `etag` (weak comparison), or is `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string) {
  if (!header) {
    return false;
  }
  const tags = header.split(',').map(tag => tag.trim());
  return tags.some(tag => tag === '*' || tag.replace(/^W\//, '') === etag);
}
