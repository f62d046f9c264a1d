import {
  firingIntervals,
  mergeClusterAlerts,
  toIncidentAlert,
} from './collectAlerts';

const RANGE = { startSeconds: 10_000, endSeconds: 13_600, stepSeconds: 60 };
const OPEN_FROM = RANGE.endSeconds - 90;
const LABELS = {
  alertname: 'HighErrorRate',
  namespace: 'shop',
  pod: 'cart-0',
  severity: 'critical',
};

function points(from: number, to: number) {
  const values: Array<[number, number]> = [];
  for (let t = from; t <= to; t += RANGE.stepSeconds) values.push([t, 1]);
  return values;
}

describe('firingIntervals', () => {
  it('splits a series at gaps, ends past runs and leaves the last one open', () => {
    const intervals = firingIntervals(
      {
        metric: LABELS,
        values: [...points(10_000, 10_600), ...points(12_000, 13_600)],
      },
      RANGE,
      OPEN_FROM,
    );

    expect(intervals).toEqual([
      { startSeconds: 10_000, endSeconds: 10_600, clamped: true },
      { startSeconds: 12_000, clamped: false },
    ]);
  });
});

describe('mergeClusterAlerts', () => {
  it('joins live alerts to the open interval of the same alert, Alertmanager’s despite external labels, and keeps a resolved one apart', () => {
    const drafts = mergeClusterAlerts({
      history: [
        {
          metric: { __name__: 'ALERTS', alertstate: 'firing', ...LABELS },
          values: [...points(10_000, 10_600), ...points(12_000, 13_600)],
        },
      ],
      live: [
        {
          labels: LABELS,
          annotations: { summary: 'Errors above 5%' },
          state: 'firing',
          activeAt: new Date(11_900_000).toISOString(),
        },
        {
          labels: { ...LABELS, alertname: 'SlowRequests' },
          annotations: {},
          state: 'pending',
          activeAt: new Date(13_500_000).toISOString(),
        },
      ],
      alertmanager: [
        {
          labels: { ...LABELS, cluster: 'eu-1' },
          annotations: { summary: 'ignored: Prometheus said it first' },
          startsAt: new Date(12_000_000).toISOString(),
        },
      ],
      range: RANGE,
      openFromSeconds: OPEN_FROM,
    });
    const alerts = drafts.map(d => toIncidentAlert(d, 'eu-1'));

    expect(
      alerts.map(a => [a.name, a.state, a.startsAt, a.endsAt, a.origins]),
    ).toEqual([
      [
        'HighErrorRate',
        'resolved',
        '1970-01-01T02:46:40.000Z',
        '1970-01-01T02:56:40.000Z',
        ['history'],
      ],
      [
        'HighErrorRate',
        'firing',
        '1970-01-01T03:20:00.000Z',
        undefined,
        ['prometheus', 'history', 'alertmanager'],
      ],
      [
        'SlowRequests',
        'pending',
        '1970-01-01T03:45:00.000Z',
        undefined,
        ['prometheus'],
      ],
    ]);
    expect(alerts[1].summary).toBe('Errors above 5%');
    expect(alerts[1].labels).not.toHaveProperty('alertstate');
  });

  it('redacts and shortens annotations', () => {
    const [draft] = mergeClusterAlerts({
      history: [],
      live: [
        {
          labels: LABELS,
          annotations: {
            summary: 'token=abcdef123456 leaked',
            description: 'x'.repeat(2000),
          },
          state: 'firing',
        },
      ],
      alertmanager: [],
      range: RANGE,
      openFromSeconds: OPEN_FROM,
    });
    const alert = toIncidentAlert(draft, 'eu-1');

    expect(alert.summary).toBe('token=[redacted] leaked');
    expect(alert.description!.length).toBeLessThanOrEqual(400);
  });
});
