import { startSandbox, Sandbox } from '../sandbox';

jest.setTimeout(60_000);

const CHECKOUT_PODS = ['checkout-api-v1-abc', 'checkout-api-v1-xyz'];

async function getJson(url: string, status = 200) {
  const response = await fetch(url);
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

const podsOf = (alerts: any[], alertname: string) =>
  alerts
    .filter(a => a.labels.alertname === alertname)
    .map(a => a.labels.pod)
    .sort();

describe('the lab fires its alerts', () => {
  let sandbox: Sandbox;
  let prom: string;
  let am: string;

  const amAlerts = (query = '') => getJson(`${am}/api/v2/alerts${query}`);
  const filter = (...matchers: string[]) =>
    `?${matchers.map(m => `filter=${encodeURIComponent(m)}`).join('&')}`;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
    prom = sandbox.clusters[0].prometheusUrl;
    am = sandbox.clusters[0].alertmanagerUrl;
  }, 60_000);

  afterAll(() => sandbox.close());

  it('has KubePodCrashLooping and ContainerMemoryNearLimit firing for both checkout-api pods', async () => {
    const body = await getJson(`${prom}/api/v1/alerts`);
    expect(body.status).toBe('success');
    const alerts = body.data.alerts as any[];
    expect(podsOf(alerts, 'KubePodCrashLooping')).toEqual(CHECKOUT_PODS);
    expect(podsOf(alerts, 'ContainerMemoryNearLimit')).toEqual(CHECKOUT_PODS);
    expect(alerts).toHaveLength(4);
    for (const alert of alerts) {
      expect(Object.keys(alert).sort()).toEqual([
        'activeAt',
        'annotations',
        'labels',
        'state',
        'value',
      ]);
      expect(alert.state).toBe('firing');
      expect(alert.labels).toMatchObject({
        namespace: 'finance',
        container: 'checkout-api',
        severity: 'warning',
      });
      expect(alert.value).toMatch(/^-?\d\.\d{10}e[-+]\d{2}$/);
      expect(Date.parse(alert.activeAt)).toBeLessThan(sandbox.now());
    }
    const crash = alerts.find(
      a =>
        a.labels.alertname === 'KubePodCrashLooping' &&
        a.labels.pod === 'checkout-api-v1-abc',
    );
    // OOMKilled about every three minutes: three restarts in ten.
    expect(Number(crash.value)).toBeGreaterThanOrEqual(2);
    expect(crash.annotations.description).toMatch(
      /^Pod finance\/checkout-api-v1-abc \(checkout-api\) is restarting \d+\.\d\d times \/ 10 minutes\.$/,
    );
    const memory = alerts.find(
      a =>
        a.labels.alertname === 'ContainerMemoryNearLimit' &&
        a.labels.pod === 'checkout-api-v1-xyz',
    );
    expect(Number(memory.value)).toBeGreaterThan(0.9);
    expect(Number(memory.value)).toBeLessThanOrEqual(1);
  });

  it('lists the rules with their state, health and alerts', async () => {
    const body = await getJson(`${prom}/api/v1/rules`);
    const groups = body.data.groups as any[];
    expect(groups.map(g => g.name)).toEqual([
      'kubernetes-apps',
      'kubernetes-resources',
    ]);
    for (const group of groups) {
      expect(Object.keys(group).sort()).toEqual([
        'evaluationTime',
        'file',
        'interval',
        'lastEvaluation',
        'limit',
        'name',
        'rules',
      ]);
      expect(group.interval).toBe(30);
      const [rule] = group.rules;
      expect(rule).toMatchObject({
        state: 'firing',
        health: 'ok',
        type: 'alerting',
        labels: { severity: 'warning' },
      });
      expect(rule.alerts).toHaveLength(2);
      expect(typeof rule.query).toBe('string');
      expect(rule).not.toHaveProperty('lastError');
    }
    expect(groups[0].rules[0]).toMatchObject({
      name: 'KubePodCrashLooping',
      duration: 900,
    });
    const alertOnly = await getJson(`${prom}/api/v1/rules?type=alert`);
    expect(alertOnly.data).toEqual(body.data);
    const recordOnly = await getJson(`${prom}/api/v1/rules?type=record`);
    expect(recordOnly.data.groups).toEqual([]);
    const byName = await getJson(
      `${prom}/api/v1/rules?rule_name[]=ContainerMemoryNearLimit`,
    );
    expect(byName.data.groups.map((g: any) => g.name)).toEqual([
      'kubernetes-resources',
    ]);
    const bad = await getJson(`${prom}/api/v1/rules?type=alerts`, 400);
    expect(bad).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "type": not supported value "alerts"',
    });
  });

  it('keeps the alerts queryable as ALERTS over the history', async () => {
    const end = sandbox.now() / 1000;
    const body = await getJson(
      `${prom}/api/v1/query_range?query=${encodeURIComponent(
        'ALERTS{alertname="KubePodCrashLooping", alertstate="firing"}',
      )}&start=${end - 3600}&end=${end}&step=60`,
    );
    expect(body.data.resultType).toBe('matrix');
    const pods = body.data.result.map((s: any) => s.metric.pod).sort();
    expect(pods).toEqual(CHECKOUT_PODS);
    for (const s of body.data.result) {
      expect(s.metric.__name__).toBe('ALERTS');
      expect(s.values).toHaveLength(61);
      expect(s.values.every((v: any) => v[1] === '1')).toBe(true);
    }
  });

  it('serves the firing alerts in Alertmanager API v2 shape', async () => {
    const alerts = (await amAlerts()) as any[];
    expect(alerts).toHaveLength(4);
    const fingerprints = alerts.map(a => a.fingerprint);
    expect([...fingerprints].sort()).toEqual(fingerprints);
    for (const alert of alerts) {
      expect(Object.keys(alert).sort()).toEqual([
        'annotations',
        'endsAt',
        'fingerprint',
        'generatorURL',
        'labels',
        'receivers',
        'startsAt',
        'status',
        'updatedAt',
      ]);
      expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(alert.status).toEqual({
        state: 'active',
        silencedBy: [],
        inhibitedBy: [],
      });
      expect(alert.receivers).toEqual([{ name: 'web.hook' }]);
      expect(alert.startsAt).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
      expect(Date.parse(alert.startsAt)).toBeLessThan(sandbox.now());
      expect(Date.parse(alert.endsAt)).toBeGreaterThan(sandbox.now());
      expect(alert.generatorURL).toMatch(
        new RegExp(
          `^${prom.replace(/[.]/g, '\\.')}/graph\\?g0\\.expr=.+&g0\\.tab=1$`,
        ),
      );
    }
    const crash = alerts.find(
      a => a.labels.alertname === 'KubePodCrashLooping',
    );
    expect(
      decodeURIComponent(
        new URL(crash.generatorURL).searchParams.get('g0.expr')!,
      ),
    ).toContain('kube_pod_container_status_restarts_total');
    // The default cluster's Alertmanager is also served at the root.
    expect(await getJson(`${sandbox.url}/api/v2/alerts`)).toEqual(alerts);
  });

  it('filters by label matchers as Alertmanager does', async () => {
    const crash = await amAlerts(filter('alertname="KubePodCrashLooping"'));
    expect(podsOf(crash, 'KubePodCrashLooping')).toEqual(CHECKOUT_PODS);
    expect(crash).toHaveLength(2);
    expect(await amAlerts(filter('namespace=~"fin.*"'))).toHaveLength(4);
    expect(await amAlerts(filter('namespace=~"fin"'))).toEqual([]);
    const one = await amAlerts(
      filter('alertname=KubePodCrashLooping', 'pod!="checkout-api-v1-abc"'),
    );
    expect(one.map((a: any) => a.labels.pod)).toEqual(['checkout-api-v1-xyz']);
    expect(await amAlerts(filter('severity!~"warning|info"'))).toEqual([]);
    expect(await amAlerts('?receiver=web%5C.hook')).toHaveLength(4);
    expect(await amAlerts('?receiver=pager')).toEqual([]);
    // Nothing is silenced or inhibited: every alert is active.
    expect(await amAlerts('?silenced=false&inhibited=false')).toHaveLength(4);
    expect(await amAlerts('?active=false')).toEqual([]);
  });

  it('answers a matcher it cannot parse with 400 and the reason', async () => {
    expect(
      await getJson(`${am}/api/v2/alerts${filter('broken-matcher')}`, 400),
    ).toBe('bad matcher format: broken-matcher');
    expect(
      await getJson(`${am}/api/v2/alerts${filter('namespace=~"fin("')}`, 400),
    ).toMatch(/^error parsing regexp: /);
    expect(await getJson(`${am}/api/v2/alerts?receiver=%5B`, 400)).toMatch(
      /^failed to parse receiver param: error parsing regexp: /,
    );
    const post = await fetch(`${am}/api/v2/alerts`, {
      method: 'POST',
      body: '[]',
    });
    expect(post.status).toBe(405);
    expect(await getJson(`${am}/api/v2/nope`, 404)).toEqual({
      code: 404,
      message: 'path /api/v2/nope was not found',
    });
  });

  it('resolves both alerts once the limit is raised and the pods are replaced', async () => {
    const patched = await fetch(
      `${sandbox.clusters[0].kubernetesUrl}/apis/apps/v1/namespaces/finance/deployments/checkout-api`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'checkout-api',
                    resources: { limits: { memory: '1Gi' } },
                  },
                ],
              },
            },
          },
        }),
      },
    );
    expect(patched.status).toBe(200);
    const fixedAt = sandbox.now();
    sandbox.advance(30 * 60_000);
    expect((await getJson(`${prom}/api/v1/alerts`)).data.alerts).toEqual([]);
    expect(await amAlerts()).toEqual([]);
    const rules = await getJson(`${prom}/api/v1/rules`);
    for (const group of rules.data.groups) {
      expect(group.rules[0].state).toBe('inactive');
    }
    // The history still shows them firing up to the fix.
    const before = await getJson(
      `${prom}/api/v1/query?query=${encodeURIComponent(
        'ALERTS{alertstate="firing"}',
      )}&time=${fixedAt / 1000}`,
    );
    expect(before.data.result).toHaveLength(4);
  });
});

describe('scenarios without alert rules', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'multi-cluster',
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(() => sandbox.close());

  it('serve empty alert and rule lists on every cluster', async () => {
    for (const cluster of sandbox.clusters) {
      expect(await getJson(`${cluster.prometheusUrl}/api/v1/alerts`)).toEqual({
        status: 'success',
        data: { alerts: [] },
      });
      expect(await getJson(`${cluster.prometheusUrl}/api/v1/rules`)).toEqual({
        status: 'success',
        data: { groups: [] },
      });
      expect(await getJson(`${cluster.alertmanagerUrl}/api/v2/alerts`)).toEqual(
        [],
      );
      const series = await getJson(
        `${cluster.prometheusUrl}/api/v1/query?query=ALERTS`,
      );
      expect(series.data.result).toEqual([]);
    }
    const index = await getJson(`${sandbox.url}/`);
    expect(index.clusters[1].alertmanager).toBe(
      sandbox.clusters[1].alertmanagerUrl,
    );
  });
});
