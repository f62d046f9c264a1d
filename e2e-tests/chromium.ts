import fs from 'node:fs';

/**
 * How the end-to-end tests and the benchmarks launch the machine's Chromium
 * (Debian's `chromium` package, or CHROMIUM_PATH); no browser is ever
 * downloaded. The flags keep it from reaching for hosts it cannot reach.
 */
export function chromiumLaunchOptions() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return {
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  };
}
