import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import type { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import { Sandbox, startSandbox } from '@observability-ir/sandbox-cluster';
import {
  RangePreset,
  SilentOutagesResponse,
} from '@observability-ir/plugin-observability-ir-common';
import pLimit from 'p-limit';
import { PrometheusClient } from '../../clients/PrometheusClient';
import { FleetOwnership } from './FleetOwnership';
import { SweepSources, sweepFleet } from './sweepFleet';

jest.setTimeout(60_000);

/** The demo catalog's Components, as `npm start` loads them. */
const demoCatalog: Entity[] = YAML.parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../../catalog/components.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS())
  .filter(d => d?.kind === 'Component')
  .map(d => ({ ...d, metadata: { namespace: 'default', ...d.metadata } }));

/**
 * An HTTP proxy in front of the sandbox that records the path and query of
 * every request, to see the pages the sweep asks for.
 */
async function startRecordingProxy(target: string) {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, target);
    requests.push(url);
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

function sources(
  sandbox: Sandbox,
  options: {
    entities?: Entity[];
    /** The Kubernetes API base URL per cluster, instead of the sandbox's. */
    kubernetesUrl?: (cluster: string, url: string) => string;
    prometheus?: boolean;
  } = {},
): SweepSources {
  const clusters: ClusterDetails[] = sandbox.clusters.map(c => ({
    name: c.name,
    url: options.kubernetesUrl?.(c.name, c.kubernetesUrl) ?? c.kubernetesUrl,
    authMetadata: {},
    skipTLSVerify: true,
  }));
  return {
    clusters: async () => clusters,
    credential: async () => ({ type: 'bearer token', token: sandbox.token }),
    prometheus: name => {
      const cluster = sandbox.clusters.find(c => c.name === name);
      return options.prometheus === false || !cluster
        ? undefined
        : new PrometheusClient({
            cluster: name,
            source: { url: cluster.prometheusUrl, headers: {} },
            timeoutMs: 20_000,
            maxBodyBytes: 32 * 1024 * 1024,
            maxSeries: 20_000,
            concurrency: pLimit(8),
          });
    },
    ownership: async () => new FleetOwnership(options.entities ?? demoCatalog),
  };
}

async function sweep(
  sweepSources: SweepSources,
  options: { pageSize?: number; ranges?: RangePreset[] } = {},
): Promise<Record<RangePreset, SilentOutagesResponse>> {
  return sweepFleet(sweepSources, {
    ranges: options.ranges ?? ['15m', '1h', '24h'],
    nearOomShare: 0.9,
    timeoutMs: 20_000,
    maxBodyBytes: 32 * 1024 * 1024,
    pageSize: options.pageSize,
    logger: mockServices.logger.mock(),
  });
}

const checkoutOwner = {
  entityRef: 'component:default/checkout-api',
  title: 'Checkout API',
  ownerRef: 'group:default/finance-team',
};

