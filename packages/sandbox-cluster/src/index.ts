/**
 * A stand-in for a Kubernetes API server, Prometheus and Loki that replays
 * incident scenarios.
 *
 * @packageDocumentation
 */
export { startSandbox } from './sandbox';
export type { Sandbox, SandboxCluster, SandboxOptions } from './sandbox';
export {
  loadScenario,
  listScenarioNames,
  parseScenario,
  ScenarioError,
  SCENARIOS_DIR,
} from './scenario/loader';
export type { Scenario, ScaleParams } from './scenario/schema';
export { exportOpenMetrics } from './prometheus/openmetrics';
export { matcherMatches, RequestLog } from './server/requestLog';
export type {
  RecordedApi,
  RecordedFieldRequirement,
  RecordedKubernetesTarget,
  RecordedLineFilter,
  RecordedMatcher,
  RecordedQuery,
  RecordedRequest,
  RecordedSelector,
  RequestLogOptions,
} from './server/requestLog';
export type { LabelRequirement } from './kubernetes/selectors';
