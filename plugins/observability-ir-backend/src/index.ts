/**
 * Backend plugin for incident evidence and diagnosis of catalog entities.
 *
 * @packageDocumentation
 */

export { observabilityIrPlugin as default } from './plugin';
export * from './clusters';
export { incidentServiceRef } from './service/incidentServiceRef';
export type {
  IncidentService,
  IncidentRequestOptions,
} from './service/IncidentService';
