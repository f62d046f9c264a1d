export {
  observabilityIrApiRef,
  type ObservabilityIrApi,
} from './ObservabilityIrApi';
export { ObservabilityIrClient } from './ObservabilityIrClient';
