import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import {
  DEFAULT_RANGE_PRESET,
  EvidenceQuery,
  TimeRange,
} from '@observability-ir/plugin-observability-ir-common';
import {
  rangeQuery,
  RangeSelection,
  RefreshInterval,
  REFRESH_INTERVALS,
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
  /** The range part of every panel's request: a preset, or bounds. */
  query: Pick<EvidenceQuery, 'range' | 'start' | 'end'>;
  /** How often the panels were asked to fetch again; they do when it changes. */
  refreshCount: number;
  /** Fetch every panel again now (a preset range moves to end now). */
  refresh(): void;
  /**
   * Called by the data hooks when an answer arrives, with the range the
   * backend resolved for it, if the answer has one.
   */
  markUpdated(range?: TimeRange): void;
}

/** The latest answer of any panel. */
interface LastAnswer {
  at?: Date;
  /** The range of the latest answer that had one. */
  range?: TimeRange;
}

const IncidentRangeContext = createContext<IncidentRange | undefined>(
  undefined,
);
// Apart, so that an answer arriving re-renders the clock, not every panel.
const LastAnswerContext = createContext<LastAnswer>({});

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
    props.initialSelection ?? { kind: 'preset', preset: DEFAULT_RANGE_PRESET },
  );
  const [refreshInterval, setRefreshInterval] =
    useState<RefreshInterval>('off');
  const [refreshCount, setRefreshCount] = useState(0);
  const [lastAnswer, setLastAnswer] = useState<LastAnswer>({});

  const query = useMemo(() => rangeQuery(selection), [selection]);
  const refresh = useCallback(() => setRefreshCount(count => count + 1), []);

  useEffect(() => {
    const ms = REFRESH_INTERVALS[refreshInterval];
    if (!ms) {
      return undefined;
    }
    const timer = setInterval(refresh, ms);
    return () => clearInterval(timer);
  }, [refreshInterval, refresh]);

  const markUpdated = useCallback(
    (range?: TimeRange) =>
      setLastAnswer(previous => ({
        at: new Date(),
        range: range ?? previous.range,
      })),
    [],
  );

  const value = useMemo<IncidentRange>(
    () => ({
      selection,
      select: setSelection,
      refreshInterval,
      setRefreshInterval,
      query,
      refreshCount,
      refresh,
      markUpdated,
    }),
    [selection, refreshInterval, query, refreshCount, refresh, markUpdated],
  );

  return (
    <IncidentRangeContext.Provider value={value}>
      <LastAnswerContext.Provider value={lastAnswer}>
        {props.children}
      </LastAnswerContext.Provider>
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
  return useContext(LastAnswerContext).at;
}

/**
 * The range the backend resolved for the latest answer that has one: what
 * the Incident tab shows now.
 *
 * @public
 */
export function useAnsweredRange(): TimeRange | undefined {
  return useContext(LastAnswerContext).range;
}
