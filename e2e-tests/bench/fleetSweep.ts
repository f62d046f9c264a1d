/*
 * Benchmark: the fleet "silent outage" sweep on many pods, against the
 * pipeline a person runs without it and against the least any reader of
 * the same pods must do, measured in the same run on the same sandbox.
 *
 *   yarn bench:sweep   (CLUSTERS, NAMESPACES, PODS_PER_NAMESPACE, NODES,
 *                       OOM_PERCENT, SANDBOX_PORT)
 *
 * It starts the sandbox in a child process (its own memory is not counted)
 * on 127.0.0.1 with the generated `scale` scenario, by default 3 clusters
 * of 200 namespaces of 50 pods (30,000 pods; SANDBOX_PORT 0 picks a free
 * port), then measures, one after another:
 *
 * (a) the lab's pipeline, per cluster one after another as a person would,
 *     with a temporary kubeconfig pointing at that cluster:
 *       kubectl get pods -A -o json | jq -r '.items[] | select(.status
 *         .containerStatuses[].lastState.terminated.reason == "OOMKilled")
 *         | .metadata.name'
 *     Wall time of the three pipelines, the peak RSS of kubectl and of jq
 *     (the largest over the clusters, by `/usr/bin/time -f %M`), the bytes
 *     of JSON kubectl wrote and the count of OOMKilled pod names jq wrote.
 *     kubectl reads the list in chunks of 500, as it does by default.
 * (b) the floor: one unpaginated GET of /api/v1/pods per cluster, all at
 *     once, and JSON.parse of each answer, nothing else.
 * (c) the sweep: the plugin's own `sweepFleet` with its sources as
 *     `createFleet` wires them (`fleetSources`: its pager of `limit` and
 *     `continue`, its Prometheus clients) and a catalog of one Component
 *     per generated workload (namespace-pinned, claiming its pods by label
 *     selector, owned by the namespace's team), every range at once.
 *
 *     Then the same sweep once more without Prometheus configured (c'),
 *     which reads only the pod lists the floor reads: the sandbox's PromQL
 *     over every container's history is most of (c), in the same sandbox
 *     process as the API servers.
 *
 * (b) and (c) each run in a fresh child process: the wall time covers the
 * work only (modules loaded and one small request made before it starts),
 * the peak RSS growth is `process.resourceUsage().maxRSS` at the end less
 * the RSS when the work starts. Nothing is asserted; the goals are printed
 * with whether each is met.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ConfigReader } from '@backstage/config';
import { startSandbox } from '@observability-ir/sandbox-cluster';
import { reportBenchResult } from '../../scripts/lib/benchResult';
import { fleetSources } from '../../plugins/observability-ir-backend/src/service/fleet/createFleet';
import { FLEET_RANGES } from '../../plugins/observability-ir-backend/src/service/fleet/FleetService';
import { readFleetConfig } from '../../plugins/observability-ir-backend/src/service/fleet/readFleetConfig';
import {
  FLEET_LIMITS,
  sweepFleet,
} from '../../plugins/observability-ir-backend/src/service/fleet/sweepFleet';
import { readObservabilityIrConfig } from '../../plugins/observability-ir-backend/src/config/readObservabilityIrConfig';

const CLUSTERS = Number(process.env.CLUSTERS ?? 3);
const NAMESPACES = Number(process.env.NAMESPACES ?? 200);
const PODS_PER_NAMESPACE = Number(process.env.PODS_PER_NAMESPACE ?? 50);
const NODES = Number(process.env.NODES ?? 20);
const OOM_PERCENT = Number(process.env.OOM_PERCENT ?? 10);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 0);
/**
 * observabilityIr.upstreamTimeout of the sweep, in seconds: one sandbox
 * process answers for every cluster's API server and Prometheus, so a
 * request waits behind the other clusters' (10 s by default in the plugin).
 */
const UPSTREAM_TIMEOUT_S = Number(process.env.UPSTREAM_TIMEOUT_S ?? 120);

const GOALS = {
  sweepOverPipeline: 0.25,
  sweepOverFloor: 1.3,
  sweepRssMb: 150,
};

