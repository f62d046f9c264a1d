import { useApi } from '@backstage/core-plugin-api';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';
import { useEffect, useState } from 'react';
import { observabilityIrApiRef } from '../api';

/**
 * Where an entity's pods are looked for, or why that cannot be said.
 *
 * @public
 */
export type WorkloadState =
  | { status: 'loading' }
  | { status: 'error'; error: Error }
  | { status: 'loaded'; workload: EntityWorkload };

/**
 * Fetches how the backend finds the entity's pods; a refusal here (403)
 * means the user may see none of the incident data.
 *
 * @public
 */
export function useWorkload(entityRef: string): WorkloadState {
  const api = useApi(observabilityIrApiRef);
  const [state, setState] = useState<WorkloadState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });
    api.getWorkload(entityRef).then(
      workload => !cancelled && setState({ status: 'loaded', workload }),
      error => !cancelled && setState({ status: 'error', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, entityRef]);
  return state;
}
