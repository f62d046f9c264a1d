import { useApi } from '@backstage/core-plugin-api';
import {
  ForensicsRun,
  ForensicsRunStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { useEffect, useRef, useState } from 'react';
import { ForensicsRequestError, observabilityIrApiRef } from '../api';

/**
 * How often a run in flight is read again: after `firstMs`, then each wait
 * `factor` times longer, up to `maxMs`.
 *
 * @public
 */
export const FORENSICS_POLL = { firstMs: 1000, factor: 1.5, maxMs: 5000 };

/**
 * Whether a run has ended, with a report or a reason.
 *
 * @public
 */
export function isFinalForensicsStatus(status: ForensicsRunStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}

/**
 * The last answer for a run and the error of the last read, if it failed.
 *
 * @public
 */
export interface ForensicsRunState {
  run?: ForensicsRun;
  error?: Error;
}

/**
 * Follows one forensics run: reads it (after the first wait when `initial`
 * is that run in flight, as the start answered it; at once otherwise), then
 * again with backoff until it succeeded or failed. Stops when unmounted or given another run;
 * `onFinal` is called once when it ends.
 *
 * @public
 */
export function useForensicsRun(
  id: string,
  options: {
    entityRef: string;
    initial?: ForensicsRun;
    onFinal?: (run: ForensicsRun) => void;
  },
): ForensicsRunState {
  const api = useApi(observabilityIrApiRef);
  const { entityRef } = options;
  const initial = options.initial?.id === id ? options.initial : undefined;
  const [state, setState] = useState<ForensicsRunState>({ run: initial });
  const onFinal = useRef(options.onFinal);
  onFinal.current = options.onFinal;
  const initialRef = useRef(initial);
  initialRef.current = initial;

  useEffect(() => {
    const started = initialRef.current;
    setState({ run: started });
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wait = FORENSICS_POLL.firstMs;

    const schedule = (ms: number) => {
      timer = setTimeout(read, ms);
    };
    async function read() {
      try {
        const run = await api.getForensicsRun(id, { entityRef });
        if (stopped) return;
        setState({ run });
        if (isFinalForensicsStatus(run.status)) {
          onFinal.current?.(run);
          return;
        }
      } catch (e) {
        if (stopped) return;
        setState(previous => ({ run: previous.run, error: e as Error }));
        // Gone or refused: asking again will not change that.
        if (
          e instanceof ForensicsRequestError &&
          [400, 403, 404].includes(e.statusCode)
        ) {
          return;
        }
      }
      schedule(wait);
      wait = Math.min(wait * FORENSICS_POLL.factor, FORENSICS_POLL.maxMs);
    }

    if (started && !isFinalForensicsStatus(started.status)) {
      // Just started: the Job needs a moment before there is news.
      schedule(wait);
      wait = Math.min(wait * FORENSICS_POLL.factor, FORENSICS_POLL.maxMs);
    } else {
      // Opened from the history (which may leave out the output): read it.
      read();
    }
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, id, entityRef]);

  return state;
}
