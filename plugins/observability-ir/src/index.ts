/**
 * Frontend plugin: an Incident tab on service entities, and a fleet
 * health page for platform teams.
 *
 * @packageDocumentation
 */

export {
  observabilityIrPlugin,
  EntityObservabilityIncidentContent,
  ObservabilityIrFleetPage,
} from './plugin';
export { isObservabilityIncidentAvailable } from '@observability-ir/plugin-observability-ir-common';
export {
  observabilityIrApiRef,
  ObservabilityIrClient,
  ForensicsRequestError,
  type ObservabilityIrApi,
  type ForensicsStart,
} from './api';
