export {
  observabilityIrApiRef,
  type ForensicsStart,
  type ObservabilityIrApi,
  type PostmortemExport,
} from './ObservabilityIrApi';
export {
  ForensicsRequestError,
  parseRetryAfter,
} from './ForensicsRequestError';
export { ObservabilityIrClient } from './ObservabilityIrClient';
