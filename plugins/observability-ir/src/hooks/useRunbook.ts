import { useApi } from '@backstage/core-plugin-api';
import { RunbookResponse } from '@observability-ir/plugin-observability-ir-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import useMountedState from 'react-use/esm/useMountedState';
import { observabilityIrApiRef } from '../api';

/**
 * How often a runbook under watch is read again, in ms: often enough to see
 * verification move, rare enough for a backend that reads every cluster.
 *
 * @public
 */
export const RUNBOOK_POLL_MS = 5000;

/**
 * Whether a runbook is changing by itself, so it is worth reading again:
 * verification is under way, or the incident is open and a fix was seen.
 * A resolved incident is done.
 *
 * @public
 */
export function isRunbookWatched(runbook: RunbookResponse): boolean {
  const { incident } = runbook;
  if (incident?.status === 'resolved') {
    return false;
  }
  const verify = runbook.steps.find(s => s.id === 'verify');
  if (verify?.status === 'in-progress') {
    return true;
  }
  return (
    incident?.status === 'open' &&
    (verify?.verify !== undefined ||
      incident.actions.some(
        a => a.kind === 'fix-applied' || a.kind === 'fix-observed',
      ))
  );
}

/**
 * The runbook of an entity as last read, and what to do with it.
 *
 * @public
 */
export interface RunbookState {
  /** The last answer; it stays while a later read is on its way or failed. */
  runbook?: RunbookResponse;
  /** The error of the last read, if it failed. */
  error?: Error;
  /** True until the first read answered. */
  loading: boolean;
  /** Reads the runbook again. */
  refresh(): void;
  /** Shows a runbook the backend answered elsewhere (a recorded action). */
  replace(runbook: RunbookResponse): void;
}

/**
 * Reads an entity's runbook, and again every `pollMs` while it is watched
 * ({@link isRunbookWatched}); stops when the incident is resolved or the
 * component unmounts. An answer older than the one shown never replaces it.
 *
 * @public
 */
export function useRunbook(
  entityRef: string,
  options: { pollMs?: number } = {},
): RunbookState {
  const api = useApi(observabilityIrApiRef);
  const pollMs = options.pollMs ?? RUNBOOK_POLL_MS;
  const isMounted = useMountedState();
  const [state, setState] = useState<{
    runbook?: RunbookResponse;
    error?: Error;
    answered: boolean;
  }>({ answered: false });
  // Each read or replacement takes the next number; only the latest lands.
  const latest = useRef(0);

  const read = useCallback(async () => {
    const id = ++latest.current;
    try {
      const runbook = await api.getRunbook(entityRef);
      if (isMounted() && id === latest.current) {
        setState({ runbook, answered: true });
      }
    } catch (e) {
      if (isMounted() && id === latest.current) {
        setState(previous => ({
          runbook: previous.runbook,
          error: e as Error,
          answered: true,
        }));
      }
    }
  }, [api, entityRef, isMounted]);

  // Another entity: start over.
  useEffect(() => {
    setState({ answered: false });
    read();
  }, [read]);

  const watched = state.runbook ? isRunbookWatched(state.runbook) : false;
  useEffect(() => {
    if (!watched) {
      return undefined;
    }
    // After each answer (a new state), the next read in pollMs.
    const timer = setTimeout(read, pollMs);
    return () => clearTimeout(timer);
  }, [state, watched, read, pollMs]);

  const replace = useCallback((runbook: RunbookResponse) => {
    latest.current++;
    setState({ runbook, answered: true });
  }, []);

  return {
    runbook: state.runbook,
    error: state.error,
    loading: !state.answered,
    refresh: read,
    replace,
  };
}
