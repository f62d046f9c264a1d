import { execFileSync } from 'node:child_process';
import net from 'node:net';

/**
 * Finds a system binary a test needs. In CI (CI=true) a missing binary is
 * an error so the test fails; locally the caller skips with a message.
 */
export function findBinary(name: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], {
        encoding: 'utf8',
      }).trim() || undefined
    );
  } catch {
    if (process.env.CI === 'true') {
      throw new Error(
        `${name} is required in CI but was not found on PATH (install it, e.g. apt-get install -y ${
          name === 'promtool' ? 'prometheus' : name
        })`,
      );
    }
    // eslint-disable-next-line no-console
    console.warn(`Skipping tests that need ${name}: not found on PATH`);
    return undefined;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
