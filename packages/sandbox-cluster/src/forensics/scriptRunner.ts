import { spawn } from 'node:child_process';

/** How a run of the script ended. */
export interface ScriptOutcome {
  exitCode: number;
  /** Wall-clock time from start to exit. */
  durationMs: number;
}

/** A script running on this machine. */
export interface RunningScript {
  /** Resolves when it exited (it never rejects). */
  done: Promise<ScriptOutcome>;
  /** Stops it and every process it started (its process group). */
  kill(): void;
}

/** What to run, and where its output goes. */
export interface ScriptOptions {
  scriptPath: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Output past this many bytes is dropped (a log must stay bounded). */
  maxOutputBytes: number;
  /** Stopped after this much wall-clock time. */
  timeoutMs: number;
  /** Each line of stdout and stderr as it arrives, with the time since start. */
  onLine(line: string, elapsedMs: number): void;
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs a script with `/bin/sh` and an argument vector (never a shell
 * string), in a process group of its own so that it and the tools it calls
 * can be stopped together.
 */
export function runScript(options: ScriptOptions): RunningScript {
  const started = Date.now();
  const child = spawn('/bin/sh', [options.scriptPath, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let bytes = 0;
  const emit = (line: string) => {
    bytes += Buffer.byteLength(line) + 1;
    if (bytes <= options.maxOutputBytes) {
      options.onLine(line, Date.now() - started);
    }
  };
  const reader = () => {
    let partial = '';
    return {
      data(chunk: Buffer) {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop()!;
        lines.forEach(emit);
      },
      end() {
        if (partial) emit(partial);
        partial = '';
      },
    };
  };
  const out = reader();
  const err = reader();
  child.stdout!.on('data', out.data);
  child.stderr!.on('data', err.data);

  let exited = false;
  const kill = () => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(kill, options.timeoutMs);
  timer.unref?.();

  const done = new Promise<ScriptOutcome>(resolve => {
    child.on('error', error => {
      exited = true;
      clearTimeout(timer);
      emit(`sandbox: could not start /bin/sh: ${error.message}`);
      resolve({ exitCode: 127, durationMs: Date.now() - started });
    });
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      out.end();
      err.end();
      resolve({
        exitCode: code ?? 128 + (SIGNALS[signal ?? ''] ?? 9),
        durationMs: Date.now() - started,
      });
    });
  });
  return { done, kill };
}
