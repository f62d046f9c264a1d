import {
  ForensicsRunStatus,
  ForensicsVerdictKind,
} from '@observability-ir/plugin-observability-ir-common';

/** How a verdict is coloured: a fault found, a doubt, or all well. */
export type VerdictSeverity = 'error' | 'warning' | 'info' | 'success';

const KINDS: Record<
  ForensicsVerdictKind,
  { label: string; severity: VerdictSeverity }
> = {
  'oom-before-ready': { label: 'Dies before it is Ready', severity: 'error' },
  'not-listening': { label: 'Nothing listens', severity: 'error' },
  'wrong-port': { label: 'Listens on another port', severity: 'error' },
  'missing-port': { label: 'An expected port is missing', severity: 'error' },
  'loopback-only': { label: 'Listens on loopback only', severity: 'error' },
  'interface-down': { label: 'Interface down', severity: 'error' },
  'no-address': { label: 'No address', severity: 'error' },
  listening: { label: 'Listening', severity: 'success' },
  'pid-not-found': { label: 'No process runs', severity: 'warning' },
  'container-not-found': { label: 'Container not found', severity: 'warning' },
  inconclusive: { label: 'Inconclusive', severity: 'info' },
};

/** A verdict kind in a few words, e.g. "Dies before it is Ready". */
export function verdictLabel(kind: ForensicsVerdictKind): string {
  return KINDS[kind]?.label ?? kind;
}

/** The colour of a verdict kind. */
export function verdictSeverity(kind: ForensicsVerdictKind): VerdictSeverity {
  return KINDS[kind]?.severity ?? 'info';
}

/** A run's status as the history and progress say it. */
export const STATUS_LABELS: Record<ForensicsRunStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};
