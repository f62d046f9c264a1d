import fs from 'node:fs';
import { backendLogPath } from '../playwright.config';
import { waitForDemo } from '../scripts/lib/demoReadiness';
import { firstErrorIn } from '../scripts/lib/firstError';

/**
 * Runs after Playwright's webServer entries are up (the backend's readiness
 * endpoint answers), before any test: waits until the catalog has ingested
 * the demo organisation, so that the tests' first guest sign-in carries the
 * finance team, as `npm start` does before it says it is ready.
 */
export default async function globalSetup() {
  const timeoutSeconds = Number(process.env.E2E_READY_TIMEOUT_SECONDS ?? 120);
  try {
    await waitForDemo({
      backendUrl: 'http://localhost:7007',
      timeoutMs: timeoutSeconds * 1000,
      intervalMs: 500,
    });
  } catch (error) {
    const log = fs.existsSync(backendLogPath)
      ? fs.readFileSync(backendLogPath, 'utf8')
      : '';
    const first = firstErrorIn(log, 'backend');
    throw new Error(
      `The demo was not usable: ${(error as Error).message}` +
        (first
          ? `\nThe backend's first error (${backendLogPath}):\n${first.lines.join(
              '\n',
            )}`
          : ''),
    );
  }
}
