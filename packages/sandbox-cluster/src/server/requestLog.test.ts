import { startSandbox, Sandbox } from '../sandbox';
import { matcherMatches, RequestLog } from './requestLog';

jest.setTimeout(60_000);

describe('the request log', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      speed: 0,
      kubeconfigPath: false,
    });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  beforeEach(() => sandbox.requests.clear());

  it('parses every selector of a PromQL query sent as a form, matchers and all', async () => {
    const { prometheusUrl } = sandbox.clusters[0];
    const query =
      'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="finance",pod=~"checkout-api-.*"}[5m])) / on (pod) kube_pod_container_resource_limits{namespace="finance",resource="cpu"}';
    const response = await fetch(`${prometheusUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query }),
    });
    expect(response.status).toBe(200);

    const [recorded] = sandbox.requests.requests();
    expect(recorded).toMatchObject({
      api: 'prometheus',
      cluster: sandbox.clusters[0].name,
      method: 'POST',
      path: '/api/v1/query',
    });
    expect(recorded.queries).toEqual([
      {
        param: 'query',
        text: query,
        selectors: [
          {
            metric: 'container_cpu_usage_seconds_total',
            matchers: [
              {
                name: '__name__',
                op: '=',
                value: 'container_cpu_usage_seconds_total',
              },
              { name: 'namespace', op: '=', value: 'finance' },
              { name: 'pod', op: '=~', value: 'checkout-api-.*' },
            ],
          },
          {
            metric: 'kube_pod_container_resource_limits',
            matchers: [
              {
                name: '__name__',
                op: '=',
                value: 'kube_pod_container_resource_limits',
              },
              { name: 'namespace', op: '=', value: 'finance' },
              { name: 'resource', op: '=', value: 'cpu' },
            ],
          },
        ],
      },
    ]);
  });

  it('unescapes matcher values as the server reads them, and records a query that does not parse with its error', async () => {
    const { prometheusUrl } = sandbox.clusters[0];
    const escaped = 'up{pod="a\\"} or vector(1) or {x=\\""}';
    const broken = 'up{pod="a"} or vector(1) or {x="';
    await fetch(
      `${prometheusUrl}/api/v1/query?${new URLSearchParams({
        query: escaped,
      })}`,
    );
    const answer = await fetch(
      `${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: broken })}`,
    );
    expect(answer.status).toBe(400);

    const [first, second] = sandbox.requests.requests({ api: 'prometheus' });
    expect(first.queries[0].selectors).toEqual([
      {
        metric: 'up',
        matchers: [
          { name: '__name__', op: '=', value: 'up' },
          { name: 'pod', op: '=', value: 'a"} or vector(1) or {x="' },
        ],
      },
    ]);
    expect(second.queries[0].selectors).toEqual([]);
    expect(second.queries[0].error).toMatch(/parse error/);
  });

  it('parses the stream selectors and line filters of LogQL queries, metric ones too', async () => {
    const { lokiUrl } = sandbox.clusters[0];
    const logQuery = '{namespace="finance", pod=~"checkout-api-.+"} |= "OOM"';
    const metricQuery =
      'sum by (pod) (count_over_time({namespace="finance", pod="checkout-api-v1-abc"} |~ "(?i)error" [5m]))';
    for (const query of [logQuery, metricQuery]) {
      const response = await fetch(
        `${lokiUrl}/loki/api/v1/query_range?${new URLSearchParams({
          query,
          start: String((sandbox.now() - 3600_000) * 1e6),
          end: String(sandbox.now() * 1e6),
        })}`,
      );
      expect(response.status).toBe(200);
    }

    const [log, metric] = sandbox.requests.requests({ api: 'loki' });
    expect(log.path).toBe('/loki/api/v1/query_range');
    expect(log.queries[0]).toMatchObject({
      selectors: [
        {
          matchers: [
            { name: 'namespace', op: '=', value: 'finance' },
            { name: 'pod', op: '=~', value: 'checkout-api-.+' },
          ],
        },
      ],
      lineFilters: [{ op: '|=', values: ['OOM'] }],
    });
    expect(metric.queries[0]).toMatchObject({
      selectors: [
        {
          matchers: [
            { name: 'namespace', op: '=', value: 'finance' },
            { name: 'pod', op: '=', value: 'checkout-api-v1-abc' },
          ],
        },
      ],
      lineFilters: [{ op: '|~', values: ['(?i)error'] }],
    });
  });

  it('records what a Kubernetes request reads: namespace, resource and both selectors', async () => {
    const { kubernetesUrl } = sandbox.clusters[0];
    const auth = { Authorization: `Bearer ${sandbox.token}` };
    await fetch(
      `${kubernetesUrl}/api/v1/namespaces/finance/pods?${new URLSearchParams({
        labelSelector: 'backstage.io/kubernetes-id=checkout-api,tier in (a,b)',
      })}`,
      { headers: auth },
    );
    await fetch(
      `${kubernetesUrl}/api/v1/namespaces/finance/events?${new URLSearchParams({
        fieldSelector: 'involvedObject.name=checkout-api-v1-abc',
      })}`,
      { headers: auth },
    );
    await fetch(
      `${kubernetesUrl}/api/v1/namespaces/finance/pods?labelSelector=${encodeURIComponent(
        'app=x;rm -rf',
      )}`,
      { headers: auth },
    );
    await fetch(`${kubernetesUrl}/api/v1/nodes/node-a`, { headers: auth });

    const [pods, events, bad, node] = sandbox.requests.requests({ api: 'k8s' });
    expect(pods.kubernetes).toEqual({
      groupVersion: 'v1',
      namespace: 'finance',
      resource: 'pods',
      labelSelector: 'backstage.io/kubernetes-id=checkout-api,tier in (a,b)',
      labelRequirements: [
        { key: 'backstage.io/kubernetes-id', op: '=', value: 'checkout-api' },
        { key: 'tier', op: 'in', values: ['a', 'b'] },
      ],
    });
    expect(events.kubernetes).toMatchObject({
      namespace: 'finance',
      resource: 'events',
      fieldRequirements: [
        { field: 'involvedObject.name', op: '=', value: 'checkout-api-v1-abc' },
      ],
    });
    expect(bad.kubernetes?.labelRequirements).toBeUndefined();
    expect(bad.kubernetes?.error).toMatch(/unable to parse requirement/);
    expect(node.kubernetes).toEqual({
      groupVersion: 'v1',
      resource: 'nodes',
      name: 'node-a',
    });
  });

  it('is readable and clearable at /_sandbox/requests, after a sequence number', async () => {
    const { prometheusUrl } = sandbox.clusters[0];
    await fetch(`${prometheusUrl}/api/v1/query?query=up`);
    const since = sandbox.requests.lastSeq;
    await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(
        'up{job="x"}',
      )}`,
    );

    const read = await fetch(
      `${sandbox.url}/_sandbox/requests?since=${since}&api=prometheus`,
    );
    expect(read.status).toBe(200);
    const body = await read.json();
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0].queries[0].text).toBe('up{job="x"}');
    expect(body.lastSeq).toBe(since + 1);

    const bad = await fetch(`${sandbox.url}/_sandbox/requests?api=ftp`);
    expect(bad.status).toBe(400);

    const cleared = await fetch(`${sandbox.url}/_sandbox/requests`, {
      method: 'DELETE',
    });
    expect(cleared.status).toBe(200);
    expect(sandbox.requests.requests()).toEqual([]);
  });

  it('decides whether a recorded matcher accepts a value as Prometheus does: regexes anchored', () => {
    const pod = (op: '=' | '!=' | '=~' | '!~', value: string) => ({
      name: 'pod',
      op,
      value,
    });
    expect(
      matcherMatches(pod('=~', 'checkout-api-.+'), 'checkout-api-v1-abc'),
    ).toBe(true);
    expect(
      matcherMatches(pod('=~', 'checkout-api-.+'), 'xcheckout-api-v1'),
    ).toBe(false);
    expect(matcherMatches(pod('=~', '(?:a|b)'), 'ab')).toBe(false);
    expect(matcherMatches(pod('!~', '.*'), '')).toBe(false);
    expect(matcherMatches(pod('=', 'a'), 'a')).toBe(true);
    expect(matcherMatches(pod('!=', 'a'), '')).toBe(true);
  });

  it('lets the oldest requests go once they hold more characters than it keeps in all', () => {
    const log = new RequestLog({ maxTotalLength: 100 });
    for (let i = 0; i < 4; i++) {
      log.record('loki', 'c', {
        method: 'GET',
        path: '/loki/api/v1/query',
        query: new URLSearchParams({ query: `{a="${'x'.repeat(20)}"}` }),
        headers: {},
        body: Buffer.alloc(0),
        baseUrl: '',
      });
    }
    // Each holds 19 + 5 + 26 = 50 characters: two fit.
    expect(log.requests().map(r => r.seq)).toEqual([3, 4]);
    expect(log.dropped).toBe(2);
    log.clear();
    log.record('loki', 'c', {
      method: 'GET',
      path: '/loki/api/v1/query',
      query: new URLSearchParams({ query: 'x'.repeat(500) }),
      headers: {},
      body: Buffer.alloc(0),
      baseUrl: '',
    });
    // The newest is kept even alone past the budget.
    expect(log.requests()).toHaveLength(1);
  });

  it('keeps only the newest requests past its capacity, and counts those let go', () => {
    const log = new RequestLog({ capacity: 3, maxValueLength: 14 });
    for (let i = 0; i < 5; i++) {
      log.record('prometheus', 'c', {
        method: 'GET',
        path: '/api/v1/query',
        query: new URLSearchParams({ query: `up${'x'.repeat(i * 4)}` }),
        headers: {},
        body: Buffer.alloc(0),
        baseUrl: '',
      });
    }
    const kept = log.requests();
    expect(kept.map(r => r.seq)).toEqual([3, 4, 5]);
    expect(log.dropped).toBe(2);
    expect(kept[0].queries[0].text).toBe('upxxxxxxxx');
    expect(kept[1].queries[0].text).toBe('upxxxxxxxxxxxx');
    expect(kept.slice(0, 2).map(r => r.truncated)).toEqual([
      undefined,
      undefined,
    ]);
    expect(kept[2].queries[0].text).toBe('upxxxxxxxxxxxx');
    expect(kept[2].truncated).toBe(true);
  });
});
