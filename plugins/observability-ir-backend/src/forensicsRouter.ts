import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  FORENSICS_PATH,
  forensicsListQuerySchema,
  forensicsReadQuerySchema,
  forensicsRequestSchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { parseRequest } from './parseRequest';
import { readKubernetesRequestAuth } from './clusters/requestAuth';
import { TooManyRequestsError } from './rateLimit/UserRateLimiter';
import type { ForensicsService } from './service/forensics/ForensicsService';

/** The largest request body accepted: the request has five short strings. */
const MAX_BODY = '4kb';

const RUN_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An AbortSignal that aborts when the caller goes away before the answer. */
function callerGone(res: express.Response): AbortSignal {
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

/** Answers a 429 with the seconds to wait in `Retry-After`. */
async function withRetryAfter<T>(
  res: express.Response,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TooManyRequestsError) {
      res.set('Retry-After', String(error.retryAfterSeconds));
    }
    throw error;
  }
}

/**
 * The node-forensics routes: `POST /v1/forensics` starts a run (202), or
 * answers the run in flight or recent for the same pod and container
 * (200); `GET /v1/forensics/{id}` reads one (with `?waitForChangeAfter=`
 * its status, once it has another, waiting up to 20 s for the change);
 * `GET /v1/forensics?entityRef=`
 * lists the entity's runs, newest first. Starting is audited at high
 * severity.
 */
export function createForensicsRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  forensics: ForensicsService;
}): express.Router {
  const { httpAuth, auditor, forensics } = options;
  const router = Router();

  router.post(
    FORENSICS_PATH,
    express.json({ limit: MAX_BODY, strict: true }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const request = parseRequest(forensicsRequestSchema, req.body, 'body');
      const auditorEvent = await auditor.createEvent({
        eventId: 'forensics-run',
        severityLevel: 'high',
        request: req,
        meta: {
          entityRef: request.entityRef,
          cluster: request.cluster,
          namespace: request.namespace,
          pod: request.pod,
          ...(request.container ? { container: request.container } : {}),
        },
      });
      try {
        const { run, existing } = await withRetryAfter(res, () =>
          forensics.start(request, {
            credentials,
            kubernetesAuth: readKubernetesRequestAuth(req.headers),
          }),
        );
        await auditorEvent.success({
          meta: {
            runId: run.id,
            node: run.node,
            container: run.container,
            requestedBy: run.requestedBy,
            existing,
          },
        });
        res.status(existing ? 200 : 202).json(run);
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.get(`${FORENSICS_PATH}/:id`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { id } = req.params;
    if (!RUN_ID.test(id)) {
      throw new InputError(
        `Invalid forensics run id: ${JSON.stringify(
          id.slice(0, 64),
        )}, not a UUID`,
      );
    }
    const { waitForChangeAfter } = parseRequest(
      forensicsReadQuerySchema,
      req.query,
      'query',
    );
    res.json(
      await forensics.getRun(
        id,
        {
          credentials,
          kubernetesAuth: readKubernetesRequestAuth(req.headers),
        },
        waitForChangeAfter && {
          afterStatus: waitForChangeAfter,
          signal: callerGone(res),
        },
      ),
    );
  });

  router.get(FORENSICS_PATH, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { entityRef } = parseRequest(
      forensicsListQuerySchema,
      req.query,
      'query',
    );
    res.json(
      await forensics.listRuns(entityRef, {
        credentials,
        kubernetesAuth: readKubernetesRequestAuth(req.headers),
      }),
    );
  });

  return router;
}
