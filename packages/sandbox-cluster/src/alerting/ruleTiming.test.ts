import { startSandbox, Sandbox } from '../sandbox';

/**
 * `for`, resolution and the ALERTS series, on a rule whose condition holds
 * exactly between two known times: the alert must go pending at the first
 * evaluation after the first, fire `for` later, and resolve at the first
 * evaluation after the second.
 */

const START = Date.parse('2026-03-02T12:00:00Z');
const OPENS = START + 5 * 60_000;
const CLOSES = START + 20 * 60_000;
const INTERVAL = 30_000;
const HOLD = 2 * 60_000;

const scenario = {
  name: 'alert-timing',
  seed: 7,
  historyHours: 1,
  clusters: [
    {
      name: 'sandbox',
      nodes: [{ name: 'worker-1', internalIP: '10.0.1.11' }],
      namespaces: ['finance'],
    },
  ],
  alertRules: [
    {
      name: 'timing',
      interval: '30s',
      rules: [
        {
          alert: 'WindowOpen',
          expr: `(vector(time()) >= ${OPENS / 1000}) and (vector(time()) < ${
            CLOSES / 1000
          })`,
          for: '2m',
          labels: { severity: 'warning' },
          annotations: { summary: 'evaluated at {{ printf "%.0f" $value }}' },
        },
        {
          // Reads the series the rule before it records, in the same evaluation.
          alert: 'WindowOpenEcho',
          expr: 'ALERTS{alertname="WindowOpen", alertstate="firing"}',
          for: '1m',
        },
      ],
    },
  ],
};

/** Alertmanager's timestamps: RFC 3339 with milliseconds. */
const iso = (ms: number) => new Date(ms).toISOString();
/** Prometheus's: Go's RFC 3339 with the fraction's trailing zeros dropped. */
const goTime = (ms: number) =>
  iso(ms)
    .replace(/\.000Z$/, 'Z')
    .replace(/(\.\d*?)0+Z$/, '$1Z');

