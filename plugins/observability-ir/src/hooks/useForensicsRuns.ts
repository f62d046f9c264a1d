import { useApi } from '@backstage/core-plugin-api';
import { ForensicsRunsResponse } from '@observability-ir/plugin-observability-ir-common';
import useAsyncRetry, { AsyncStateRetry } from 'react-use/esm/useAsyncRetry';
import { observabilityIrApiRef } from '../api';

/**
 * The entity's node-forensics runs, newest first; `retry` reads them again.
 * A `ForensicsRequestError` that is `unavailable` (503) means forensics is
 * off in this Backstage.
 *
 * @public
 */
export function useForensicsRuns(
  entityRef: string,
): AsyncStateRetry<ForensicsRunsResponse> {
  const api = useApi(observabilityIrApiRef);
  return useAsyncRetry(
    () => api.listForensicsRuns(entityRef),
    [api, entityRef],
  );
}
