import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const backendDir = resolvePackagePath('backend');

/** A backend running in a child process, as `yarn start` runs it. */
export interface BackendProcess {
  /** Where it listens, on 127.0.0.1. */
  baseUrl: string;
  /** Its process id. */
  pid: number;
  /** Everything it has written to stdout and stderr so far. */
  output(): string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a backend entry point of this package (TypeScript, transpiled on
 * load as `backstage-cli package start` does, without its file watcher) on a
 * free port of 127.0.0.1, and waits until its readiness check answers 200.
 * `env` receives the base URL and returns the variables to add.
 */
export async function startBackendProcess(options: {
  entry: string;
  configPaths: string[];
  env: (baseUrl: string) => Record<string, string>;
  readyTimeoutMs: number;
}): Promise<BackendProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // Jest's flags are for Jest's own process.
  const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;

  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      options.entry,
      ...options.configPaths.flatMap(configPath => ['--config', configPath]),
    ],
    {
      cwd: backendDir,
      env: {
        ...inherited,
        APP_CONFIG_backend_listen_host: '127.0.0.1',
        APP_CONFIG_backend_listen_port: String(port),
        ...options.env(baseUrl),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', chunk => (output += chunk));
  child.stderr?.on('data', chunk => (output += chunk));

  const backend: BackendProcess = {
    baseUrl,
    pid: child.pid!,
    output: () => output,
    stop: () => stopProcess(child),
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `The backend exited with code ${child.exitCode}:\n${output.slice(
          -4000,
        )}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (response.status === 200) {
        return backend;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  await stopProcess(child);
  throw new Error(`The backend was not ready in time:\n${output.slice(-4000)}`);
}