describe('alerting rule timing', () => {
  let sandbox: Sandbox;
  let prom: string;
  let alertmanager: string;
  /** The first evaluation at or after the window opens / closes. */
  let firstEvalOpen: number;
  let firstEvalClosed: number;

  const getJson = async (url: string) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.json();
  };
  const alerts = async (alertname = 'WindowOpen') =>
    ((await getJson(`${prom}/api/v1/alerts`)).data.alerts as any[]).filter(
      a => a.labels.alertname === alertname,
    );
  const amAlerts = async () =>
    (await getJson(
      `${alertmanager}/api/v2/alerts?filter=alertname%3DWindowOpen`,
    )) as any[];
  const moveTo = (ms: number) => sandbox.advance(ms - sandbox.now());

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario,
      speed: 0,
      now: START,
      kubeconfigPath: false,
    });
    prom = sandbox.clusters[0].prometheusUrl;
    alertmanager = sandbox.clusters[0].alertmanagerUrl;
    const rules = await getJson(`${prom}/api/v1/rules`);
    const last = Date.parse(rules.data.groups[0].lastEvaluation);
    firstEvalOpen = last + Math.ceil((OPENS - last) / INTERVAL) * INTERVAL;
    firstEvalClosed = last + Math.ceil((CLOSES - last) / INTERVAL) * INTERVAL;
  }, 60_000);

  afterAll(() => sandbox.close());

  it('has evaluated the group over the history, every interval', async () => {
    const rules = await getJson(`${prom}/api/v1/rules`);
    const group = rules.data.groups[0];
    expect(group).toMatchObject({ name: 'timing', interval: 30, limit: 0 });
    const last = Date.parse(group.lastEvaluation);
    expect(last).toBeLessThanOrEqual(START);
    expect(last).toBeGreaterThan(START - INTERVAL);
    expect(group.rules[0]).toMatchObject({
      name: 'WindowOpen',
      state: 'inactive',
      health: 'ok',
      duration: 120,
      type: 'alerting',
      alerts: [],
    });
    expect(await alerts()).toEqual([]);
  });

  it('goes pending at the first evaluation the condition holds, not before', async () => {
    moveTo(firstEvalOpen - 1);
    expect(await alerts()).toEqual([]);
    moveTo(firstEvalOpen);
    expect(await alerts()).toEqual([
      {
        labels: { alertname: 'WindowOpen', severity: 'warning' },
        annotations: {
          summary: `evaluated at ${(firstEvalOpen / 1000).toFixed(0)}`,
        },
        state: 'pending',
        activeAt: goTime(firstEvalOpen),
        value: (firstEvalOpen / 1000)
          .toExponential(10)
          .replace(/e\+(\d)$/, 'e+0$1'),
      },
    ]);
    // Pending alerts do not reach Alertmanager.
    expect(await amAlerts()).toEqual([]);
    const rules = await getJson(`${prom}/api/v1/rules?type=alert`);
    expect(rules.data.groups[0].rules[0].state).toBe('pending');
  });

  it('fires once the condition has held for `for`', async () => {
    moveTo(firstEvalOpen + HOLD - 1);
    expect((await alerts()).map(a => a.state)).toEqual(['pending']);
    moveTo(firstEvalOpen + HOLD);
    const [alert] = await alerts();
    expect(alert).toMatchObject({
      state: 'firing',
      activeAt: goTime(firstEvalOpen),
      annotations: {
        summary: `evaluated at ${((firstEvalOpen + HOLD) / 1000).toFixed(0)}`,
      },
    });
    const [sent] = await amAlerts();
    expect(sent).toMatchObject({
      labels: { alertname: 'WindowOpen', severity: 'warning' },
      startsAt: iso(firstEvalOpen + HOLD),
      updatedAt: iso(firstEvalOpen + HOLD),
      // Prometheus's ValidUntil: four times max(resend delay 1m, interval).
      endsAt: iso(firstEvalOpen + HOLD + 4 * 60_000),
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
  });

  it('lets a later rule of the group read ALERTS of the same evaluation', async () => {
    expect(await alerts('WindowOpenEcho')).toEqual([
      expect.objectContaining({
        labels: {
          alertname: 'WindowOpenEcho',
          alertstate: 'firing',
          severity: 'warning',
        },
        state: 'pending',
        activeAt: goTime(firstEvalOpen + HOLD),
      }),
    ]);
    moveTo(firstEvalOpen + HOLD + 60_000);
    expect((await alerts('WindowOpenEcho')).map(a => a.state)).toEqual([
      'firing',
    ]);
  });

  it('keeps firing while the condition holds, re-sent to Alertmanager', async () => {
    moveTo(firstEvalClosed - 1);
    expect((await alerts()).map(a => a.state)).toEqual(['firing']);
    const [sent] = await amAlerts();
    expect(sent.startsAt).toBe(iso(firstEvalOpen + HOLD));
    expect(Date.parse(sent.updatedAt)).toBeGreaterThan(firstEvalOpen + HOLD);
    expect(Date.parse(sent.endsAt)).toBeGreaterThan(sandbox.now());
  });

  it('resolves at the first evaluation the condition no longer holds', async () => {
    moveTo(firstEvalClosed);
    expect(await alerts()).toEqual([]);
    expect(await alerts('WindowOpenEcho')).toEqual([]);
    // Alertmanager got the resolution (endsAt now) and lists it no more.
    expect(await amAlerts()).toEqual([]);
    const rules = await getJson(`${prom}/api/v1/rules`);
    expect(rules.data.groups[0].rules[0]).toMatchObject({
      state: 'inactive',
      alerts: [],
    });
    expect(rules.data.groups[0].rules[1].state).toBe('inactive');
    const now = await getJson(
      `${prom}/api/v1/query?query=${encodeURIComponent('ALERTS')}`,
    );
    expect(now.data.result).toEqual([]);
  });

  it('keeps the history in ALERTS and ALERTS_FOR_STATE', async () => {
    moveTo(firstEvalClosed + 30 * 60_000);
    const step = INTERVAL / 1000;
    const from = firstEvalOpen - 10 * INTERVAL;
    const to = firstEvalClosed + 20 * INTERVAL;
    const range = await getJson(
      `${prom}/api/v1/query_range?query=${encodeURIComponent(
        'ALERTS{alertname="WindowOpen"}',
      )}&start=${from / 1000}&end=${to / 1000}&step=${step}`,
    );
    const byState = Object.fromEntries(
      range.data.result.map((s: any) => [
        s.metric.alertstate,
        { metric: s.metric, times: s.values.map((v: any) => v[0] * 1000) },
      ]),
    );
    const times = (a: number, b: number) => {
      const out: number[] = [];
      for (let t = a; t < b; t += INTERVAL) out.push(t);
      return out;
    };
    expect(byState.pending.metric).toEqual({
      __name__: 'ALERTS',
      alertname: 'WindowOpen',
      alertstate: 'pending',
      severity: 'warning',
    });
    expect(byState.pending.times).toEqual(
      times(firstEvalOpen, firstEvalOpen + HOLD),
    );
    // Stale markers end each series at once, not after the 5m lookback.
    expect(byState.firing.times).toEqual(
      times(firstEvalOpen + HOLD, firstEvalClosed),
    );
    const forState = await getJson(
      `${prom}/api/v1/query?query=${encodeURIComponent(
        'ALERTS_FOR_STATE{alertname="WindowOpen"}',
      )}&time=${(firstEvalOpen + HOLD) / 1000}`,
    );
    expect(forState.data.result).toEqual([
      {
        metric: {
          __name__: 'ALERTS_FOR_STATE',
          alertname: 'WindowOpen',
          severity: 'warning',
        },
        // activeAt in whole seconds, as Prometheus writes it.
        value: [
          (firstEvalOpen + HOLD) / 1000,
          String(Math.floor(firstEvalOpen / 1000)),
        ],
      },
    ]);
    const counted = await getJson(
      `${prom}/api/v1/query?query=${encodeURIComponent(
        'count_over_time(ALERTS{alertname="WindowOpen", alertstate="firing"}[1h])',
      )}`,
    );
    expect(counted.data.result[0].value[1]).toBe(
      String((firstEvalClosed - firstEvalOpen - HOLD) / INTERVAL),
    );
    const series = await getJson(
      `${prom}/api/v1/series?match[]=${encodeURIComponent(
        'ALERTS{alertname="WindowOpen"}',
      )}&start=${from / 1000}&end=${to / 1000}`,
    );
    expect(series.data.map((s: any) => s.alertstate).sort()).toEqual([
      'firing',
      'pending',
    ]);
  });
});
