export {
  IncidentRangeProvider,
  useIncidentRange,
  useLastUpdated,
  type IncidentRange,
} from './IncidentRangeContext';
export * from './timeRange';
export type { EvidenceState } from './useEvidence';
export { useReplicas } from './useReplicas';
export { useMetrics } from './useMetrics';
export { useLogs } from './useLogs';
export { useTimeline } from './useTimeline';
export { useDiagnosis } from './useDiagnosis';
export { useContainerWidth } from './useContainerWidth';
export { useWorkload, type WorkloadState } from './useWorkload';
