/**
 * Frontend plugin: an Incident tab on service entities.
 *
 * @packageDocumentation
 */

export {
  observabilityIrPlugin,
  EntityObservabilityIncidentContent,
} from './plugin';
export { isObservabilityIncidentAvailable } from '@observability-ir/plugin-observability-ir-common';
export {
  observabilityIrApiRef,
  ObservabilityIrClient,
  ForensicsRequestError,
  type ObservabilityIrApi,
  type ForensicsStart,
} from './api';