describe('the fleet sweep of checkout-oom', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'checkout-oom',
      port: 0,
      speed: 0,
      kubeconfigPath: false,
    });
  });
  afterAll(() => sandbox?.close());

  it("finds both checkout-api replicas OOMKilled, owned by the finance team's checkout-api", async () => {
    const { '1h': result } = await sweep(sources(sandbox));

    expect(result.sources).toEqual([
      { cluster: 'sandbox', source: 'prometheus', status: 'ok' },
      { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
    ]);
    expect(result.podsScanned).toBe(3);
    const sweptAt = Date.parse(result.sweptAt!);
    expect(result.findings.map(f => f.pod).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const finding of result.findings) {
      expect(finding).toMatchObject({
        cluster: 'sandbox',
        namespace: 'finance',
        container: 'checkout-api',
        reason: 'OOMKilled',
        exitCode: 137,
        memoryLimitBytes: 512 * 1024 * 1024,
        source: 'kubernetes',
        owner: checkoutOwner,
      });
      // A kill every few minutes: many within the hour, fewer than in all.
      expect(finding.restartsInRange).toBeGreaterThan(5);
      expect(finding.restartsInRange).toBeLessThanOrEqual(finding.restartCount);
      const killedAt = Date.parse(finding.lastKilledAt!);
      expect(killedAt).toBeLessThanOrEqual(sweptAt);
      expect(killedAt).toBeGreaterThan(sweptAt - 3600_000);
    }
    // prometheus-operator runs steadily: no finding, no restarter.
    const named = (list: Array<{ pod: string }>) => list.map(f => f.pod);
    expect(named(result.findings).join()).not.toMatch(/prometheus-operator/);
    expect(named(result.topRestarters).join()).not.toMatch(
      /prometheus-operator/,
    );
  });

  it('ranks the replicas by restarts within the range, fewer in 15 minutes than in an hour', async () => {
    const results = await sweep(sources(sandbox));
    const restarts = (range: RangePreset) =>
      Object.fromEntries(
        results[range].topRestarters.map(r => [r.pod, r.restartsInRange]),
      );
    const hour = restarts('1h');
    const quarter = restarts('15m');
    expect(Object.keys(hour).sort()).toEqual([
      'checkout-api-v1-abc',
      'checkout-api-v1-xyz',
    ]);
    for (const pod of Object.keys(hour)) {
      expect(quarter[pod]).toBeGreaterThan(0);
      expect(quarter[pod]).toBeLessThan(hour[pod]);
    }
    const ranked = results['1h'].topRestarters.map(r => r.restartsInRange);
    expect([...ranked].sort((a, b) => b - a)).toEqual(ranked);
    expect(results['1h'].topRestarters[0].owner).toEqual(checkoutOwner);
  });

  it('reads the pods page by page, and finds what one unpaginated list finds', async () => {
    const proxy = await startRecordingProxy(sandbox.url);
    try {
      const viaProxy = (_: string, url: string) =>
        url.replace(sandbox.url, proxy.url);
      const paged = await sweep(sources(sandbox, { kubernetesUrl: viaProxy }), {
        pageSize: 1,
      });
      const podLists = proxy.requests.filter(
        u => u.pathname === '/clusters/sandbox/k8s/api/v1/pods',
      );
      // Three pods, one a page: three requests, each but the first with the
      // continue token of the one before.
      expect(podLists.map(u => u.searchParams.get('limit'))).toEqual([
        '1',
        '1',
        '1',
      ]);
      expect(podLists[0].searchParams.has('continue')).toBe(false);
      expect(podLists.slice(1).every(u => u.searchParams.get('continue'))).toBe(
        true,
      );

      // The same sweep in one page, read straight from the API server.
      const whole = await sweep(sources(sandbox), { pageSize: 500 });
      const { sweptAt: _a, ...pagedHour } = paged['1h'];
      const { sweptAt: _b, ...wholeHour } = whole['1h'];
      expect(pagedHour).toEqual(wholeHour);
    } finally {
      await proxy.close();
    }
  });

  it('lists the replicas unowned when no entity claims them', async () => {
    const { '1h': result } = await sweep(sources(sandbox, { entities: [] }));
    expect(result.findings).toHaveLength(2);
    expect(result.findings.every(f => f.owner === undefined)).toBe(true);
  });

  it('without Prometheus, still finds the kills from the pod status', async () => {
    const { '1h': result } = await sweep(
      sources(sandbox, { prometheus: false }),
    );
    expect(result.sources).toContainEqual(
      expect.objectContaining({
        source: 'prometheus',
        status: 'not-configured',
      }),
    );
    expect(result.findings.map(f => [f.pod, f.reason, f.exitCode])).toEqual(
      expect.arrayContaining([
        ['checkout-api-v1-abc', 'OOMKilled', 137],
        ['checkout-api-v1-xyz', 'OOMKilled', 137],
      ]),
    );
    expect(result.nearOom).toEqual([]);
  });
});

