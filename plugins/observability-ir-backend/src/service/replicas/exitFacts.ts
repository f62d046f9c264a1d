import { Replica } from '@observability-ir/plugin-observability-ir-common';

/** How a container ended: the reason Kubernetes gives and the exit code. */
export interface ContainerExit {
  reason?: string;
  exitCode: number;
}

/** Exit codes of a kill by signal: SIGKILL (137) and SIGTERM (143). */
export const KILL_EXIT_CODES = [137, 143];

/** Whether the container's last (or current) termination was an OOM kill. */
export function wasOomKilled(replica: Replica): boolean {
  return (
    replica.lastTermination?.reason === 'OOMKilled' ||
    (replica.current.state === 'terminated' &&
      replica.current.reason === 'OOMKilled')
  );
}

/** An exit of the process on its own, with a failure code. */
export function isFailureExit(exit: ContainerExit): boolean {
  return (
    exit.reason !== 'OOMKilled' &&
    exit.exitCode !== 0 &&
    !KILL_EXIT_CODES.includes(exit.exitCode)
  );
}

/** A kill by a signal that was not the OOM killer's (the kubelet's, say). */
export function isSignalKill(exit: ContainerExit): boolean {
  return exit.reason !== 'OOMKilled' && KILL_EXIT_CODES.includes(exit.exitCode);
}
