import '@testing-library/jest-dom';
import { act, render, screen } from '@testing-library/react';
import { ReactNode, useEffect } from 'react';
import { MemoryRouter, useLocation, useNavigate } from 'react-router-dom';
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
    refreshInterval,
    setRefreshInterval,
    focusedPod,
    focusPod,
    markUpdated,
  } = useIncidentRange();
  const location = useLocation();
  const navigate = useNavigate();
  const lastUpdated = useLastUpdated();
  const answered = useAnsweredRange();
  const { onFetch } = props;
  useEffect(() => {
    onFetch(query);
  }, [query, refreshCount, onFetch]);
  return (
    <>
      <button onClick={() => setRefreshInterval('30s')}>every 30s</button>
      <button onClick={() => focusPod('checkout-api-v1-abc')}>focus abc</button>
      <button onClick={() => navigate(-1)}>back</button>
      <span>url {`${location.pathname}${location.search}`}</span>
      <span>refresh {refreshInterval}</span>
      <span>focus {focusedPod ?? 'none'}</span>
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

function renderAt(url: string, children: ReactNode) {
  return render(
    <MemoryRouter
      initialEntries={[url]}
      future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
    >
      <IncidentRangeProvider>{children}</IncidentRangeProvider>
    </MemoryRouter>,
  );
}

describe('IncidentRangeProvider', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks for the last hour by name, then for what is selected', () => {
    const onFetch = jest.fn();
    renderAt('/incident', <Probe onFetch={onFetch} />);
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
    renderAt('/incident', <Probe onFetch={onFetch} />);
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
    renderAt('/incident', <Probe onFetch={() => {}} />);
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

  describe('in the URL', () => {
    it('opens the range, auto-refresh and pod a link names', () => {
      const onFetch = jest.fn();
      const url =
        '/incident?start=2026-11-25T10:00:00.000Z&end=2026-11-25T12:00:00.000Z&refresh=1m&pod=checkout-api-v1-abc';
      renderAt(url, <Probe onFetch={onFetch} />);

      expect(onFetch.mock.calls.map(([query]) => query)).toEqual([
        { start: '2026-11-25T10:00:00.000Z', end: '2026-11-25T12:00:00.000Z' },
      ]);
      expect(screen.getByText('refresh 1m')).toBeInTheDocument();
      expect(screen.getByText('focus checkout-api-v1-abc')).toBeInTheDocument();
      expect(screen.getByText(`url ${url}`)).toBeInTheDocument();
    });

    it('writes each choice as a step back can undo', () => {
      const onFetch = jest.fn();
      renderAt('/incident?range=1h', <Probe onFetch={onFetch} />);

      act(() => screen.getByText('6h').click());
      expect(screen.getByText('url /incident?range=6h')).toBeInTheDocument();
      act(() => screen.getByText('every 30s').click());
      act(() => screen.getByText('focus abc').click());
      expect(
        screen.getByText(
          'url /incident?range=6h&refresh=30s&pod=checkout-api-v1-abc',
        ),
      ).toBeInTheDocument();
      // Choosing the range already shown adds no step.
      act(() => screen.getByText('6h').click());

      act(() => screen.getByText('back').click());
      expect(screen.getByText('focus none')).toBeInTheDocument();
      act(() => screen.getByText('back').click());
      expect(screen.getByText('refresh off')).toBeInTheDocument();
      act(() => screen.getByText('back').click());
      expect(screen.getByText('url /incident?range=1h')).toBeInTheDocument();

      // Only a range change fetches again; the others keep the request.
      expect(onFetch.mock.calls.map(([query]) => query)).toEqual([
        { range: '1h' },
        { range: '6h' },
        { range: '1h' },
      ]);
    });

    it.each([
      ['an unknown preset', 'range=2w'],
      [
        'bounds in the wrong order',
        'start=2026-11-25T12:00:00Z&end=2026-11-25T10:00:00Z',
      ],
      ['bounds without a zone', 'start=2026-11-25T10:00&end=2026-11-25T12:00'],
      ['bounds that are not instants', 'start=yesterday&end=now'],
      [
        'a range longer than 7 days',
        'start=2026-11-01T00:00:00Z&end=2026-11-25T00:00:00Z',
      ],
      [
        'a preset and bounds at once',
        'range=6h&start=2026-11-25T10:00:00Z&end=2026-11-25T12:00:00Z',
      ],
      ['only a start', 'start=2026-11-25T10:00:00Z'],
    ])('reads %s as the last hour, in place of the link', (_, query) => {
      const onFetch = jest.fn();
      render(
        <MemoryRouter
          initialEntries={['/catalog', `/incident?tab=a&${query}`]}
          initialIndex={1}
          future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
        >
          <IncidentRangeProvider>
            <Probe onFetch={onFetch} />
          </IncidentRangeProvider>
        </MemoryRouter>,
      );

      expect(onFetch.mock.calls.map(([q]) => q)).toEqual([{ range: '1h' }]);
      expect(
        screen.getByText('url /incident?tab=a&range=1h'),
      ).toBeInTheDocument();
      // Replaced, not pushed: back leaves the tab.
      act(() => screen.getByText('back').click());
      expect(screen.getByText('url /catalog')).toBeInTheDocument();
    });

    it('ignores an unknown refresh interval and an invalid pod name', () => {
      renderAt(
        '/incident?range=6h&refresh=5s&pod=Not_A_Pod',
        <Probe onFetch={() => {}} />,
      );
      expect(screen.getByText('refresh off')).toBeInTheDocument();
      expect(screen.getByText('focus none')).toBeInTheDocument();
      expect(screen.getByText('url /incident?range=6h')).toBeInTheDocument();
    });

    it('leaves a link without a view as it is', () => {
      const onFetch = jest.fn();
      renderAt('/incident?tab=a', <Probe onFetch={onFetch} />);
      expect(onFetch.mock.calls.map(([q]) => q)).toEqual([{ range: '1h' }]);
      expect(screen.getByText('url /incident?tab=a')).toBeInTheDocument();
    });
  });

  describe('while the page is hidden', () => {
    let visibility: DocumentVisibilityState = 'visible';
    beforeEach(() => {
      visibility = 'visible';
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => visibility,
      });
    });
    afterEach(() => {
      // The jsdom getter on the prototype answers again.
      delete (document as { visibilityState?: unknown }).visibilityState;
    });
    function setVisibility(state: DocumentVisibilityState) {
      visibility = state;
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
    }

    it('stops auto-refresh, and refreshes once at once when shown again', () => {
      const onFetch = jest.fn();
      renderAt('/incident?range=1h&refresh=30s', <Probe onFetch={onFetch} />);
      expect(onFetch).toHaveBeenCalledTimes(1);

      act(() => {
        jest.advanceTimersByTime(30_000);
      });
      expect(onFetch).toHaveBeenCalledTimes(2);

      setVisibility('hidden');
      act(() => {
        jest.advanceTimersByTime(300_000);
      });
      expect(onFetch).toHaveBeenCalledTimes(2);

      setVisibility('visible');
      expect(onFetch).toHaveBeenCalledTimes(3);
      // The interval starts over from there.
      act(() => {
        jest.advanceTimersByTime(29_000);
      });
      expect(onFetch).toHaveBeenCalledTimes(3);
      act(() => {
        jest.advanceTimersByTime(1_000);
      });
      expect(onFetch).toHaveBeenCalledTimes(4);
    });

    it('does not refresh on being shown when auto-refresh is off', () => {
      const onFetch = jest.fn();
      renderAt('/incident', <Probe onFetch={onFetch} />);
      setVisibility('hidden');
      setVisibility('visible');
      expect(onFetch).toHaveBeenCalledTimes(1);
    });
  });
});
