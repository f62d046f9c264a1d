import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { IncidentService } from './service/IncidentService';

const entityQuery = z.object({
  entityRef: z.string().min(1).max(512),
});

function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(issue => `${issue.path.join('.') || 'query'}: ${issue.message}`)
      .join('; ');
    throw new InputError(`Invalid request: ${issues}`);
  }
  return parsed.data;
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  incidents: IncidentService;
}): Promise<express.Router> {
  const { httpAuth, auditor, incidents } = options;
  const router = Router();
  router.use(express.json());

  router.get('/v1/workload', async (req, res) => {
    const { entityRef } = parseQuery(entityQuery, req.query);
    const auditorEvent = await auditor.createEvent({
      eventId: 'incident-read',
      request: req,
      meta: { queryType: 'workload', entityRef },
    });
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const workload = await incidents.getWorkload(entityRef, { credentials });
      await auditorEvent.success();
      res.json(workload);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
