/*
 * Benchmark: the Incident endpoints under load, against Backstage's own
 * catalog read of one entity under the same load, in the same run.
 *
 *   yarn bench:load   (USERS, DURATION_SECONDS, MAX_REQUESTS, SINGLE_SECONDS)
 *
 * It starts the demo as `yarn demo` runs it, on free ports of 127.0.0.1:
 * the sandbox cluster with the lab's checkout-oom scenario in a child
 * process, and the backend (app-config.yaml, development mode, the demo
 * catalog) in another, reaching the sandbox through a counting proxy in
 * this process so that every upstream call is counted. The guest signs
 * in once; every virtual user sends the guest's token. The per-user rate
 * limit is raised for the run, since all the virtual users are one user.
 *
 * Then, each phase bounded by DURATION_SECONDS (60) and MAX_REQUESTS (200,000):
 *   1. one user, SINGLE_SECONDS (5): the latency without contention;
 *   2. USERS (50) users, each sending the Incident tab's reads of
 *      checkout-api one after the other (workload, clusters, replicas,
 *      metrics, logs, timeline, diagnosis, alerts; range 1h), round-robin;
 *   3. the same users sending GET /api/catalog/entities/by-name/component/
 *      default/checkout-api: Backstage reading the same entity for the same
 *      caller, which every one of our reads also does, so it is our ceiling.
 *
 * Printed: requests per second, p50/p95/p99, errors (any answer not 2xx,
 * or no answer), the backend's RSS before, at its peak and after, upstream
 * calls per second, and our throughput as a ratio to the catalog's (goal:
 * at least 0.8). The last line is `BENCH_RESULT {json}`; under `yarn bench`
 * the figures also go to BENCH_RESULT_FILE. Only loopback addresses are
 * used; everything started is stopped.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reportBenchResult } from '../../scripts/lib/benchResult';

const USERS = Number(process.env.USERS ?? 50);
const SECONDS = Number(process.env.DURATION_SECONDS ?? 60);
const SINGLE_SECONDS = Number(process.env.SINGLE_SECONDS ?? 5);
const MAX_REQUESTS = Number(process.env.MAX_REQUESTS ?? 200_000);
const GOAL_RATIO = 0.8;
const ENTITY_REF = 'component:default/checkout-api';

const root = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

if (
  !(USERS >= 1 && USERS <= 500) ||
  !(SECONDS > 0 && SECONDS <= 600) ||
  !(SINGLE_SECONDS >= 0 && SINGLE_SECONDS <= 60) ||
  !(MAX_REQUESTS >= 1 && MAX_REQUESTS <= 1_000_000)
) {
  throw new Error(
    'USERS must be 1-500, DURATION_SECONDS 1-600, SINGLE_SECONDS 0-60 and MAX_REQUESTS 1-1,000,000',
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise(r => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

/** A child process in its own group, its output kept. */
function start(command: string, args: string[], options: object) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...options,
  });
  let output = '';
  child.stdout?.on('data', chunk => (output += chunk));
  child.stderr?.on('data', chunk => (output += chunk));
  return { child, output: () => output };
}

