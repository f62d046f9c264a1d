import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEffect, useState } from 'react';
import {
  EvidenceRequest,
  ObservabilityIrApi,
  observabilityIrApiRef,
} from '../api';
import { useIncidentRange } from './IncidentRangeContext';

/** The client methods that take an entity and a range. */
export type EvidenceMethod =
  | 'getReplicas'
  | 'getMetrics'
  | 'getLogs'
  | 'getTimeline'
  | 'getDiagnosis';

/**
 * One endpoint's answer for the current entity and range. While it
 * refreshes, the previous answer stays so the panel does not flicker.
 *
 * @public
 */
export interface EvidenceState<T> {
  /** The last answer, if any. */
  value?: T;
  /** Why the last request failed; cleared by the next answer. */
  error?: Error;
  /** True while a request is on its way. */
  loading: boolean;
}

/**
 * Fetches one evidence endpoint for the entity of the page, for the shared
 * range, again whenever the range changes or refreshes.
 */
export function useEvidence<M extends EvidenceMethod>(
  method: M,
): EvidenceState<Awaited<ReturnType<ObservabilityIrApi[M]>>> {
  type T = Awaited<ReturnType<ObservabilityIrApi[M]>>;
  const api = useApi(observabilityIrApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { range, markUpdated } = useIncidentRange();
  const [state, setState] = useState<EvidenceState<T>>({ loading: true });

  useEffect(() => {
    let cancelled = false;
    setState(previous => ({ ...previous, loading: true }));
    const load = api[method].bind(api) as (
      request: EvidenceRequest,
    ) => Promise<T>;
    load({ entityRef, start: range.start, end: range.end }).then(
      value => {
        if (!cancelled) {
          setState({ value, loading: false });
          markUpdated();
        }
      },
      error => {
        if (!cancelled) {
          setState({ error, loading: false });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, method, entityRef, range, markUpdated]);

  return state;
}
