import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportOpenMetrics } from '../prometheus/openmetrics';
import type { World } from '../world/world';
import { findBinary, freePort } from './binaries';

/** What a real Prometheus is loaded with before it starts. */
export type RealPrometheusData =
  | {
      /** OpenMetrics text with timestamps, ending in `# EOF`. */
      openMetrics: string;
    }
  | {
      /** The simulation whose samples are exported. */
      world: World;
      /** Name of the cluster to export; defaults to the first one. */
      cluster?: string;
      /** Samples after this moment (ms since the epoch) are exported… */
      fromMs: number;
      /** …up to and including this one. */
      toMs: number;
    };

/** Options of {@link startRealPrometheus}. */
export interface RealPrometheusOptions {
  /** Path of `prometheus`; looked up on PATH when unset. */
  prometheusBin?: string;
  /** Path of `promtool`; looked up on PATH when unset. */
  promtoolBin?: string;
  /** How long to wait for `/-/ready`. Defaults to 30 seconds. */
  readyTimeoutMs?: number;
}

/** A running Prometheus server, listening on 127.0.0.1. */
export interface RealPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the API is under `/api/v1`. */
  url: string;
  /** The temporary directory holding its configuration and TSDB. */
  dir: string;
  /** Stops the server and removes its data. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * The `prometheus` and `promtool` binaries, or `undefined` when either is
 * missing. With `CI=true` a missing binary throws (see {@link findBinary}),
 * so tests that need a real Prometheus fail in CI instead of skipping.
 */
export function findPrometheusBinaries():
  | { prometheus: string; promtool: string }
  | undefined {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

// Keeps the end of a stream, for error messages.
function tail(chunks: string[], max = 4000): string {
  const text = chunks.join('');
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${path.basename(file)} ${args.join(' ')} failed: ${
                error.message
              }\n${tail([String(stderr || stdout)])}`,
            ),
          );
        } else {
          resolve();
        }
      },
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  // No pid: it never started.
  if (child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/**
 * Starts a real Prometheus whose TSDB holds the given samples: they are
 * backfilled with `promtool tsdb create-blocks-from openmetrics`, then
 * `prometheus` starts on a free port of 127.0.0.1 with an empty
 * configuration (it scrapes nothing) and a ten-year retention, so samples
 * from a fixed past moment stay queryable.
 *
 * Pin the simulation's clock to a fixed past moment (as the conformance
 * test does), so the exported samples land in persisted blocks whatever
 * the wall-clock time.
 *
 * @throws Error if a binary is missing, the backfill fails, or the server
 * is not ready within the timeout (with Prometheus' stderr).
 */
export async function startRealPrometheus(
  data: RealPrometheusData,
  options: RealPrometheusOptions = {},
): Promise<RealPrometheus> {
  const prometheusBin = options.prometheusBin ?? findBinary('prometheus');
  const promtoolBin = options.promtoolBin ?? findBinary('promtool');
  if (!prometheusBin || !promtoolBin) {
    throw new Error(
      'startRealPrometheus needs prometheus and promtool on PATH (e.g. apt-get install -y prometheus)',
    );
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'real-prometheus-'));
  let child: ChildProcess | undefined;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      try {
        if (child) await stop(child);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    })();
    return closed;
  };

  try {
    let openMetrics: string;
    if ('openMetrics' in data) {
      openMetrics = data.openMetrics;
    } else {
      const cluster = data.cluster
        ? data.world.cluster(data.cluster)
        : data.world.defaultCluster;
      if (!cluster) throw new Error(`No cluster named ${data.cluster}`);
      openMetrics = exportOpenMetrics(cluster, data.fromMs, data.toMs);
    }
    const samples = path.join(dir, 'samples.om.txt');
    const storage = path.join(dir, 'data');
    fs.writeFileSync(samples, openMetrics);
    await run(promtoolBin, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      samples,
      storage,
    ]);
    fs.rmSync(samples);
    const config = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(config, '');

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const stderr: string[] = [];
    const proc = spawn(
      prometheusBin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${storage}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=10y',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      stderr.push(chunk);
      // Bounded: only the end is ever reported.
      if (stderr.length > 200) stderr.splice(0, stderr.length - 100);
    });
    let spawnError: Error | undefined;
    proc.once('error', error => {
      spawnError = error;
    });
    // 'close' comes after stderr is drained, so the message is complete.
    let exited: string | undefined;
    proc.once('close', (code, signal) => {
      exited = String(code ?? signal);
    });

    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (spawnError) {
        throw new Error(`prometheus did not start: ${spawnError.message}`);
      }
      if (exited !== undefined) {
        throw new Error(
          `prometheus exited (${exited}) before it was ready:\n${tail(stderr)}`,
        );
      }
      const ready = await fetch(`${url}/-/ready`, {
        signal: AbortSignal.timeout(1000),
      }).then(
        r => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) {
        throw new Error(
          `prometheus was not ready at ${url} within ${readyTimeoutMs} ms:\n${tail(
            stderr,
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 100));
    }
    return { url, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
