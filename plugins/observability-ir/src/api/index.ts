export {
  observabilityIrApiRef,
  type ForensicsStart,
  type ObservabilityIrApi,
} from './ObservabilityIrApi';
export {
  ForensicsRequestError,
  parseRetryAfter,
} from './ForensicsRequestError';
export { ObservabilityIrClient } from './ObservabilityIrClient';
