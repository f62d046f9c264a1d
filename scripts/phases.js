#!/usr/bin/env node
/*
 * Runs root scripts one after the other, stopping at the first that fails,
 * and prints how long each took.
 *
 *   node scripts/phases.js tsc lint:all test:unit
 *
 * Nothing but Node.js built-ins.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function run(script) {
  return new Promise(resolve => {
    const child = spawn('yarn', ['run', script], {
      cwd: root,
      stdio: 'inherit',
    });
    const forward = signal => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', error => {
      process.stderr.write(`[phases] ${script}: ${error.message}\n`);
      resolve(1);
    });
  });
}

async function main() {
  const scripts = process.argv.slice(2);
  const times = [];
  let failed;
  for (const script of scripts) {
    process.stderr.write(`\n[phases] ${script}\n`);
    const started = Date.now();
    const code = await run(script);
    const ms = Date.now() - started;
    times.push({ script, ms, code });
    process.stderr.write(
      `[phases] ${script}: ${
        code === 0 ? 'passed' : `failed (exit ${code})`
      } in ${seconds(ms)}\n`,
    );
    if (code !== 0) {
      failed = code;
      break;
    }
  }
  const width = Math.max(...times.map(t => t.script.length));
  process.stderr.write('\n[phases] time per phase:\n');
  for (const { script, ms, code } of times) {
    process.stderr.write(
      `[phases]   ${script.padEnd(width)}  ${seconds(ms).padStart(8)}${
        code === 0 ? '' : '  FAILED'
      }\n`,
    );
  }
  for (const script of scripts.slice(times.length)) {
    process.stderr.write(`[phases]   ${script.padEnd(width)}  not run\n`);
  }
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  process.stderr.write(
    `[phases]   ${'total'.padEnd(width)}  ${seconds(total).padStart(8)}\n`,
  );
  process.exitCode = failed ?? 0;
}

main();
