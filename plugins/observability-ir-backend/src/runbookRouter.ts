import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  memoryLimitFixRequestSchema,
  RUNBOOK_PATHS,
  runbookActionRequestSchema,
  runbookExportQuerySchema,
  runbookQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import type { IncidentRead } from './incidentRead';
import Router from 'express-promise-router';
import { parseRequest } from './parseRequest';
import { readKubernetesRequestAuth } from './clusters/requestAuth';
import type { RunbookService } from './service/runbook/RunbookService';

/** The largest request body accepted: a few short strings. */
const MAX_BODY = '8kb';

/**
 * The runbook routes: `GET /v1/runbook` (the incident and its steps),
 * `GET /v1/runbook/export` (the postmortem in Markdown), `POST
 * /v1/runbook/actions` (a person's progress) and `POST
 * /v1/fixes/memory-limit` (the limit patched in the cluster, audited at
 * high severity). Reads go through `read`, the evidence routes' own
 * handler (validation, credentials, rate limit, audit).
 */
export function createRunbookRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  runbooks: RunbookService;
  read: IncidentRead;
}): express.Router {
  const { httpAuth, auditor, runbooks, read } = options;
  const router = Router();

  router.get(
    RUNBOOK_PATHS.runbook,
    read('runbook', runbookQuerySchema, (query, opts) =>
      runbooks.getRunbook(query.entityRef, opts),
    ),
  );

  router.get(
    RUNBOOK_PATHS.export,
    read(
      'postmortem',
      runbookExportQuerySchema,
      (query, opts) => runbooks.exportPostmortem(query.entityRef, opts),
      (res, { markdown, filename }) => {
        res
          .type('text/markdown; charset=utf-8')
          .set('Content-Disposition', `attachment; filename="${filename}"`)
          .send(markdown);
      },
    ),
  );

  router.post(
    RUNBOOK_PATHS.actions,
    express.json({ limit: MAX_BODY, strict: true }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const request = parseRequest(
        runbookActionRequestSchema,
        req.body,
        'body',
      );
      const auditorEvent = await auditor.createEvent({
        eventId: 'runbook-action',
        severityLevel: 'medium',
        request: req,
        meta: {
          entityRef: request.entityRef,
          kind: request.kind,
          ...(request.stepId ? { stepId: request.stepId } : {}),
        },
      });
      try {
        const runbook = await runbooks.recordAction(request, {
          credentials,
          kubernetesAuth: readKubernetesRequestAuth(req.headers),
        });
        await auditorEvent.success();
        res.status(201).json(runbook);
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  router.post(
    RUNBOOK_PATHS.memoryLimitFix,
    express.json({ limit: MAX_BODY, strict: true }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const request = parseRequest(
        memoryLimitFixRequestSchema,
        req.body,
        'body',
      );
      const auditorEvent = await auditor.createEvent({
        eventId: 'memory-limit-fix',
        severityLevel: 'high',
        request: req,
        meta: {
          entityRef: request.entityRef,
          cluster: request.cluster,
          namespace: request.namespace,
          workload: `${request.workloadKind}/${request.workloadName}`,
          container: request.container,
          limit: request.limit,
          dryRun: request.dryRun ?? false,
        },
      });
      try {
        const applied = await runbooks.applyMemoryLimit(request, {
          credentials,
          kubernetesAuth: readKubernetesRequestAuth(req.headers),
        });
        await auditorEvent.success({
          meta: { previousLimit: applied.previousLimit },
        });
        res.json(applied);
      } catch (error) {
        await auditorEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  return router;
}
