/*
 * Benchmark: how the evidence endpoints' latency relates to upstream latency,
 * and how many upstream calls concurrent identical requests cost.
 *
 *   yarn workspace @observability-ir/plugin-observability-ir-backend bench
 *
 * Every request to the sandbox cluster's Kubernetes API, Prometheus and Loki
 * goes through a proxy on 127.0.0.1 that answers it DELAY_MS after it
 * arrived; the sandbox and the proxy run in child processes, as upstreams
 * run on machines of their own, so their work is not counted as the
 * backend's. The proxy asks the sandbox at once: the sandbox evaluates
 * concurrent queries one after another on one thread, where a real
 * Prometheus answers them side by side, and its work is hidden in the hold
 * unless it outlasts it (the "late" column counts such answers). An endpoint
 * that asks its upstreams one after another takes many delays; one that asks
 * them in parallel takes as many delays as its longest chain of dependent
 * calls. Prometheus and Loki are asked about the pods the entity's
 * annotations point to while the pods are listed, so an endpoint should take
 * one delay. Kubernetes is asked for the events of the annotated namespace
 * and for the nodes the pods ran on when last listed with the pod list too;
 * a node that another entity's request read within the cache's TTL is not
 * read again. Each run is on a backend that has served another entity
 * before, so its connections are open and its code warm, as in a running
 * portal: in the first table with its cache (the other entity's pods run
 * on the same nodes, as a cluster's services share its nodes), in the
 * second without (a service that asked before, nothing cached: the nodes
 * are read with the pod list).
 * The re-asks column counts the scopes asked again after the pod
 * list because the speculation missed them (none for checkout-api). A last
 * run measures a miss: an entity whose kubernetes id is not its
 * Deployment's name, and its second request, which asks at once about the
 * pods listed by the first. Each figure is the median of REPEATS requests
 * (5), each on a service warmed the same way, with the fastest and slowest
 * as its spread: one request's latency swings with the machine's load.
 * The figures are printed; nothing is asserted.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startSandbox } from '@observability-ir/sandbox-cluster';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import readline from 'node:readline';
import { ClusterAccess } from '../src/clusters/ClusterAccess';
import { readObservabilityIrConfig } from '../src/config/readObservabilityIrConfig';
import { DefaultIncidentService } from '../src/service/DefaultIncidentService';
import { SpeculationCounters } from '../src/service/fanout/speculation';
import {
  checkoutApiEntity,
  clustersConfig,
} from '../src/__testUtils__/fixtures';

const DELAY_MS = Number(process.env.DELAY_MS ?? 200);
/** The proxy's count of calls per upstream (DELETE: from zero again). */
const CALLS_PATH = '/_bench/calls';
const CONCURRENT = 50;
/** Requests per figure: one request's latency swings with the machine's load. */
const REPEATS = Number(process.env.REPEATS ?? 5);
/** Every endpoint in about one upstream round trip. */
const GOAL_RATIO = 1.15;

/**
 * Answers from the sandbox DELAY_MS after each request arrived, counting
 * calls per upstream and the answers the sandbox gave later than that.
 */