/** Stops the child's process group and waits for it (20 s at most). */
async function stopGroup(child: ChildProcess | undefined) {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The sandbox's URLs, as its command line prints them. */
async function startSandbox(kubeconfig: string) {
  const sandbox = start(
    process.execPath,
    [
      path.join(root, 'packages/sandbox-cluster/bin/sandbox-cluster'),
      '--port',
      '0',
      '--scenario',
      'checkout-oom',
      '--kubeconfig',
      kubeconfig,
    ],
    { cwd: root },
  );
  for (let i = 0; i < 600; i++) {
    const match = sandbox.output().match(/listening on (http:\/\/[^\s]+)/);
    if (match && sandbox.output().includes('alertmanager')) {
      return { ...sandbox, url: match[1].replace(/\/$/, '') };
    }
    if (sandbox.child.exitCode !== null) break;
    await sleep(100);
  }
  await stopGroup(sandbox.child);
  throw new Error(`The sandbox did not start:\n${sandbox.output()}`);
}

/**
 * A proxy on 127.0.0.1 in front of the sandbox that counts the requests
 * the backend sends upstream.
 */
async function startCountingProxy(target: string) {
  const targetUrl = new URL(target);
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls += 1;
    const upstream = http.request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await new Promise(r => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () => {
      server.closeAllConnections();
      return new Promise(r => server.close(r));
    },
  };
}

/** The backend's resident memory in MB, from /proc. */
function rssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(status.match(/VmRSS:\s+(\d+)\s+kB/)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function startBackend(configPath: string) {
  return start(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      'src/index.ts',
      '--config',
      path.join(root, 'app-config.yaml'),
      '--config',
      configPath,
    ],
    {
      cwd: path.join(root, 'packages/backend'),
      env: { ...process.env, NODE_ENV: 'development' },
    },
  );
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  backend: ChildProcess,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (backend.exitCode !== null) throw new Error(`The backend exited`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await sleep(500);
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
}

interface PhaseResult {
  requests: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  upstreamPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * `users` loops, each sending the next of `urls` as soon as the previous
 * answered, for `seconds` or until `MAX_REQUESTS` were sent in all.
 */
async function drive(
  users: number,
  seconds: number,
  urls: string[],
  token: string,
  upstreamCalls: () => number,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const errorSamples: string[] = [];
  let sent = 0;
  const upstreamBefore = upstreamCalls();
  const started = performance.now();
  const endAt = started + seconds * 1000;
  const headers = { Authorization: `Bearer ${token}` };

  const user = async (index: number) => {
    let next = index % urls.length;
    while (performance.now() < endAt && sent < MAX_REQUESTS) {
      sent += 1;
      const url = urls[next];
      next = (next + 1) % urls.length;
      const t0 = performance.now();
      try {
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status < 200 || response.status > 299) {
          errors += 1;
          if (errorSamples.length < 5) {
            errorSamples.push(`${response.status} ${url}`);
          }
        }
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 5) {
          errorSamples.push(`${(error as Error).message} ${url}`);
        }
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: users }, (_, i) => user(i)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    requests: latencies.length,
    errors,
    errorSamples,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    upstreamPerSecond: (upstreamCalls() - upstreamBefore) / elapsed,
  };
}

function describe(name: string, r: PhaseResult) {
  return `${name.padEnd(34)} ${r.perSecond
    .toFixed(1)
    .padStart(7)} req/s  p50 ${r.p50.toFixed(0).padStart(5)} ms  p95 ${r.p95
    .toFixed(0)
    .padStart(5)} ms  p99 ${r.p99.toFixed(0).padStart(5)} ms  errors ${
    r.errors
  }  upstream ${r.upstreamPerSecond.toFixed(1)}/s  (${
    r.requests
  } requests in ${r.seconds.toFixed(1)} s)${
    r.errorSamples.length ? `\n    e.g. ${r.errorSamples.join('; ')}` : ''
  }`;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>> | undefined;
  let backend: ReturnType<typeof startBackend> | undefined;
  try {
    sandbox = await startSandbox(path.join(tmp, 'kubeconfig'));
    proxy = await startCountingProxy(sandbox.url);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const clusterUrl = (kind: string) =>
      `${proxy!.url}/clusters/sandbox/${kind}`;
    const configPath = path.join(tmp, 'app-config.load.yaml');
    fs.writeFileSync(
      configPath,
      JSON.stringify({
        app: { baseUrl: base },
        backend: {
          baseUrl: base,
          listen: { host: '127.0.0.1', port },
          cors: { origin: base },
        },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'sandbox',
                  url: clusterUrl('k8s'),
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'sandbox',
                  skipTLSVerify: true,
                  skipMetricsLookup: true,
                },
              ],
            },
          ],
        },
        observabilityIr: {
          clusters: [
            {
              name: 'sandbox',
              prometheus: { url: clusterUrl('prometheus') },
              loki: { url: clusterUrl('loki') },
              alertmanager: { url: clusterUrl('alertmanager') },
            },
          ],
          // Every virtual user is the guest: one user's limit would refuse
          // most of the load.
          limits: { userRequestsPerMinute: 10_000_000, userBurst: 1_000_000 },
        },
      }),
    );
    backend = startBackend(configPath);
    const backendProcess = backend.child;
    await waitFor(
      'The backend',
      async () =>
        (await fetch(`${base}/.backstage/health/v1/readiness`)).status === 200,
      backendProcess,
      300_000,
    );
    // The guest's token carries the groups the catalog knows at sign-in:
    // signed in again until the catalog has related the guest to the team
    // that owns checkout-api.
    const query = `entityRef=${encodeURIComponent(ENTITY_REF)}`;
    const catalogUrl = `${base}/api/catalog/entities/by-name/component/default/checkout-api`;
    let token = '';
    await waitFor(
      'The guest as an owner of checkout-api',
      async () => {
        const signIn = await fetch(`${base}/api/auth/guest/refresh`, {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        });
        if (signIn.status !== 200) return false;
        token = (await signIn.json()).backstageIdentity.token;
        const headers = { Authorization: `Bearer ${token}` };
        const [entity, workload] = await Promise.all([
          fetch(catalogUrl, { headers }),
          fetch(`${base}/api/observability-ir/v1/workload?${query}`, {
            headers,
          }),
        ]);
        return entity.status === 200 && workload.status === 200;
      },
      backendProcess,
      180_000,
    );

    const ours = [
      `/v1/workload?${query}`,
      `/v1/clusters?${query}`,
      ...['replicas', 'metrics', 'logs', 'timeline', 'diagnosis', 'alerts'].map(
        kind => `/v1/${kind}?${query}&range=1h`,
      ),
    ].map(route => `${base}/api/observability-ir${route}`);

    // Every endpoint answers once before anything is measured.
    for (const url of [...ours, catalogUrl]) {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      if (response.status !== 200) {
        throw new Error(`Warm-up: ${url} answered ${response.status}`);
      }
    }

    const pid = backendProcess.pid!;
    const rssBefore = rssMb(pid) ?? NaN;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(pid) ?? 0);
    }, 200);

    const single =
      SINGLE_SECONDS > 0
        ? await drive(1, SINGLE_SECONDS, ours, token, proxy.calls)
        : undefined;
    const incident = await drive(USERS, SECONDS, ours, token, proxy.calls);
    const catalog = await drive(
      USERS,
      SECONDS,
      [catalogUrl],
      token,
      proxy.calls,
    );
    await sleep(3_000);
    clearInterval(sampler);
    const rssAfter = rssMb(pid) ?? NaN;
    const ratio = incident.perSecond / catalog.perSecond;

    console.log(
      `\nLoad: ${USERS} users for ${SECONDS} s each phase, against ${base} (cores: ${
        os.cpus().length
      }, load average at the end ${os
        .loadavg()
        .map(v => v.toFixed(2))
        .join(' ')})`,
    );
    if (single) console.log(describe('Incident endpoints, 1 user', single));
    console.log(describe(`Incident endpoints, ${USERS} users`, incident));
    console.log(describe(`Catalog by-name, ${USERS} users`, catalog));
    console.log(
      `Backend RSS: ${rssBefore.toFixed(0)} MB before, ${rssPeak.toFixed(
        0,
      )} MB at the peak, ${rssAfter.toFixed(0)} MB after`,
    );
    console.log(
      `Throughput ratio to the catalog's by-name read: ${ratio.toFixed(
        2,
      )} (goal at least ${GOAL_RATIO}: ${
        ratio >= GOAL_RATIO ? 'met' : 'not met'
      }); errors ${incident.errors + catalog.errors} (goal 0)`,
    );

    const result = {
      benchmark: 'load',
      figures: [
        {
          name: 'incident endpoints throughput / catalog by-name throughput',
          value: Number(ratio.toFixed(3)),
          goal: { min: GOAL_RATIO },
        },
        {
          name: 'errors',
          value: incident.errors + catalog.errors,
          goal: { max: 0 },
        },
        {
          name: 'incident endpoints throughput',
          value: Number(incident.perSecond.toFixed(1)),
          unit: 'req/s',
        },
        {
          name: 'catalog by-name throughput',
          value: Number(catalog.perSecond.toFixed(1)),
          unit: 'req/s',
        },
        ...(['p50', 'p95', 'p99'] as const).map(p => ({
          name: `incident endpoints ${p}`,
          value: Number(incident[p].toFixed(1)),
          unit: 'ms',
        })),
        ...(['p50', 'p95', 'p99'] as const).map(p => ({
          name: `catalog by-name ${p}`,
          value: Number(catalog[p].toFixed(1)),
          unit: 'ms',
        })),
        ...(single
          ? [
              {
                name: 'incident endpoints p95, 1 user',
                value: Number(single.p95.toFixed(1)),
                unit: 'ms',
              },
            ]
          : []),
        {
          name: 'upstream calls per second under load',
          value: Number(incident.upstreamPerSecond.toFixed(1)),
          unit: '1/s',
        },
        {
          name: 'backend RSS before',
          value: Math.round(rssBefore),
          unit: 'MB',
        },
        { name: 'backend RSS peak', value: Math.round(rssPeak), unit: 'MB' },
        { name: 'backend RSS after', value: Math.round(rssAfter), unit: 'MB' },
      ],
      settings: { users: USERS, seconds: SECONDS, maxRequests: MAX_REQUESTS },
    };
    reportBenchResult(result);
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    await stopGroup(backend?.child);
    await proxy?.close();
    await stopGroup(sandbox?.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
