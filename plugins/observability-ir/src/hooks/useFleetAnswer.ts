import { useCallback, useEffect, useRef, useState } from 'react';
import useMountedState from 'react-use/esm/useMountedState';

/**
 * How often a fleet answer that is still pending (the first sweep or audit
 * is running) is read again, in ms.
 *
 * @public
 */
export const FLEET_POLL_MS = 5000;

/**
 * A fleet endpoint's answer as last read.
 *
 * @public
 */
export interface FleetAnswerState<T> {
  /** The last answer; it stays while a later read is on its way. */
  value?: T;
  /** The error of the last read, if it failed. */
  error?: Error;
  /** True while a read is on its way. */
  loading: boolean;
  /** Reads again. */
  retry(): void;
}

/**
 * Reads a fleet endpoint, again whenever `read` changes, and every `pollMs`
 * while the answer says `pending`. An answer older than the one shown
 * never replaces it; polling stops on unmount.
 *
 * @public
 */
export function useFleetAnswer<T extends { pending?: boolean }>(
  read: () => Promise<T>,
  options: { pollMs?: number } = {},
): FleetAnswerState<T> {
  const pollMs = options.pollMs ?? FLEET_POLL_MS;
  const isMounted = useMountedState();
  const [state, setState] = useState<{
    value?: T;
    error?: Error;
    loading: boolean;
  }>({ loading: true });
  // Each read takes the next number; only the latest lands.
  const latest = useRef(0);

  const load = useCallback(async () => {
    const id = ++latest.current;
    setState(previous => ({ ...previous, loading: true }));
    try {
      const value = await read();
      if (isMounted() && id === latest.current) {
        setState({ value, loading: false });
      }
    } catch (e) {
      if (isMounted() && id === latest.current) {
        setState({ error: e as Error, loading: false });
      }
    }
  }, [read, isMounted]);

  useEffect(() => {
    setState({ loading: true });
    load();
  }, [load]);

  const pending = Boolean(state.value?.pending) && !state.loading;
  useEffect(() => {
    if (!pending) {
      return undefined;
    }
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [pending, state, load, pollMs]);

  return { ...state, retry: load };
}
