import { useApi } from '@backstage/core-plugin-api';
import {
  ForensicsRun,
  ForensicsRunStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { useEffect, useRef, useState } from 'react';
import { ForensicsRequestError, observabilityIrApiRef } from '../api';

/**
 * How long to wait before reading a run in flight again when the backend
 * did not hold the read until a change (a backend without
 * `waitForChangeAfter`, or one at its cap of held reads), or the read
 * failed: `firstMs`, then each wait `factor` times longer, up to `maxMs`.
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
 * Follows one forensics run: reads it (at once when `initial` is not that
 * run in flight, as the start answered it), then asks the backend to
 * answer once its status is another one (`waitForChangeAfter`), so a
 * change shows as soon as the backend stores it, until it succeeded or
 * failed. A read the backend answered unchanged without holding it, or one
 * that failed, is repeated with backoff ({@link FORENSICS_POLL}). Stops,
 * and ends the read in flight, when unmounted or given another run;
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
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let backoff: number = FORENSICS_POLL.firstMs;

    const readAgainLater = (after: ForensicsRunStatus | undefined) => {
      timer = setTimeout(() => read(after), backoff);
      backoff = Math.min(backoff * FORENSICS_POLL.factor, FORENSICS_POLL.maxMs);
    };
    async function read(after?: ForensicsRunStatus) {
      const askedAt = Date.now();
      try {
        const run = await api.getForensicsRun(id, {
          entityRef,
          ...(after ? { waitForChangeAfter: after } : {}),
          signal: stop.signal,
        });
        if (stop.signal.aborted) return;
        setState({ run });
        if (isFinalForensicsStatus(run.status)) {
          onFinal.current?.(run);
          return;
        }
        const held = Date.now() - askedAt >= FORENSICS_POLL.firstMs;
        if (run.status !== after || held) {
          // News, or the backend's wait ran out: ask again at once.
          backoff = FORENSICS_POLL.firstMs;
          read(run.status);
        } else {
          readAgainLater(run.status);
        }
      } catch (e) {
        if (stop.signal.aborted) return;
        setState(previous => ({ run: previous.run, error: e as Error }));
        // Gone or refused: asking again will not change that.
        if (
          e instanceof ForensicsRequestError &&
          [400, 403, 404].includes(e.statusCode)
        ) {
          return;
        }
        readAgainLater(after);
      }
    }

    read(
      started && !isFinalForensicsStatus(started.status)
        ? started.status
        : // Opened from the history (which may leave out the output).
          undefined,
    );
    return () => {
      stop.abort();
      if (timer) clearTimeout(timer);
    };
  }, [api, id, entityRef]);

  return state;
}
