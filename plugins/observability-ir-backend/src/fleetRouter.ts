import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  DEFAULT_RANGE_PRESET,
  FLEET_PATHS,
  observabilityIrFleetReadPermission,
  silentOutagesQuerySchema,
} from '@observability-ir/plugin-observability-ir-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseRequest } from './parseRequest';
import type { FleetService } from './service/fleet/FleetService';
import type { FleetTelemetryService } from './service/fleet/FleetTelemetryService';

/** `GET /v1/fleet/telemetry` takes no query. */
const fleetTelemetryQuerySchema = z.object({}).strict();

/**
 * The platform team's fleet routes: `GET /v1/fleet/silent-outages`, the
 * last sweep of every cluster and namespace, and `GET /v1/fleet/telemetry`,
 * the last telemetry audit of every entity with Kubernetes annotations.
 * Signed-in users only, with the `observability-ir.fleet.read` permission.
 */
export function createFleetRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  permissions: PermissionsService;
  fleet: FleetService;
  telemetry: Pick<FleetTelemetryService, 'telemetry'>;
}): express.Router {
  const { httpAuth, auditor, permissions, fleet, telemetry } = options;
  const router = Router();

  router.get(FLEET_PATHS.silentOutages, async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'fleet-read',
      request: req,
      meta: { queryType: 'silent-outages' },
    });
    try {
      const [decision] = await permissions.authorize(
        [{ permission: observabilityIrFleetReadPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          'You are not allowed to read the fleet pages (observability-ir.fleet.read)',
        );
      }
      const query = parseRequest(silentOutagesQuerySchema, req.query, 'query');
      const body = await fleet.silentOutages(
        query.range ?? DEFAULT_RANGE_PRESET,
      );
      await auditorEvent.success();
      res.json(body);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(FLEET_PATHS.telemetry, async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'fleet-read',
      request: req,
      meta: { queryType: 'telemetry' },
    });
    try {
      const [decision] = await permissions.authorize(
        [{ permission: observabilityIrFleetReadPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          'You are not allowed to read the fleet pages (observability-ir.fleet.read)',
        );
      }
      parseRequest(fleetTelemetryQuerySchema, req.query, 'query');
      const body = await telemetry.telemetry();
      await auditorEvent.success();
      res.json(body);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