/** What the sandbox child reports once it listens. */
interface SandboxInfo {
  url: string;
  token: string;
  pods: number;
  clusters: Array<{
    name: string;
    kubernetesUrl: string;
    prometheusUrl: string;
  }>;
}

/** What a measured child reports. */
interface ChildResult {
  ms: number;
  rssGrowthBytes: number;
  [key: string]: unknown;
}

const MB = 1e6;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Runs this file again in a child process in the given role. */
function spawnRole(role: string, env: Record<string, string> = {}) {
  return spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      __filename,
      role,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    },
  );
}

/** The first line a child writes that starts with `RESULT `, parsed. */
function resultOf<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', line => {
      if (line.startsWith('RESULT ')) resolve(JSON.parse(line.slice(7)));
      else process.stdout.write(`  ${line}\n`);
    });
    child.once('exit', code =>
      reject(new Error(`child process ended (${code}) without a result`)),
    );
  });
}

function report(value: unknown) {
  process.stdout.write(`RESULT ${JSON.stringify(value)}\n`);
}

/** Peak RSS growth of this process since `startRss`, in bytes. */
function rssGrowth(startRss: number) {
  return process.resourceUsage().maxRSS * 1024 - startRss;
}

// ---------------------------------------------------------------- children

async function runSandbox() {
  const sandbox = await startSandbox({
    scenario: 'scale',
    scale: {
      clusters: CLUSTERS,
      namespaces: NAMESPACES,
      podsPerNamespace: PODS_PER_NAMESPACE,
      nodesPerCluster: NODES,
      oomPercent: OOM_PERCENT,
    },
    host: '127.0.0.1',
    port: SANDBOX_PORT,
    kubeconfigPath: false,
  });
  const close = () => sandbox.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  const pods = sandbox.world.clusters.reduce(
    (n, c) => n + c.podsAt(sandbox.now()).length,
    0,
  );
  report({
    url: sandbox.url,
    token: sandbox.token,
    pods,
    clusters: sandbox.clusters,
  } satisfies SandboxInfo);
}

function sandboxInfo(): SandboxInfo {
  return JSON.parse(process.env.BENCH_SANDBOX!);
}

async function runFloor() {
  const info = sandboxInfo();
  const headers = { authorization: `Bearer ${info.token}` };
  // The first fetch loads the HTTP client: not part of the work.
  await (
    await fetch(`${info.clusters[0].kubernetesUrl}/version`, { headers })
  ).text();
  const startRss = process.memoryUsage().rss;
  const started = performance.now();
  const counts = await Promise.all(
    info.clusters.map(async c => {
      const answer = await fetch(`${c.kubernetesUrl}/api/v1/pods`, { headers });
      const text = await answer.text();
      return { pods: JSON.parse(text).items.length, bytes: text.length };
    }),
  );
  const ms = performance.now() - started;
  report({
    ms,
    rssGrowthBytes: rssGrowth(startRss),
    pods: counts.reduce((n, c) => n + c.pods, 0),
    bytes: counts.reduce((n, c) => n + c.bytes, 0),
  });
}

