import { useAppSearchParams } from '@backstage/frontend-plugin-api';
import { useCallback, useMemo } from 'react';
import { FleetFilters, readFilters } from './filters';

/**
 * The page's filters, read from and written to the URL's query (replacing
 * the history entry), so a link shares what is shown.
 */
export function useFleetFilters(): [
  FleetFilters,
  (key: keyof FleetFilters, value: string | undefined) => void,
  () => void,
] {
  const [params, setParams] = useAppSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const setFilter = useCallback(
    (key: keyof FleetFilters, value: string | undefined) =>
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          if (value) {
            next.set(key, value);
          } else {
            next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const clear = useCallback(
    () =>
      setParams(
        previous => {
          const next = new URLSearchParams();
          const range = previous.get('range');
          if (range) {
            next.set('range', range);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [filters, setFilter, clear];
}
