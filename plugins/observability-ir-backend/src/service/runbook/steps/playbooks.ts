import {
  HypothesisId,
  RunbookStepId,
} from '@observability-ir/plugin-observability-ir-common';
import { RunbookContext, runtimeCapReached } from './context';

/** What the node-forensics step looks at for a hypothesis. */
export type KernelFocus =
  | { look: 'memory' | 'network' }
  /** The node has nothing to add: why, in one sentence. */
  | { notNeeded: string };

/** What the Verify step watches besides the pods and their restarts. */
export type VerifyWatch =
  | 'memory'
  | 'cpu'
  | 'readiness'
  | 'restarts'
  | 'evictions';

/** How one hypothesis is worked through: the same six steps, its own way. */
export interface Playbook {
  titles: Record<RunbookStepId, string>;
  kernel: KernelFocus;
  /**
   * The PromQL queries the backend ran, by name, that Triage shows for
   * this hypothesis, in order.
   */
  triageQueries: string[];
  /** What the logs should show, said before the top error groups. */
  logsLook: string;
  verifyWatch: VerifyWatch;
}

const MEMORY_QUERIES = [
  'memory working set',
  'memory limit',
  'restarts',
  'last termination reason',
  'CPU usage',
];

/** One playbook per hypothesis; `healthy` has titles only. */
export const PLAYBOOKS: Record<HypothesisId, Playbook> = {
  'memory-limit-too-low': {
    titles: {
      triage: 'Confirm the working set reaches the memory limit',
      logs: 'Find the out-of-memory errors',
      replicas: 'Count the OOM kills',
      kernel: "Read the OOM kills in the container's memory cgroup",
      fix: 'Raise the memory limit',
      verify: 'Watch for OOM kills after the raise',
    },
    kernel: { look: 'memory' },
    triageQueries: MEMORY_QUERIES,
    logsLook: 'out-of-memory errors just before each kill',
    verifyWatch: 'memory',
  },
  'memory-leak': {
    titles: {
      triage: 'Measure how the working set climbs',
      logs: 'Look for allocation failures',
      replicas: 'See how long pods live before the OOM kill',
      kernel: "Read the memory cgroup's peak and OOM kills",
      fix: 'Find the leak (a higher limit only buys time)',
      verify: 'Watch the working set stay flat',
    },
    kernel: { look: 'memory' },
    triageQueries: MEMORY_QUERIES,
    logsLook: 'allocation failures as the working set nears the limit',
    verifyWatch: 'memory',
  },
  'node-memory-pressure': {
    titles: {
      triage: 'Compare node and pod memory',
      logs: 'Read the logs before the evictions',
      replicas: 'Find the evicted pods and their node',
      kernel: 'Node forensics (not needed for node pressure)',
      fix: 'Relieve the node: move pods, cordon, drain',
      verify: 'Watch for new evictions',
    },
    kernel: {
      notNeeded:
        "the node's own conditions and describe output show the pressure; a look inside one container adds nothing",
    },
    triageQueries: [
      'memory working set',
      'memory limit',
      'memory request',
      'restarts',
    ],
    logsLook: 'what the pods logged before the kubelet evicted them',
    verifyWatch: 'evictions',
  },
  'application-crash': {
    titles: {
      triage: 'Rule out memory and CPU',
      logs: "Read the crash's stack trace",
      replicas: 'Check exit codes and CrashLoopBackOff',
      kernel: 'Node forensics (not needed for a crash)',
      fix: 'Fix the crash or roll back',
      verify: 'Watch the restarts stop',
    },
    kernel: {
      notNeeded:
        'the process exits by itself with a failure code; its logs and exit code say why, the node does not',
    },
    triageQueries: [
      'restarts',
      'last termination reason',
      'memory working set',
      'CPU usage',
    ],
    logsLook: 'the exception that ends the process',
    verifyWatch: 'restarts',
  },
  'probe-misconfiguration': {
    titles: {
      triage: 'Compare readiness with restarts',
      logs: 'Check that the app starts cleanly',
      replicas: 'Read the probe failures and kubelet kills',
      kernel: 'See which ports the app listens on',
      fix: 'Point the probe at the right port and path',
      verify: 'Watch the probes pass',
    },
    kernel: { look: 'network' },
    triageQueries: [
      'readiness',
      'restarts',
      'last termination reason',
      'memory working set',
    ],
    logsLook: 'a clean start: no errors while the kubelet kills the container',
    verifyWatch: 'readiness',
  },
  'cpu-throttling': {
    titles: {
      triage: 'Measure CPU throttling',
      logs: 'Find slow requests',
      replicas: 'Check the CPU limits',
      kernel: 'Node forensics (not needed for throttling)',
      fix: 'Raise or remove the CPU limit',
      verify: 'Watch throttling drop',
    },
    kernel: {
      notNeeded:
        "Prometheus' CFS throttling counters already measure what the node would show",
    },
    triageQueries: [
      'CPU throttled share',
      'CPU usage',
      'CPU limit',
      'readiness',
    ],
    logsLook: 'slow requests and timeouts while the container is throttled',
    verifyWatch: 'cpu',
  },
  'network-fault': {
    titles: {
      triage: 'Check readiness without restarts',
      logs: 'Find connection errors',
      replicas: 'Read the readiness probe timeouts',
      kernel: "Inspect the pod's network namespace",
      fix: 'Repair the pod network',
      verify: 'Watch the pods become ready',
    },
    kernel: { look: 'network' },
    triageQueries: ['readiness', 'restarts', 'CPU usage', 'memory working set'],
    logsLook: 'timeouts and refused connections',
    verifyWatch: 'readiness',
  },
  healthy: {
    titles: {
      triage: 'Metrics',
      logs: 'Logs',
      replicas: 'Replicas',
      kernel: 'Node forensics',
      fix: 'Fix',
      verify: 'Verify',
    },
    kernel: { notNeeded: 'no problem found' },
    triageQueries: ['memory working set', 'CPU usage', 'restarts', 'readiness'],
    logsLook: 'nothing unusual',
    verifyWatch: 'restarts',
  },
};

/**
 * memory-limit-too-low when the runtime's own cap stopped the container
 * below its limit: the same memory look, but no OOM kill to count, a cap
 * to raise instead of the limit, and exits to watch stop.
 */
const RUNTIME_CAP: Playbook = {
  ...PLAYBOOKS['memory-limit-too-low'],
  titles: {
    triage: 'Compare the working set with the memory limit',
    logs: "Find the runtime's memory errors",
    replicas: 'Count the exits after a memory error',
    kernel: 'Confirm the memory cgroup saw no OOM kill',
    fix: "Raise the runtime's memory cap",
    verify: 'Watch the memory-error exits stop',
  },
  logsLook: "the runtime's memory error just before each exit",
  verifyWatch: 'restarts',
};

/** The playbook the runbook follows: its hypothesis', or the runtime cap's. */
export function playbookOf(ctx: RunbookContext): Playbook {
  return runtimeCapReached(ctx) ? RUNTIME_CAP : PLAYBOOKS[ctx.hypothesisId];
}
