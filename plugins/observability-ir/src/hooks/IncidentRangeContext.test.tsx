import '@testing-library/jest-dom';
import { act, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import {
  IncidentRangeProvider,
  useAnsweredRange,
  useIncidentRange,
  useLastUpdated,
} from './IncidentRangeContext';

/** Records the requests the panels would send, and offers the controls. */
function Probe(props: { onFetch(query: object): void }) {
  const {
    query,
    refreshCount,
    select,
    refresh,
    setRefreshInterval,
    markUpdated,
  } = useIncidentRange();
  const lastUpdated = useLastUpdated();
  const answered = useAnsweredRange();
  const { onFetch } = props;
  useEffect(() => {
    onFetch(query);
  }, [query, refreshCount, onFetch]);
  return (
    <>
      <button onClick={() => setRefreshInterval('30s')}>every 30s</button>
      <button onClick={() => setRefreshInterval('off')}>off</button>
      <button onClick={() => select({ kind: 'preset', preset: '6h' })}>
        6h
      </button>
      <button
        onClick={() =>
          select({
            kind: 'custom',
            start: new Date('2026-11-25T10:00:00Z'),
            end: new Date('2026-11-25T12:00:00Z'),
          })
        }
      >
        custom
      </button>
      <button onClick={refresh}>refresh</button>
      <button onClick={() => markUpdated()}>updated</button>
      <button
        onClick={() =>
          markUpdated({
            start: '2026-11-25T13:00:15.000Z',
            end: '2026-11-25T14:00:15.000Z',
            stepSeconds: 15,
          })
        }
      >
        answered
      </button>
      <span>{lastUpdated ? 'has update' : 'no update'}</span>
      <span>{answered ? `shows ${answered.start}` : 'shows nothing yet'}</span>
    </>
  );
}

describe('IncidentRangeProvider', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks for the last hour by name, then for what is selected', () => {
    const onFetch = jest.fn();
    render(
      <IncidentRangeProvider>
        <Probe onFetch={onFetch} />
      </IncidentRangeProvider>,
    );
    act(() => screen.getByText('6h').click());
    act(() => screen.getByText('custom').click());
    // A custom range is fetched again on refresh, with the same bounds.
    act(() => screen.getByText('refresh').click());

    expect(onFetch.mock.calls.map(([query]) => query)).toEqual([
      { range: '1h' },
      { range: '6h' },
      { start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T12:00:00.000Z' },
      { start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T12:00:00.000Z' },
    ]);
  });

  it('refreshes every 30 s while asked to, and stops when off', () => {
    const onFetch = jest.fn();
    render(
      <IncidentRangeProvider>
        <Probe onFetch={onFetch} />
      </IncidentRangeProvider>,
    );
    expect(onFetch).toHaveBeenCalledTimes(1);

    act(() => screen.getByText('every 30s').click());
    act(() => {
      jest.advanceTimersByTime(29_000);
    });
    expect(onFetch).toHaveBeenCalledTimes(1);
    act(() => {
      jest.advanceTimersByTime(1_000);
    });
    expect(onFetch).toHaveBeenCalledTimes(2);
    act(() => {
      jest.advanceTimersByTime(30_000);
    });
    expect(onFetch).toHaveBeenCalledTimes(3);

    act(() => screen.getByText('off').click());
    act(() => {
      jest.advanceTimersByTime(120_000);
    });
    expect(onFetch).toHaveBeenCalledTimes(3);
  });

  it('records when an answer arrived, and the range the backend used', () => {
    render(
      <IncidentRangeProvider>
        <Probe onFetch={() => {}} />
      </IncidentRangeProvider>,
    );
    expect(screen.getByText('no update')).toBeInTheDocument();
    act(() => screen.getByText('updated').click());
    expect(screen.getByText('has update')).toBeInTheDocument();
    expect(screen.getByText('shows nothing yet')).toBeInTheDocument();

    act(() => screen.getByText('answered').click());
    // An answer without a range keeps the one shown.
    act(() => screen.getByText('updated').click());
    expect(
      screen.getByText('shows 2026-11-25T13:00:15.000Z'),
    ).toBeInTheDocument();
  });
});