async function startDelayProxy(target: string) {
  const calls = { kubernetes: 0, prometheus: 0, loki: 0 };
  /** How much later than DELAY_MS the sandbox answered, per late answer. */
  const overran: number[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === CALLS_PATH) {
      // The benchmark's own control: how many calls each upstream got and
      // how many the sandbox answered after the hold, and (DELETE)
      // counting again from zero.
      const answer = JSON.stringify({ ...calls, overran: overran.length });
      if (req.method === 'DELETE') {
        calls.kubernetes = calls.prometheus = calls.loki = 0;
        overran.splice(0);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
      return;
    }
    if (path.includes('/prometheus/')) calls.prometheus++;
    else if (path.includes('/loki/')) calls.loki++;
    else calls.kubernetes++;
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      // Asked at once, answered DELAY_MS after the request arrived: the
      // sandbox evaluates concurrent queries one after another on one
      // thread, where a real upstream answers them side by side; its work
      // is hidden in the hold, and counts only when it outlasts it.
      const upstream = await fetch(`${target}${path}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const late = performance.now() - arrived - DELAY_MS;
      if (late > 0) overran.push(late);
      setTimeout(() => {
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'text/plain',
        });
        res.end(body);
      }, Math.max(0, -late));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** What the sandbox process reports once it listens. */
interface SandboxProcess {
  sandboxUrl: string;
  token: string;
  cluster: {
    name: string;
    kubernetesUrl: string;
    prometheusUrl: string;
    lokiUrl: string;
  };
}

/** The sandbox and the delaying proxy, each in a process of its own. */
interface Upstreams extends SandboxProcess {
  proxyUrl: string;
}

/** Runs until SIGTERM or SIGINT, then `close`s. */
function untilStopped(close: () => Promise<unknown>) {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * The sandbox, in a process of its own as upstreams run on machines of
 * their own: its work is not the backend's.
 */
async function runSandbox() {
  const sandbox = await startSandbox({ speed: 0, kubeconfigPath: false });
  const [cluster] = sandbox.clusters;
  const answer: SandboxProcess = {
    sandboxUrl: sandbox.url,
    token: sandbox.token,
    cluster,
  };
  process.stdout.write(`READY ${JSON.stringify(answer)}\n`);
  untilStopped(() => sandbox.close());
}

/**
 * The delaying proxy in a process of its own too, so that it notes when a
 * request arrives while the sandbox is busy evaluating another.
 */
async function runProxy(target: string) {
  const proxy = await startDelayProxy(target);
  process.stdout.write(`READY ${JSON.stringify(proxy.url)}\n`);
  untilStopped(() => proxy.close());
}

/** Starts this file in `mode`; resolves with what it reports once ready. */
function startChild<T>(
  ...args: string[]
): Promise<{ ready: T; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      __filename,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', line => {
      if (line.startsWith('READY ')) {
        resolve({ ready: JSON.parse(line.slice(6)), child });
      }
    });
    child.once('exit', code =>
      reject(new Error(`the ${args[0]} process ended (${code})`)),
    );
  });
}

async function startUpstreams(): Promise<{
  upstreams: Upstreams;
  children: ChildProcess[];
}> {
  const sandbox = await startChild<SandboxProcess>('sandbox');
  const proxy = await startChild<string>('proxy', sandbox.ready.sandboxUrl);
  return {
    upstreams: { ...sandbox.ready, proxyUrl: proxy.ready },
    children: [proxy.child, sandbox.child],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const { upstreams, children } = await startUpstreams();
  const { cluster } = upstreams;
  const proxy = {
    async calls(): Promise<{
      kubernetes: number;
      prometheus: number;
      loki: number;
      /** Answers the sandbox gave later than the hold. */
      overran: number;
    }> {
      return (await fetch(`${upstreams.proxyUrl}${CALLS_PATH}`)).json();
    },
    async reset() {
      await fetch(`${upstreams.proxyUrl}${CALLS_PATH}`, { method: 'DELETE' });
    },
  };
  const viaProxy = (url: string) =>
    url.replace(upstreams.sandboxUrl, upstreams.proxyUrl);
  const rootConfig = new ConfigReader(
    clustersConfig(
      [
        {
          name: cluster.name,
          kubernetesUrl: viaProxy(cluster.kubernetesUrl),
          prometheusUrl: viaProxy(cluster.prometheusUrl),
          lokiUrl: viaProxy(cluster.lokiUrl),
        },
      ],
      { token: upstreams.token },
    ),
  );
  const config = readObservabilityIrConfig(rootConfig);
  // Its pods are labelled app=checkout, but its id names no workload.
  const storefrontEntity = {
    ...checkoutApiEntity,
    metadata: {
      ...checkoutApiEntity.metadata,
      name: 'storefront',
      annotations: {
        ...checkoutApiEntity.metadata.annotations,
        'backstage.io/kubernetes-id': 'storefront',
        'backstage.io/kubernetes-label-selector': 'app=checkout',
      },
    },
  };
  const catalog = {
    getEntityByRef: async (ref: string) =>
      ref.endsWith('/storefront') ? storefrontEntity : checkoutApiEntity,
  } as any;
  let counters = new SpeculationCounters();
  const credentials = mockCredentials.user();
  const logger = mockServices.rootLogger({ level: 'error' });
  const fresh = (cacheTtlMs = config.cacheTtlMs) =>
    new DefaultIncidentService({
      catalog,
      config: { ...config, cacheTtlMs },
      logger,
      clusterAccess: new ClusterAccess({
        config: rootConfig,
        catalog,
        auth: mockServices.auth(),
        logger,
      }),
      speculation: counters,
    });
  const query = { entityRef: 'component:default/checkout-api' };
  const storefront = { entityRef: 'component:default/storefront' };

  const endpoints = {
    replicas: (s: DefaultIncidentService) =>
      s.getReplicas(query, { credentials }),
    metrics: (s: DefaultIncidentService) =>
      s.getMetrics(query, { credentials }),
    logs: (s: DefaultIncidentService) => s.getLogs(query, { credentials }),
    timeline: (s: DefaultIncidentService) =>
      s.getTimeline(query, { credentials }),
    diagnosis: (s: DefaultIncidentService) =>
      s.getDiagnosis(query, { credentials }),
  };

  // Warm up modules and connections outside the measurement.
  await endpoints.diagnosis(fresh());

  console.log(`Upstream delay: ${DELAY_MS} ms per request\n`);
  console.log(
    `endpoint   latency   ratio to delay    spread   upstream calls (k8s/prom/loki)   calls if sequential   re-asks   late   (median of ${REPEATS} requests)`,
  );
  const latencyRatios: { name: string; value: number; reasked: number }[] = [];
  const measure = async (
    name: string,
    call: (s: DefaultIncidentService) => Promise<unknown>,
    warm?: (s: DefaultIncidentService) => Promise<unknown>,
    warmCache = false,
  ) => {
    const latencies: number[] = [];
    let calls = { kubernetes: 0, prometheus: 0, loki: 0, overran: 0 };
    let reasked = 0;
    let overran = 0;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      counters = new SpeculationCounters();
      // Warmed without an evidence cache, it keeps only the pods it
      // listed; with its cache, what the other entity's requests read that
      // this one shares (the nodes both run on) too.
      const service = warm && !warmCache ? fresh(0) : fresh();
      if (warm) await warm(service);
      counters.reasked = 0;
      await proxy.reset();
      const started = performance.now();
      await call(service);
      latencies.push(performance.now() - started);
      calls = await proxy.calls();
      reasked = Math.max(reasked, counters.reasked);
      overran += calls.overran;
    }
    const latency = median(latencies);
    latencyRatios.push({ name, value: latency / DELAY_MS, reasked });
    const { kubernetes, prometheus, loki } = calls;
    const total = kubernetes + prometheus + loki;
    console.log(
      `${name.padEnd(10)} ${`${latency.toFixed(0)} ms`.padStart(8)}   ${(
        latency / DELAY_MS
      )
        .toFixed(2)
        .padStart(14)}   ${`${(Math.min(...latencies) / DELAY_MS).toFixed(
        2,
      )}-${(Math.max(...latencies) / DELAY_MS).toFixed(2)}`.padStart(
        9,
      )}   ${`${kubernetes}/${prometheus}/${loki}`.padStart(
        30,
      )}   ${`${total} delays = ${total * DELAY_MS} ms`.padStart(
        19,
      )}   ${String(reasked).padStart(7)}   ${String(overran).padStart(4)}`,
    );
  };
  // A running backend: its connections open, having served another entity
  // (whose pods' scopes and nodes say nothing of this one's).
  const servedStorefront = (s: DefaultIncidentService) =>
    s.getDiagnosis(storefront, { credentials });
  const servedCheckout = (s: DefaultIncidentService) => endpoints.diagnosis(s);
  for (const [name, call] of Object.entries(endpoints)) {
    await measure(name, call, servedStorefront, true);
  }
  console.log(
    '\nA later request (the service asked about the entity before, nothing of it cached: it knows the scopes and nodes of its pods):',
  );
  for (const [name, call] of Object.entries(endpoints)) {
    await measure(name, call, call);
  }

  console.log(
    '\nThe speculation missed (storefront: id "storefront", pods of checkout-api):',
  );
  await measure(
    'metrics',
    s => s.getMetrics(storefront, { credentials }),
    servedCheckout,
  );
  await measure(
    'logs',
    s => s.getLogs(storefront, { credentials }),
    servedCheckout,
  );
  console.log('Its second request, the pods listed before:');
  const metricsOf = (s: DefaultIncidentService) =>
    s.getMetrics(storefront, { credentials });
  const logsOf = (s: DefaultIncidentService) =>
    s.getLogs(storefront, { credentials });
  await measure('metrics', metricsOf, metricsOf);
  await measure('logs', logsOf, logsOf);

  await proxy.reset();
  const single = fresh();
  await endpoints.diagnosis(single);
  const singleCalls = await proxy.calls();

  await proxy.reset();
  const shared = fresh();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT }, () => endpoints.diagnosis(shared)),
  );
  const concurrentMs = performance.now() - started;
  const concurrentCalls = await proxy.calls();
  const sum = (c: typeof singleCalls) => c.kubernetes + c.prometheus + c.loki;

  console.log(
    `\n${CONCURRENT} concurrent identical diagnosis requests: ${sum(
      concurrentCalls,
    )} upstream calls (${concurrentCalls.kubernetes}/${
      concurrentCalls.prometheus
    }/${concurrentCalls.loki}) against ${sum(singleCalls)} for one request: ${(
      sum(concurrentCalls) / sum(singleCalls)
    ).toFixed(2)}x; all answered in ${concurrentMs.toFixed(0)} ms (${(
      concurrentMs / DELAY_MS
    ).toFixed(2)}x the delay)`,
  );

  // The endpoints' own run comes first in latencyRatios, then the misses.
  const endpointRatios = latencyRatios.slice(0, Object.keys(endpoints).length);
  const endpointCount = Object.keys(endpoints).length;
  const laterRatios = latencyRatios.slice(endpointCount, 2 * endpointCount);
  const missRatios = latencyRatios.slice(
    2 * endpointCount,
    2 * endpointCount + 2,
  );
  const secondRatios = latencyRatios.slice(2 * endpointCount + 2);
  // For yarn bench, in the format of scripts/lib/benchResult.js.
  const resultFile = process.env.BENCH_RESULT_FILE;
  const result = {
    benchmark: 'evidence-latency',
    figures: [
      {
        name: 'slowest endpoint / upstream delay',
        value: Math.max(...endpointRatios.map(r => r.value)),
        goal: { max: GOAL_RATIO },
      },
      ...endpointRatios.map(r => ({
        name: `${r.name} / upstream delay`,
        value: r.value,
        goal: { max: GOAL_RATIO },
      })),
      ...laterRatios.map(r => ({
        name: `${r.name} / upstream delay, a later request`,
        value: r.value,
        goal: { max: GOAL_RATIO },
      })),
      {
        name: 'scopes asked again after the pod list (checkout-api)',
        value: endpointRatios.reduce((n, r) => n + r.reasked, 0),
        goal: { max: 0 },
      },
      ...missRatios.map(r => ({
        name: `${r.name} / upstream delay, speculation missed`,
        value: r.value,
      })),
      {
        name: 'scopes asked again after the pod list (speculation missed)',
        value: missRatios.reduce((n, r) => n + r.reasked, 0),
      },
      ...secondRatios.map(r => ({
        name: `${r.name} / upstream delay, second request after a miss`,
        value: r.value,
      })),
      {
        name: 'scopes asked again after the pod list (second request after a miss)',
        value: secondRatios.reduce((n, r) => n + r.reasked, 0),
        goal: { max: 0 },
      },
      {
        name: `upstream calls of ${CONCURRENT} identical requests / of one`,
        value: sum(concurrentCalls) / sum(singleCalls),
        goal: { max: 1 },
      },
    ],
    settings: { delayMs: DELAY_MS, concurrent: CONCURRENT },
  };
  if (resultFile) {
    fs.writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  }

  children.forEach(child => child.kill('SIGTERM'));
}

if (process.argv[2] === 'sandbox' || process.argv[2] === 'proxy') {
  (process.argv[2] === 'sandbox'
    ? runSandbox()
    : runProxy(process.argv[3])
  ).catch(error => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
