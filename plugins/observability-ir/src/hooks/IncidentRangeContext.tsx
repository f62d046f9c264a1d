import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  RangeSelection,
  RefreshInterval,
  REFRESH_INTERVALS,
  ResolvedRange,
  resolveRange,
} from './timeRange';

/**
 * The time range every panel of the Incident tab shows, and its refresh.
 *
 * @public
 */
export interface IncidentRange {
  selection: RangeSelection;
  /** Choose another range; the panels fetch again. */
  select(selection: RangeSelection): void;
  refreshInterval: RefreshInterval;
  setRefreshInterval(interval: RefreshInterval): void;
  /** The range the panels ask for now. */
  range: ResolvedRange;
  /** Fetch every panel again now (a preset range moves to end now). */
  refresh(): void;
  /** Called by the data hooks when an answer arrives. */
  markUpdated(): void;
}

const IncidentRangeContext = createContext<IncidentRange | undefined>(
  undefined,
);
// Apart, so that an answer arriving re-renders the clock, not every panel.
const LastUpdatedContext = createContext<Date | undefined>(undefined);

/**
 * Holds the shared range and auto-refresh of the Incident tab.
 *
 * @public
 */
export function IncidentRangeProvider(props: {
  children: ReactNode;
  initialSelection?: RangeSelection;
}) {
  const [selection, setSelection] = useState<RangeSelection>(
    props.initialSelection ?? { kind: 'preset', preset: '1h' },
  );
  const [refreshInterval, setRefreshInterval] =
    useState<RefreshInterval>('off');
  const [range, setRange] = useState(() => resolveRange(selection));
  const [lastUpdated, setLastUpdated] = useState<Date>();

  const select = useCallback((next: RangeSelection) => {
    setSelection(next);
    setRange(resolveRange(next));
  }, []);

  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  // A new object even for a custom range, so that the hooks fetch again.
  const refresh = useCallback(
    () => setRange(resolveRange(selectionRef.current)),
    [],
  );

  useEffect(() => {
    const ms = REFRESH_INTERVALS[refreshInterval];
    if (!ms) {
      return undefined;
    }
    const timer = setInterval(refresh, ms);
    return () => clearInterval(timer);
  }, [refreshInterval, refresh]);

  const markUpdated = useCallback(() => setLastUpdated(new Date()), []);

  const value = useMemo<IncidentRange>(
    () => ({
      selection,
      select,
      refreshInterval,
      setRefreshInterval,
      range,
      refresh,
      markUpdated,
    }),
    [selection, select, refreshInterval, range, refresh, markUpdated],
  );

  return (
    <IncidentRangeContext.Provider value={value}>
      <LastUpdatedContext.Provider value={lastUpdated}>
        {props.children}
      </LastUpdatedContext.Provider>
    </IncidentRangeContext.Provider>
  );
}

/**
 * The shared range of the Incident tab; within an
 * {@link IncidentRangeProvider}.
 *
 * @public
 */
export function useIncidentRange(): IncidentRange {
  const value = useContext(IncidentRangeContext);
  if (!value) {
    throw new Error(
      'useIncidentRange must be used within IncidentRangeProvider',
    );
  }
  return value;
}

/**
 * When a panel of the Incident tab last received an answer.
 *
 * @public
 */
export function useLastUpdated(): Date | undefined {
  return useContext(LastUpdatedContext);
}
