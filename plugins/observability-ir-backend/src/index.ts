/**
 * Backend plugin for incident evidence and diagnosis of catalog entities.
 *
 * @packageDocumentation
 */

export { observabilityIrPlugin as default } from './plugin';
export {
  incidentServiceRef,
  type IncidentService,
  type IncidentRequestOptions,
} from './service/IncidentService';
