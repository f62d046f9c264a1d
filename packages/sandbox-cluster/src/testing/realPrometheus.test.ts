import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPrometheusBinaries, startRealPrometheus } from './realPrometheus';

const binaries = findPrometheusBinaries();
const withBinaries = binaries ? describe : describe.skip;

function isRunning(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRealPrometheus with stand-in binaries', () => {
  let bin: string;

  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-prometheus-'));
    const script = (name: string, body: string) => {
      const file = path.join(bin, name);
      fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return file;
    };
    script('promtool-ok', 'exit 0');
    script('promtool-broken', 'echo "parse error: bad sample" >&2; exit 1');
    script(
      'prometheus-crashes',
      'echo "err: $2 is not usable" >&2; echo "pid $$" >&2; exit 3',
    );
    script(
      'prometheus-hangs',
      'echo "starting with $2" >&2; echo "pid $$" >&2; exec sleep 60',
    );
  });

  afterAll(() => {
    fs.rmSync(bin, { recursive: true, force: true });
  });

  const data = { openMetrics: '# EOF\n' };

  it('reports a failed backfill with promtool stderr', async () => {
    await expect(
      startRealPrometheus(data, {
        promtoolBin: path.join(bin, 'promtool-broken'),
        prometheusBin: path.join(bin, 'prometheus-hangs'),
      }),
    ).rejects.toThrow(/promtool-broken tsdb create-blocks-from[^]*bad sample/);
  });

  it('reports a binary that cannot be run', async () => {
    await expect(
      startRealPrometheus(data, {
        promtoolBin: path.join(bin, 'promtool-ok'),
        prometheusBin: path.join(bin, 'no-such-prometheus'),
      }),
    ).rejects.toThrow(/prometheus did not start: .*ENOENT/);
  });

  it('reports an early exit with stderr, and cleans up', async () => {
    const error: Error = await startRealPrometheus(data, {
      promtoolBin: path.join(bin, 'promtool-ok'),
      prometheusBin: path.join(bin, 'prometheus-crashes'),
    }).catch(e => e);
    expect(error.message).toMatch(
      /prometheus exited \(3\) before it was ready:[^]*is not usable/,
    );
    const dataDir = /--storage\.tsdb\.path=(\S+)/.exec(error.message)![1];
    expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
  });

  it('gives up after the readiness timeout, kills the server and cleans up', async () => {
    const started = Date.now();
    const error: Error = await startRealPrometheus(data, {
      promtoolBin: path.join(bin, 'promtool-ok'),
      prometheusBin: path.join(bin, 'prometheus-hangs'),
      readyTimeoutMs: 500,
    }).catch(e => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toMatch(
      /prometheus was not ready at http:\/\/127\.0\.0\.1:\d+ within 500 ms:[^]*starting with/,
    );
    const pid = Number(/pid (\d+)/.exec(error.message)![1]);
    expect(isRunning(pid)).toBe(false);
    const dataDir = /--storage\.tsdb\.path=(\S+)/.exec(error.message)![1];
    expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
  });
});

withBinaries('startRealPrometheus', () => {
  jest.setTimeout(60_000);
  const t = Date.parse('2025-06-02T12:00:00Z') / 1000;

  it('serves backfilled samples, then stops and cleans up', async () => {
    const prometheus = await startRealPrometheus({
      openMetrics: [
        '# TYPE demo_value unknown',
        `demo_value{pod="a\\"b"} 1 ${t - 60}`,
        `demo_value{pod="a\\"b"} 2.5 ${t}`,
        '# EOF',
        '',
      ].join('\n'),
    });
    try {
      const response = await fetch(
        `${prometheus.url}/api/v1/query?query=demo_value&time=${t}`,
      );
      const body = await response.json();
      expect(body.data.result).toEqual([
        {
          metric: { __name__: 'demo_value', pod: 'a"b' },
          value: [t, '2.5'],
        },
      ]);
    } finally {
      await prometheus.close();
    }
    await prometheus.close();
    expect(fs.existsSync(prometheus.dir)).toBe(false);
    await expect(fetch(`${prometheus.url}/-/ready`)).rejects.toThrow();
  });
});
