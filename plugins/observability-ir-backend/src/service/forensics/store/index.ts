export {
  createForensicsRunStore,
  DatabaseForensicsRunStore,
} from './DatabaseForensicsRunStore';
export type { DatabaseForensicsRunStoreOptions } from './DatabaseForensicsRunStore';
export {
  FORENSICS_LIST_DEFAULT_LIMIT,
  FORENSICS_LIST_MAX_LIMIT,
  FORENSICS_RAW_OUTPUT_MAX_BYTES,
} from './ForensicsRunStore';
export type {
  ForensicsRun,
  ForensicsRunPatch,
  ForensicsRunStatus,
  ForensicsRunStore,
  ForensicsRunSummary,
  ForensicsRunTarget,
  NewForensicsRun,
} from './ForensicsRunStore';
