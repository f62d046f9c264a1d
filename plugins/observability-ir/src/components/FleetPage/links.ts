import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { describeDuration } from '@observability-ir/plugin-observability-ir-common';
import { useCallback } from 'react';

/** The path of the Incident tab below an entity's page. */
export const INCIDENT_TAB_PATH = '/incident';

/** A function from an entity ref to the URL of its Incident tab. */
export function useIncidentTabLink(): (entityRef: string) => string {
  const entityRoute = useRouteRef(entityRouteRef);
  return useCallback(
    (entityRef: string) =>
      `${entityRoute(
        entityRouteParams(entityRef, { encodeParams: true }),
      )}${INCIDENT_TAB_PATH}`,
    [entityRoute],
  );
}

/** How long ago an instant was: `2 min ago`, `3h 10m ago`. */
export function describeAgo(time: string, now: number): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) {
    return time;
  }
  return `${describeDuration(Math.max(0, now - ms))} ago`;
}
