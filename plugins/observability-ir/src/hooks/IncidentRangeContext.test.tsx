import '@testing-library/jest-dom';
import { act, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import {
  IncidentRangeProvider,
  useIncidentRange,
  useLastUpdated,
} from './IncidentRangeContext';

/** Counts how often the range the panels fetch for changes. */
function Probe(props: { onRange(): void }) {
  const { range, setRefreshInterval, markUpdated } = useIncidentRange();
  const lastUpdated = useLastUpdated();
  const { onRange } = props;
  useEffect(() => {
    onRange();
  }, [range, onRange]);
  return (
    <>
      <button onClick={() => setRefreshInterval('30s')}>every 30s</button>
      <button onClick={() => setRefreshInterval('off')}>off</button>
      <button onClick={markUpdated}>updated</button>
      <span>{lastUpdated ? 'has update' : 'no update'}</span>
    </>
  );
}

describe('IncidentRangeProvider', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('refreshes every 30 s while asked to, and stops when off', () => {
    const onRange = jest.fn();
    render(
      <IncidentRangeProvider>
        <Probe onRange={onRange} />
      </IncidentRangeProvider>,
    );
    expect(onRange).toHaveBeenCalledTimes(1);

    act(() => screen.getByText('every 30s').click());
    act(() => {
      jest.advanceTimersByTime(29_000);
    });
    expect(onRange).toHaveBeenCalledTimes(1);
    act(() => {
      jest.advanceTimersByTime(1_000);
    });
    expect(onRange).toHaveBeenCalledTimes(2);
    act(() => {
      jest.advanceTimersByTime(30_000);
    });
    expect(onRange).toHaveBeenCalledTimes(3);

    act(() => screen.getByText('off').click());
    act(() => {
      jest.advanceTimersByTime(120_000);
    });
    expect(onRange).toHaveBeenCalledTimes(3);
  });

  it('records when an answer arrived', () => {
    render(
      <IncidentRangeProvider>
        <Probe onRange={() => {}} />
      </IncidentRangeProvider>,
    );
    expect(screen.getByText('no update')).toBeInTheDocument();
    act(() => screen.getByText('updated').click());
    expect(screen.getByText('has update')).toBeInTheDocument();
  });
});
