export {
  NodeForensicsProvider,
  useNodeForensics,
} from './NodeForensicsContext';
export type { NodeForensicsContextValue } from './types';
export { RunForensicsButton } from './RunForensicsButton';
export { ForensicsHistory, FORENSICS_HISTORY_LABEL } from './ForensicsHistory';
export {
  FORENSICS_PRIVILEGES,
  FORENSICS_PRIVILEGED_NOTE,
  forensicsSteps,
} from './forensicsPlan';