/** One Component per generated workload, as a catalog would hold them. */
function catalog() {
  const namespaces = Array.from(
    { length: NAMESPACES },
    (_, i) => `team-${String(i + 1).padStart(3, '0')}`,
  );
  const apps = Array.from(
    { length: Math.ceil(PODS_PER_NAMESPACE / 2) },
    (_, i) => `svc-${i + 1}`,
  );
  return namespaces.flatMap(namespace =>
    apps.map(app => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `${namespace}-${app}`,
        namespace: 'default',
        title: `${app} (${namespace})`,
        annotations: {
          'backstage.io/kubernetes-label-selector': `app=${app}`,
          'backstage.io/kubernetes-namespace': namespace,
        },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:default/${namespace}`,
      },
    })),
  );
}

async function runSweep() {
  const info = sandboxInfo();
  const config = new ConfigReader({
    observabilityIr: {
      upstreamTimeout: { seconds: UPSTREAM_TIMEOUT_S },
      clusters: info.clusters.map(c => ({
        name: c.name,
        prometheus: { url: c.prometheusUrl },
      })),
    },
  });
  const clusters = info.clusters.map(c => ({
    name: c.name,
    url: c.kubernetesUrl,
    authMetadata: {},
    skipTLSVerify: true,
  }));
  const items = catalog();
  const sources = fleetSources({
    config,
    clusterAccess: {
      clusters: async () => clusters,
      credential: async () => ({ type: 'bearer token', token: info.token }),
    } as any,
    catalog: { getEntities: async () => ({ items }) } as any,
    auth: { getOwnServiceCredentials: async () => ({}) } as any,
  });
  // How long the Prometheus queries took, from the first asked to the
  // last answered, to tell the sandbox's PromQL from the pod lists.
  let promFirst = Infinity;
  let promLast = 0;
  let promQueries = 0;
  const timedSources: typeof sources = {
    ...sources,
    prometheus: name => {
      const client =
        process.env.BENCH_WITHOUT_PROMETHEUS === '1'
          ? undefined
          : sources.prometheus(name);
      if (!client) return undefined;
      return Object.assign(Object.create(client), {
        query: async (...args: Parameters<typeof client.query>) => {
          promFirst = Math.min(promFirst, performance.now());
          promQueries++;
          try {
            return await client.query(...args);
          } finally {
            promLast = Math.max(promLast, performance.now());
          }
        },
      });
    },
  };
  const fleetConfig = readFleetConfig(config);
  const settings = readObservabilityIrConfig(config);
  const silent = {
    error() {},
    warn(message: string) {
      process.stdout.write(`sweep warning: ${message}\n`);
    },
    info() {},
    debug() {},
    child() {
      return silent;
    },
  };
  // Loaded on first use by the pager; loaded here so it is not counted.
  await import('@kubernetes/client-node');
  await (await fetch(`${info.clusters[0].kubernetesUrl}/version`)).text();
  const startRss = process.memoryUsage().rss;
  const started = performance.now();
  const startCpu = process.cpuUsage();
  const results = await sweepFleet(timedSources, {
    ranges: FLEET_RANGES,
    nearOomShare: fleetConfig.nearOomShare,
    timeoutMs: settings.upstreamTimeoutMs,
    maxBodyBytes: settings.limits.responseBytes.kubernetes,
    pageSize: fleetConfig.pageSize,
    logger: silent,
  });
  const ms = performance.now() - started;
  const rssGrowthBytes = rssGrowth(startRss);
  const cpu = process.cpuUsage(startCpu);
  const longest = FLEET_RANGES[FLEET_RANGES.length - 1];
  report({
    ms,
    rssGrowthBytes,
    cpuMs: (cpu.user + cpu.system) / 1000,
    promQueries,
    promMs: promQueries ? promLast - promFirst : 0,
    podsScanned: results[longest].podsScanned,
    findings: Object.fromEntries(
      FLEET_RANGES.map(r => [r, results[r].findings.length]),
    ),
    owned: results[longest].findings.filter(f => f.owner).length,
    oomKilledPods: new Set(
      results[longest].findings
        .filter(f => f.reason === 'OOMKilled')
        .map(f => `${f.cluster}/${f.namespace}/${f.pod}`),
    ).size,
    sources: results[longest].sources
      .filter(s => s.status !== 'ok' || s.warnings?.length)
      .map(
        s =>
          `${s.cluster}/${s.source}: ${s.status} ${s.error ?? ''} ${
            s.warnings?.join('; ') ?? ''
          }`,
      ),
  });
}

// ---------------------------------------------------------------- the lab

/** Runs a command under `/usr/bin/time -f %M`; resolves its peak RSS. */
function timed(
  command: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  label: string,
) {
  const rssFile = path.join(dir, `${label}.rss`);
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%M', '-o', rssFile, ...command],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env,
    },
  );
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', code => {
      if (code !== 0) {
        reject(new Error(`${command[0]} ended with ${code}`));
        return;
      }
      const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
      resolve(Number(lines[lines.length - 1]) * 1024);
    });
  });
  return { child, done };
}

/** `kubectl get pods -A -o json | jq ...` against one cluster. */
async function pipelineOn(
  c: SandboxInfo['clusters'][number],
  token: string,
  env: NodeJS.ProcessEnv,
  dir: string,
) {
  const kubeconfig = path.join(dir, `${c.name}.kubeconfig`);
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: c.name, cluster: { server: c.kubernetesUrl } }],
      users: [{ name: 'bench', user: { token } }],
      contexts: [{ name: c.name, context: { cluster: c.name, user: 'bench' } }],
      'current-context': c.name,
    }),
  );
  const kubectl = timed(
    ['kubectl', '--kubeconfig', kubeconfig, 'get', 'pods', '-A', '-o', 'json'],
    env,
    dir,
    `kubectl-${c.name}`,
  );
  const jq = timed(
    [
      'jq',
      '-r',
      '.items[] | select(.status.containerStatuses[].lastState.terminated.reason == "OOMKilled") | .metadata.name',
    ],
    env,
    dir,
    `jq-${c.name}`,
  );
  let bytes = 0;
  let names = 0;
  kubectl.child.stdout!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  kubectl.child.stdout!.pipe(jq.child.stdin!);
  kubectl.child.stdin!.end();
  readline.createInterface({ input: jq.child.stdout! }).on('line', line => {
    if (line) names++;
  });
  const [kubectlRss, jqRss] = await Promise.all([kubectl.done, jq.done]);
  return { bytes, names, kubectlRss, jqRss };
}

/** The pipeline on each cluster, one after another. */
async function labPipeline(info: SandboxInfo, dir: string) {
  const env = { ...process.env, KUBECACHEDIR: path.join(dir, 'kube-cache') };
  const started = performance.now();
  const runs = [];
  for (const c of info.clusters) {
    runs.push(await pipelineOn(c, info.token, env, dir));
  }
  return {
    ms: performance.now() - started,
    bytes: runs.reduce((n, r) => n + r.bytes, 0),
    names: runs.reduce((n, r) => n + r.names, 0),
    kubectlRss: Math.max(...runs.map(r => r.kubectlRss)),
    jqRss: Math.max(...runs.map(r => r.jqRss)),
  };
}

function stop(child: ChildProcess | undefined) {
  if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-sweep-'));
  let sandbox: ChildProcess | undefined;
  try {
    sandbox = spawnRole('sandbox');
    const info = await resultOf<SandboxInfo>(sandbox);
    console.log(
      `Sandbox ${info.url}: ${info.pods} pods in ${info.clusters.length} clusters (${NAMESPACES} namespaces x ${PODS_PER_NAMESPACE} pods, ${OOM_PERCENT}% of workloads OOMKilled in a loop)`,
    );
    const env = { BENCH_SANDBOX: JSON.stringify(info) };

    const lab = await labPipeline(info, dir);
    console.log(
      `(a) kubectl | jq: ${secs(lab.ms)}, ${mb(lab.bytes)} of JSON, ${
        lab.names
      } OOMKilled pods`,
    );
    const floor = await resultOf<ChildResult & { pods: number; bytes: number }>(
      spawnRole('floor', env),
    );
    console.log(
      `(b) floor: ${secs(floor.ms)}, ${floor.pods} pods, ${mb(floor.bytes)}`,
    );
    const sweep = await resultOf<
      ChildResult & {
        podsScanned: number;
        cpuMs: number;
        promQueries: number;
        promMs: number;
        findings: Record<string, number>;
        oomKilledPods: number;
        owned: number;
        sources: string[];
      }
    >(spawnRole('sweep', env));
    console.log(
      `(c) sweep: ${secs(sweep.ms)}, ${
        sweep.podsScanned
      } pods; its own CPU ${secs(sweep.cpuMs)}; ${
        sweep.promQueries
      } Prometheus queries answered within ${secs(sweep.promMs)} of the first`,
    );
    for (const s of sweep.sources) console.log(`    ${s}`);
    const podsOnly = await resultOf<ChildResult & { podsScanned: number }>(
      spawnRole('sweep', { ...env, BENCH_WITHOUT_PROMETHEUS: '1' }),
    );
    console.log(
      `(c') sweep without Prometheus: ${secs(podsOnly.ms)}, ${
        podsOnly.podsScanned
      } pods`,
    );

    const row = (name: string, ms: number, rss: string, note: string) =>
      `${name.padEnd(24)}${secs(ms).padStart(10)}  ${rss.padEnd(34)}${note}`;
    const findings = Object.entries(sweep.findings)
      .map(([range, n]) => `${range} ${n}`)
      .join(', ');
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const overLab = sweep.ms / lab.ms;
    const overFloor = sweep.ms / floor.ms;
    const sweepMb = sweep.rssGrowthBytes / MB;
    console.log('');
    console.log(
      `${info.pods} pods, ${info.clusters.length} clusters, ${
        os.cpus().length
      } cores`,
    );
    console.log(row('', 0, 'peak RSS', '').replace(/0\.00 s/, '  wall'));
    console.log(
      row(
        '(a) kubectl | jq',
        lab.ms,
        `kubectl ${mb(lab.kubectlRss)}, jq ${mb(lab.jqRss)}`,
        `${lab.names} OOMKilled pods, ${mb(lab.bytes)} JSON`,
      ),
    );
    console.log(
      row(
        '(b) GET + JSON.parse',
        floor.ms,
        `+${mb(floor.rssGrowthBytes)}`,
        `${floor.pods} pods`,
      ),
    );
    console.log(
      row(
        '(c) sweepFleet',
        sweep.ms,
        `+${mb(sweep.rssGrowthBytes)}`,
        `${sweep.oomKilledPods} OOMKilled pods (${sweep.owned} owned); findings ${findings} (at most ${FLEET_LIMITS.findings} kept)`,
      ),
    );
    console.log(
      row(
        "(c') without Prometheus",
        podsOnly.ms,
        `+${mb(podsOnly.rssGrowthBytes)}`,
        `${(podsOnly.ms / floor.ms).toFixed(2)} x the floor's time`,
      ),
    );
    console.log('');
    console.log(
      `sweep / kubectl|jq time  ${overLab.toFixed(2)}  (goal <= ${
        GOALS.sweepOverPipeline
      }: ${met(overLab <= GOALS.sweepOverPipeline)})`,
    );
    console.log(
      `sweep / floor time       ${overFloor.toFixed(2)}  (goal <= ${
        GOALS.sweepOverFloor
      }: ${met(overFloor <= GOALS.sweepOverFloor)})`,
    );
    console.log(
      `sweep peak RSS growth    ${sweepMb.toFixed(0)} MB  (goal <= ${
        GOALS.sweepRssMb
      } MB: ${met(sweepMb <= GOALS.sweepRssMb)}); ${(
        sweep.rssGrowthBytes / floor.rssGrowthBytes
      ).toFixed(2)} x the floor's, ${(
        sweep.rssGrowthBytes / lab.kubectlRss
      ).toFixed(2)} x kubectl's`,
    );
    reportBenchResult({
      benchmark: 'sweep',
      figures: [
        {
          name: 'sweep / kubectl|jq time',
          value: overLab,
          goal: { max: GOALS.sweepOverPipeline },
        },
        {
          name: 'sweep / floor time',
          value: overFloor,
          goal: { max: GOALS.sweepOverFloor },
        },
        {
          name: 'sweep peak RSS growth',
          value: sweepMb,
          unit: 'MB',
          goal: { max: GOALS.sweepRssMb },
        },
        { name: 'sweep', value: sweep.ms / 1000, unit: 's' },
        { name: 'kubectl | jq', value: lab.ms / 1000, unit: 's' },
        { name: 'floor (GET + JSON.parse)', value: floor.ms / 1000, unit: 's' },
      ],
      settings: {
        pods: info.pods,
        clusters: info.clusters.length,
        namespaces: NAMESPACES,
        podsPerNamespace: PODS_PER_NAMESPACE,
      },
    });
  } finally {
    stop(sandbox);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
const roles: Record<string, () => Promise<void>> = {
  sandbox: runSandbox,
  floor: runFloor,
  sweep: runSweep,
};
const run = roles[role] ?? main;
run()
  .then(() => {
    // The measured children are done once they reported.
    if (role === 'floor' || role === 'sweep') process.exit(0);
  })
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
