export { diagnose } from './diagnose';
export type { Diagnosis, DiagnoseOptions } from './diagnose';
export type {
  DiagnosisInput,
  ForensicsEvidence,
  MemoryLookback,
} from './types';
export { proposeMemoryLimit } from './quantity';
export type { MemoryLimitBasis } from './quantity';
