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
import { useSearchParams } from 'react-router-dom';
import {
  DEFAULT_RANGE_PRESET,
  EvidenceQuery,
  TimeRange,
} from '@observability-ir/plugin-observability-ir-common';
import {
  IncidentView,
  parseViewParams,
  rangeQuery,
  RangeSelection,
  RefreshInterval,
  REFRESH_INTERVALS,
  selectionKey,
  viewParamsNeedNormalising,
  writeViewParams,
} from './timeRange';

/**
 * The time range every panel of the Incident tab shows, and its refresh.
 * Both are kept in the URL's query (see {@link VIEW_PARAMS}): each choice is
 * a step of the browser's history, and a copied link opens the same view.
 *
 * @public
 */
export interface IncidentRange {
  selection: RangeSelection;
  /** Choose another range; the panels fetch again. */
  select(selection: RangeSelection): void;
  refreshInterval: RefreshInterval;
  setRefreshInterval(interval: RefreshInterval): void;
  /** The pod singled out in the panels (the URL's `pod`), if any. */
  focusedPod?: string;
  /** Single out a pod, or none with `undefined`. */
  focusPod(pod: string | undefined): void;
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
 * Calls `refresh` every `ms` while the page is visible; when it is shown
 * again after being hidden, refreshes at once and starts over.
 */
function useVisibleInterval(ms: number, refresh: () => void) {
  useEffect(() => {
    if (!ms) {
      return undefined;
    }
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      timer = setInterval(refresh, ms);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibilityChange = () => {
      if (document.visibilityState === 'hidden') {
        stop();
      } else if (!timer) {
        refresh();
        start();
      }
    };
    if (document.visibilityState !== 'hidden') {
      start();
    }
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [ms, refresh]);
}

/**
 * Holds the shared range and auto-refresh of the Incident tab, read from
 * and written to the URL's query. A choice pushes a history entry; a URL
 * with an invalid value is replaced by the one it is read as.
 *
 * @public
 */
export function IncidentRangeProvider(props: {
  children: ReactNode;
  /** The range when the URL names none; the last hour by default. */
  initialSelection?: RangeSelection;
}) {
  const [searchParams, setSearchParams] = useSearchParams();
  const defaultSelection = useRef<RangeSelection>(
    props.initialSelection ?? { kind: 'preset', preset: DEFAULT_RANGE_PRESET },
  ).current;
  const [refreshCount, setRefreshCount] = useState(0);
  const [lastAnswer, setLastAnswer] = useState<LastAnswer>({});

  const view = useMemo(
    () => parseViewParams(searchParams, defaultSelection),
    [searchParams, defaultSelection],
  );
  // The same range keeps the same objects, so that the panels fetch again
  // only when it changes, not when another parameter does.
  const rangeKey = selectionKey(view.selection);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const selection = useMemo(() => view.selection, [rangeKey]);
  const { refreshInterval, focusedPod } = view;
  const query = useMemo(() => rangeQuery(selection), [selection]);
  const refresh = useCallback(() => setRefreshCount(count => count + 1), []);

  useEffect(() => {
    if (viewParamsNeedNormalising(searchParams, view)) {
      setSearchParams(writeViewParams(searchParams, view), { replace: true });
    }
  }, [searchParams, view, setSearchParams]);

  // The latest view, for the setters below to change one part of it.
  const viewRef = useRef<IncidentView>(view);
  viewRef.current = view;
  const change = useCallback(
    (part: Partial<IncidentView>) => {
      const next = { ...viewRef.current, ...part };
      setSearchParams(previous => {
        const params = writeViewParams(previous, next);
        return params.toString() === previous.toString() ? previous : params;
      });
    },
    [setSearchParams],
  );
  const select = useCallback(
    (next: RangeSelection) => {
      if (selectionKey(next) !== selectionKey(viewRef.current.selection)) {
        change({ selection: next });
      }
    },
    [change],
  );
  const setRefreshInterval = useCallback(
    (interval: RefreshInterval) => {
      if (interval !== viewRef.current.refreshInterval) {
        change({ refreshInterval: interval });
      }
    },
    [change],
  );
  const focusPod = useCallback(
    (pod: string | undefined) => {
      if (pod !== viewRef.current.focusedPod) {
        change({ focusedPod: pod });
      }
    },
    [change],
  );

  useVisibleInterval(REFRESH_INTERVALS[refreshInterval], refresh);

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
      select,
      refreshInterval,
      setRefreshInterval,
      focusedPod,
      focusPod,
      query,
      refreshCount,
      refresh,
      markUpdated,
    }),
    [
      selection,
      select,
      refreshInterval,
      setRefreshInterval,
      focusedPod,
      focusPod,
      query,
      refreshCount,
      refresh,
      markUpdated,
    ],
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
