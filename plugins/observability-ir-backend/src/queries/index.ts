/**
 * Query builders: the only place PromQL, LogQL, Kubernetes label
 * selectors and the kubectl command are written, with every value escaped.
 *
 * @packageDocumentation
 */
export {
  assertLabelName,
  escapeLabelValue,
  escapeRegexValue,
} from './escaping';
export type { LabelMatcher, MatchOperator, RegexPattern } from './matchers';
export {
  anyOfExactly,
  anyOfPatterns,
  podsOfDeployment,
  podsOfStatefulSet,
  renderMatchers,
  withPrefix,
} from './matchers';
export type { PodOwner, PodScope } from './scope';
export {
  hasPodNameShape,
  isNamespaceName,
  MAX_PODS,
  MAX_VALUE_LENGTH,
  podPatternOf,
  scopeMatchers,
} from './scope';
export { formatDuration, MAX_DURATION_SECONDS } from './duration';
export {
  cpuLimit,
  cpuThrottledShare,
  cpuUsage,
  lastTerminatedReason,
  memoryLimit,
  memoryRequest,
  memoryWorkingSet,
  peakWorkingSet,
  ready,
  restartIncrease,
  restarts,
} from './promql';
export { extraMatchersFromAnnotation } from './promqlAnnotation';
export type { ErrorLogsOptions } from './logql';
export {
  customSelectorFromAnnotation,
  ERROR_LINE_PATTERN,
  errorLogs,
  streamSelector,
} from './logql';
export type { LabelRequirement } from './labelSelector';
export {
  KUBERNETES_ID_LABEL,
  labelSelectorForKubernetesId,
  parseLabelSelector,
  renderLabelSelector,
} from './labelSelector';
export { kubectlReplicaCommand } from './kubectl';
export {
  alertConcernsScope,
  alertmanagerFilter,
  alertmanagerMatcher,
  firingAlerts,
  WORKLOAD_ALERT_LABELS,
} from './alerts';
export type { ShellValue } from './shell';
export { joinShell, sh, shellQuote, ShellText } from './shell';
export { escapeFieldSelectorValue, fieldEquals } from './fieldSelector';
export { errorLinesContaining, memoryLimitShare } from './runbookQueries';
export { kubectlPreviousLogsCommand, podLogLines } from './rawLogs';
