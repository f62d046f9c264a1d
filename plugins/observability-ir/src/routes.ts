import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({
  id: 'observability-ir',
});

/** The fleet health page of platform teams. */
export const fleetRouteRef = createRouteRef({
  id: 'observability-ir-fleet',
});

/**
 * The page of one scaffolder template, where the runbook's Fix step sends a
 * person with the template's values filled in. Bound to the scaffolder's
 * template page by default in apps on the new frontend system; where it is
 * not bound, the runbook links to `/create/templates/...`.
 */
export const scaffolderTemplateRouteRef = createExternalRouteRef({
  id: 'scaffolder-template',
  optional: true,
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});
