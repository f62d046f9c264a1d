import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { TimeRange } from '@observability-ir/plugin-observability-ir-common';
import { useEffect } from 'react';
import useAsyncRetry, { AsyncStateRetry } from 'react-use/esm/useAsyncRetry';
import { ObservabilityIrApi, observabilityIrApiRef } from '../api';
import { useIncidentRange } from './IncidentRangeContext';

/**
 * The client methods that take an entity and a range.
 *
 * @public
 */
export type EvidenceMethod =
  | 'getReplicas'
  | 'getMetrics'
  | 'getLogs'
  | 'getTimeline'
  | 'getDiagnosis'
  | 'getAlerts';

/**
 * The answer of one evidence method.
 *
 * @public
 */
export type EvidenceAnswer<M extends EvidenceMethod> = Awaited<
  ReturnType<ObservabilityIrApi[M]>
>;

/**
 * One endpoint's answer for the current entity and range: `value`, or the
 * `error` of the last request, and `loading` while a request is on its way.
 * While it refreshes, the previous answer stays so the panel does not
 * flicker; `retry` fetches again.
 *
 * @public
 */
export type EvidenceState<T> = AsyncStateRetry<T>;

/**
 * Fetches one evidence endpoint for the entity of the page and the shared
 * range of the Incident tab, again whenever the range changes or is
 * refreshed: `useEvidence('getLogs')`. A refresh whose answer has not
 * changed (the backend answers 304 to the client's conditional request)
 * keeps the very same `value`.
 *
 * @public
 */
export function useEvidence<M extends EvidenceMethod>(
  method: M,
): EvidenceState<EvidenceAnswer<M>> {
  const api = useApi(observabilityIrApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { query, refreshCount, markUpdated } = useIncidentRange();

  const state = useAsyncRetry(
    () => api[method]({ entityRef, ...query }) as Promise<EvidenceAnswer<M>>,
    // refreshCount: a refresh asks again for the same range.
    [api, method, entityRef, query, refreshCount],
  );

  // Each settled request marks the tab updated, also one answered "not
  // modified": then `value` is the previous answer, the same object, and
  // the panel draws nothing again. A stale answer never reaches the state.
  const { value, loading } = state;
  useEffect(() => {
    if (value && !loading) {
      markUpdated((value as { range?: TimeRange }).range);
    }
  }, [value, loading, markUpdated]);

  return state;
}