describe('the fleet sweep of other scenarios', () => {
  it('sweeps every cluster of multi-cluster: the OOM loop in production, none in staging', async () => {
    const sandbox = await startSandbox({
      scenario: 'multi-cluster',
      port: 0,
      speed: 0,
      kubeconfigPath: false,
    });
    try {
      const { '1h': result } = await sweep(sources(sandbox));
      expect(result.podsScanned).toBe(6);
      expect(
        result.sources.map(s => `${s.cluster}/${s.source}:${s.status}`).sort(),
      ).toEqual([
        'production/kubernetes:ok',
        'production/prometheus:ok',
        'staging/kubernetes:ok',
        'staging/prometheus:ok',
      ]);
      expect(
        result.findings.map(f => `${f.cluster}/${f.pod}:${f.reason}`).sort(),
      ).toEqual([
        'production/checkout-api-v1-abc:OOMKilled',
        'production/checkout-api-v1-xyz:OOMKilled',
      ]);
      expect(
        result.findings.every(
          f => f.owner?.entityRef === checkoutOwner.entityRef,
        ),
      ).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('matches auth-service by its label selector annotation (go-crash-loop)', async () => {
    const sandbox = await startSandbox({
      scenario: 'go-crash-loop',
      port: 0,
      speed: 0,
      kubeconfigPath: false,
    });
    try {
      const { '1h': result } = await sweep(sources(sandbox));
      const auth = result.findings.filter(f =>
        f.pod.startsWith('auth-service-'),
      );
      expect(auth.length).toBeGreaterThan(0);
      for (const finding of auth) {
        expect(finding).toMatchObject({
          reason: 'Error',
          exitCode: 2,
          owner: {
            entityRef: 'component:default/auth-service',
            ownerRef: 'group:default/identity-team',
          },
        });
      }
    } finally {
      await sandbox.close();
    }
  });
  it('lists the containers next to OOM: a working set above 90% of the limit, not one at 40%', async () => {
    const container = (name: string, memory: string) => ({
      name,
      image: `registry.example.com/finance/${name}:1.0.0`,
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '1', memory: '512Mi' },
      },
      behavior: { type: 'steady', memory, cpuCores: 0.1 },
    });
    const deployment = (name: string, hash: string, memory: string) => ({
      name,
      namespace: 'finance',
      labels: { app: name, 'backstage.io/kubernetes-id': name },
      replicaSet: `${name}-${hash}`,
      pods: [
        { name: `${name}-${hash}-q4wvn`, node: 'worker-1', createdAt: '-1d' },
      ],
      containers: [container(name, memory)],
    });
    const sandbox = await startSandbox({
      scenario: {
        name: 'near-oom',
        description:
          'ledger-worker at 94% of its limit, payment-gateway at 39%',
        seed: 7,
        historyHours: 2,
        clusters: [
          {
            name: 'sandbox',
            nodes: [
              {
                name: 'worker-1',
                internalIP: '10.0.1.11',
                capacity: { cpu: '8', memory: '32Gi' },
              },
            ],
            namespaces: ['finance'],
            deployments: [
              deployment('ledger-worker', '5d7f9c8b6d', '480Mi'),
              deployment('payment-gateway', '6c9d8b7f4d', '200Mi'),
            ],
          },
        ],
      },
      port: 0,
      speed: 0,
      kubeconfigPath: false,
    });
    try {
      const { '1h': result } = await sweep(sources(sandbox));
      expect(result.nearOomShare).toBe(0.9);
      expect(result.nearOom).toEqual([
        {
          cluster: 'sandbox',
          namespace: 'finance',
          pod: 'ledger-worker-5d7f9c8b6d-q4wvn',
          container: 'ledger-worker',
          workingSetBytes: expect.any(Number),
          memoryLimitBytes: 512 * 1024 * 1024,
          share: expect.any(Number),
          owner: {
            entityRef: 'component:default/ledger-worker',
            title: expect.any(String),
            ownerRef: 'group:default/finance-team',
          },
        },
      ]);
      const [near] = result.nearOom;
      // A steady working set of about 480Mi, with the model's jitter.
      expect(Math.abs(near.share - 480 / 512)).toBeLessThan(0.04);
      expect(near.workingSetBytes).toBe(
        Math.round(near.share * near.memoryLimitBytes),
      );
      expect(result.findings).toEqual([]);
      expect(result.topRestarters).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
