import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  CLUSTERS_PATH,
  EVIDENCE_PATHS,
  EvidenceKind,
  EvidenceQuery,
  evidenceQuerySchema,
  WORKLOAD_PATH,
  workloadQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { createIncidentRead, sendWithValidator } from './incidentRead';
import { createForensicsRouter } from './forensicsRouter';
import { createRunbookRouter } from './runbookRouter';
import { UserRateLimiter } from './rateLimit/UserRateLimiter';
import type { ForensicsService } from './service/forensics/ForensicsService';
import type { RunbookService } from './service/runbook/RunbookService';
import {
  IncidentRequestOptions,
  IncidentService,
} from './service/IncidentService';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  incidents: IncidentService;
  rateLimiter: UserRateLimiter;
  forensics: ForensicsService;
  runbooks: RunbookService;
}): Promise<express.Router> {
  const { httpAuth, auditor, incidents, rateLimiter, forensics, runbooks } =
    options;
  const router = Router();

  const read = createIncidentRead({ httpAuth, auditor, rateLimiter });

  router.get(
    WORKLOAD_PATH,
    read('workload', workloadQuerySchema, (query, opts) =>
      incidents.getWorkload(query.entityRef, opts),
    ),
  );
  router.get(
    CLUSTERS_PATH,
    read('clusters', workloadQuerySchema, (query, opts) =>
      incidents.getClusters(query.entityRef, opts),
    ),
  );
  const evidence: Record<
    EvidenceKind,
    (query: EvidenceQuery, opts: IncidentRequestOptions) => Promise<unknown>
  > = {
    replicas: (q, o) => incidents.getReplicas(q, o),
    metrics: (q, o) => incidents.getMetrics(q, o),
    logs: (q, o) => incidents.getLogs(q, o),
    timeline: (q, o) => incidents.getTimeline(q, o),
    diagnosis: (q, o) => incidents.getDiagnosis(q, o),
    alerts: (q, o) => incidents.getAlerts(q, o),
  };
  for (const [kind, load] of Object.entries(evidence)) {
    router.get(
      EVIDENCE_PATHS[kind as EvidenceKind],
      // Auto-refresh sends the validator of its previous answer: 304 when
      // the answer is still the same, no body sent or drawn again.
      read(kind, evidenceQuerySchema, load, sendWithValidator),
    );
  }
  router.use(createForensicsRouter({ httpAuth, auditor, forensics }));
  router.use(createRunbookRouter({ httpAuth, auditor, runbooks, read }));

  return router;
}
