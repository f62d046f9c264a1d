export {
  observabilityIrApiRef,
  type EvidenceRequest,
  type ObservabilityIrApi,
} from './ObservabilityIrApi';
export { ObservabilityIrClient } from './ObservabilityIrClient';
