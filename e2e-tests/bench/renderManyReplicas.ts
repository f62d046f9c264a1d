/*
 * Benchmark: how long the Incident tab takes to render for a service with
 * 200 replicas, as a ratio to the stock Kubernetes tab for the same entity,
 * measured in the same run in headless Chromium.
 *
 *   yarn bench:render        (REPLICAS, ROUNDS, SANDBOX_PORT, BACKEND_PORT)
 *
 * It starts the sandbox with the lab's checkout-api scaled to REPLICAS pods,
 * builds the app, starts the backend serving it, then loads each tab ROUNDS
 * times and prints the medians. Nothing is asserted.
 */
import { loadScenario, startSandbox } from '@observability-ir/sandbox-cluster';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../chromium';

const REPLICAS = Number(process.env.REPLICAS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 7008);
const BACKEND_PORT = Number(process.env.BACKEND_PORT ?? 7007);
const root = path.resolve(__dirname, '../..');
const base = `http://localhost:${BACKEND_PORT}`;

function scaledScenario() {
  const scenario = loadScenario('checkout-oom');
  const deployment = scenario.clusters[0].deployments.find(
    d => d.name === 'checkout-api',
  )!;
  deployment.pods = Array.from({ length: REPLICAS }, (_, i) => ({
    ...deployment.pods[i % deployment.pods.length],
    name: `checkout-api-v1-${i.toString(36).padStart(5, '0')}`,
    node: i % 2 ? 'worker-2' : 'worker-1',
    restarts: 40 + (i % 7),
  }));
  return scenario;
}

async function waitForReady(url: string, process: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (process.exitCode !== null) throw new Error('backend exited');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} not ready after 300 s`);
}

async function timeUntil(
  page: Page,
  url: string,
  ready: (p: Page) => Promise<void>,
) {
  const started = performance.now();
  await page.goto(url);
  await ready(page);
  return performance.now() - started;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const sandbox = await startSandbox({
    scenario: scaledScenario(),
    port: SANDBOX_PORT,
    kubeconfigPath: false,
  });
  const [cluster] = sandbox.clusters;
  const configPath = path.join(os.tmpdir(), 'observability-ir-bench.yaml');
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      app: { baseUrl: base },
      backend: {
        baseUrl: base,
        listen: { port: BACKEND_PORT },
        cors: { origin: base },
      },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: cluster.name,
                url: cluster.kubernetesUrl,
                authProvider: 'serviceAccount',
                serviceAccountToken: sandbox.token,
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
            name: cluster.name,
            prometheus: { url: cluster.prometheusUrl },
            loki: { url: cluster.lokiUrl },
          },
        ],
      },
    }),
  );

  const build = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: 'ignore',
  });
  if (build.status !== 0) throw new Error('app build failed');
  const backend = spawn(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      configPath,
    ],
    { cwd: root, stdio: 'ignore', detached: true },
  );
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    await waitForReady(`${base}/.backstage/health/v1/readiness`, backend);
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
    });
    await page.goto(base);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByRole('heading', { name: 'Acme Shop Catalog' }).waitFor();

    const entity = `${base}/catalog/default/component/checkout-api`;
    const kubernetes: number[] = [];
    const incident: number[] = [];
    // Alternate the two so drift in the machine's load hits both alike.
    for (let round = 0; round <= ROUNDS; round++) {
      const k = await timeUntil(page, `${entity}/kubernetes`, p =>
        p
          .getByText(`${REPLICAS} pods`, { exact: true })
          .first()
          .waitFor({ timeout: 120_000 }),
      );
      const i = await timeUntil(page, `${entity}/incident`, async p => {
        await p
          .getByRole('heading', { name: /^Most likely cause:/ })
          .waitFor({ timeout: 120_000 });
        await p
          .getByRole('img', { name: 'Memory working set and limit over time' })
          .waitFor();
        await p
          .getByRole('table', { name: 'Replicas' })
          .getByRole('cell', { name: /^checkout-api-v1-/ })
          .first()
          .waitFor({ timeout: 120_000 });
      });
      // The first round warms caches and is not counted.
      if (round > 0) {
        kubernetes.push(k);
        incident.push(i);
      }
    }

    const k = median(kubernetes);
    const i = median(incident);
    console.log(`Replicas: ${REPLICAS}; rounds: ${ROUNDS} (median)`);
    console.log(
      `stock Kubernetes tab: ${k.toFixed(0)} ms  [${kubernetes
        .map(v => v.toFixed(0))
        .join(', ')}]`,
    );
    console.log(
      `Incident tab:         ${i.toFixed(0)} ms  [${incident
        .map(v => v.toFixed(0))
        .join(', ')}]`,
    );
    console.log(`ratio Incident / Kubernetes: ${(i / k).toFixed(2)}`);
  } catch (error) {
    const shot = path.join(os.tmpdir(), 'observability-ir-bench-failure.png');
    await browser
      .contexts()[0]
      ?.pages()[0]
      ?.screenshot({ path: shot, fullPage: true });
    console.error(`Failed; the page is in ${shot}`);
    throw error;
  } finally {
    await browser.close();
    try {
      process.kill(-backend.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await sandbox.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
