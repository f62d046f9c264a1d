export { EvidenceError } from './EvidenceError';
export { PanelSkeleton } from './PanelSkeleton';
export {
  SourceProblems,
  describeNotConfigured,
  describeSourceError,
  sourceName,
  sourceUnavailable,
} from './SourceProblems';
