import { useApi } from '@backstage/core-plugin-api';
import {
  RunbookActionRequest,
  RunbookResponse,
} from '@observability-ir/plugin-observability-ir-common';
import { useCallback, useState } from 'react';
import useMountedState from 'react-use/esm/useMountedState';
import { observabilityIrApiRef } from '../api';

/**
 * Recording one action on a runbook, as a button sees it.
 *
 * @public
 */
export interface RunbookActionState {
  /** An action is on its way. */
  pending: boolean;
  /** Why the last action failed; cleared by the next one. */
  error?: Error;
  /**
   * Records the action; true once the backend stored it, with `onRecorded`
   * called with the runbook it answered.
   */
  record(request: RunbookActionRequest): Promise<boolean>;
}

/**
 * Records actions on a runbook (a step done by hand, a step skipped),
 * handing the runbook the backend answers to `onRecorded`.
 *
 * @public
 */
export function useRunbookAction(
  onRecorded: (runbook: RunbookResponse) => void,
): RunbookActionState {
  const api = useApi(observabilityIrApiRef);
  const isMounted = useMountedState();
  const [state, setState] = useState<{ pending: boolean; error?: Error }>({
    pending: false,
  });

  const record = useCallback(
    async (request: RunbookActionRequest) => {
      setState({ pending: true });
      try {
        const runbook = await api.recordRunbookAction(request);
        if (isMounted()) {
          setState({ pending: false });
          onRecorded(runbook);
        }
        return true;
      } catch (e) {
        if (isMounted()) {
          setState({ pending: false, error: e as Error });
        }
        return false;
      }
    },
    [api, isMounted, onRecorded],
  );

  return { ...state, record };
}
