export {
  IncidentRangeProvider,
  useAnsweredRange,
  useIncidentRange,
  useLastUpdated,
  type IncidentRange,
} from './IncidentRangeContext';
export * from './timeRange';
export {
  useEvidence,
  type EvidenceAnswer,
  type EvidenceMethod,
  type EvidenceState,
} from './useEvidence';
export { useContainerWidth } from './useContainerWidth';
export { useWorkload, type WorkloadState } from './useWorkload';
export { useForensicsRuns } from './useForensicsRuns';
export {
  FORENSICS_POLL,
  isFinalForensicsStatus,
  useForensicsRun,
  type ForensicsRunState,
} from './useForensicsRun';
export {
  isRunbookWatched,
  RUNBOOK_POLL_MS,
  useRunbook,
  type RunbookState,
} from './useRunbook';
export { useRunbookAction, type RunbookActionState } from './useRunbookAction';
export {
  FLEET_POLL_MS,
  useFleetAnswer,
  type FleetAnswerState,
} from './useFleetAnswer';
