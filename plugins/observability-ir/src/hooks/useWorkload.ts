import { useApi } from '@backstage/core-plugin-api';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';
import useAsync from 'react-use/esm/useAsync';
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
  const { loading, error, value } = useAsync(
    () => api.getWorkload(entityRef),
    [api, entityRef],
  );
  if (loading) {
    return { status: 'loading' };
  }
  if (error) {
    return { status: 'error', error };
  }
  return value ? { status: 'loaded', workload: value } : { status: 'loading' };
}
