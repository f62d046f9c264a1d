/*
 * What the browser benchmarks share: the demo as `npm start` runs it (the
 * sandbox's first cluster, the app built and served by the backend), a
 * headless Chromium signed in as the guest, and a clean stop.
 */
import type { Sandbox } from '@observability-ir/sandbox-cluster';
import { chromium, Browser, Page } from '@playwright/test';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumLaunchOptions } from '../chromium';

const root = path.resolve(__dirname, '../..');

/** The demo, running; `stop` ends what `startDemo` started (not the sandbox). */
export interface Demo {
  base: string;
  browser: Browser;
  page: Page;
  stop(): Promise<void>;
}

async function waitForReady(url: string, backend: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (backend.exitCode !== null) throw new Error('backend exited');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} not ready after 300 s`);
}

/**
 * Builds the app, starts the backend on `backendPort` against the
 * sandbox's first cluster (with `observabilityIr` settings added to those
 * of app-config.yaml), opens Chromium and signs in as the guest.
 */
export async function startDemo(options: {
  sandbox: Sandbox;
  backendPort: number;
  /** Names the config file written to the temp folder. */
  name: string;
  observabilityIr?: Record<string, unknown>;
  /** Runs on the page before the guest signs in (e.g. to follow requests). */
  beforeSignIn?: (page: Page) => void;
}): Promise<Demo> {
  const base = `http://localhost:${options.backendPort}`;
  const [cluster] = options.sandbox.clusters;
  const configPath = path.join(os.tmpdir(), `${options.name}.yaml`);
  fs.writeFileSync(
    configPath,
    JSON.stringify({
      app: { baseUrl: base },
      backend: {
        baseUrl: base,
        listen: { port: options.backendPort },
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
                serviceAccountToken: options.sandbox.token,
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
        ...options.observabilityIr,
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
  const stop = async () => {
    await browser.close();
    try {
      process.kill(-backend.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  try {
    await waitForReady(`${base}/.backstage/health/v1/readiness`, backend);
    const page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
    });
    options.beforeSignIn?.(page);
    await page.goto(base);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByRole('heading', { name: 'Acme Shop Catalog' }).waitFor();
    return { base, browser, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Saves the page where a benchmark failed and says where. */
export async function keepFailedPage(demo: Demo, name: string) {
  const shot = path.join(os.tmpdir(), `${name}-failure.png`);
  await demo.page.screenshot({ path: shot, fullPage: true });
  console.error(`Failed; the page is in ${shot}`);
}

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
