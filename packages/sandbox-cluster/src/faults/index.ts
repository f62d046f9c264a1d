export {
  FaultRegistry,
  parseFault,
  FAULT_KINDS,
  FAULT_UPSTREAMS,
} from './registry';
export type {
  ActiveFault,
  FaultKind,
  FaultSpec,
  FaultUpstream,
} from './registry';
export { applyFaults, upstreamOf } from './apply';
export { FAULTS_PATH, handleFaultsAdmin } from './admin';
