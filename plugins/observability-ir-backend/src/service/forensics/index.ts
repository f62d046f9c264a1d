export { readForensicsReport, forensicsEvidence } from './report';
export type { ForensicsReport } from './report';
export { forensicsVerdict } from './verdict';
export type { ForensicsVerdict, ForensicsVerdictKind } from './verdict';
export {
  expectedPortsFromContainer,
  expectedPortsFromPod,
} from './expectedPorts';
export type { ExpectedPort, PortUse } from './expectedPorts';
export { readFindings } from './findings';
export type {
  ForensicsFindings,
  ForensicsTarget,
  MemoryCgroupFacts,
} from './findings';
export { parseForensicsOutput } from './parse/sections';
export type { ForensicsSection, ForensicsScriptOutput } from './parse/sections';
export { NODE_FORENSICS_SCRIPT } from './scriptPath';
