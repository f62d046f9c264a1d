#!/usr/bin/env node
/*
 * The demo: the sandbox cluster (Kubernetes API, Prometheus and Loki
 * replaying an incident scenario) on 127.0.0.1:7008, and the Backstage
 * frontend (:3000) and backend (:7007) pointed at it by app-config.yaml.
 *
 *   yarn demo [sandbox options, e.g. --scenario healthy --speed 10]
 *
 * It prints "ready: open http://localhost:3000" once the demo is usable: the
 * backend is ready, the catalog has ingested the demo organisation (a guest
 * who signs in gets a token that carries the finance team) and the frontend
 * answers. If that does not happen within DEMO_READY_TIMEOUT_SECONDS (300 by
 * default), or a part of the demo exits, it prints the first error its parts
 * printed, stops them all and exits non-zero. Stopping it stops them all.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const { waitForDemo } = require('./lib/demoReadiness');
const { createErrorCatcher, lineSplitter } = require('./lib/firstError');

const root = path.resolve(__dirname, '..');
const APP_URL = 'http://localhost:3000';
const BACKEND_URL = 'http://localhost:7007';
const readyTimeoutSeconds = Number(
  process.env.DEMO_READY_TIMEOUT_SECONDS ?? 300,
);
if (!(readyTimeoutSeconds > 0)) {
  process.stderr.write(
    `[demo] DEMO_READY_TIMEOUT_SECONDS must be a positive number of seconds, not "${process.env.DEMO_READY_TIMEOUT_SECONDS}"\n`,
  );
  process.exit(2);
}

const sandboxArgs = process.argv.slice(2);
if (!sandboxArgs.includes('--port')) {
  sandboxArgs.push('--port', '7008');
}

function say(message) {
  process.stdout.write(`[demo] ${message}\n`);
}

const errors = createErrorCatcher();
// Colours survive the pipe when they would have reached a terminal.
const childEnv =
  process.stdout.isTTY && !process.env.NO_COLOR
    ? { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' }
    : process.env;

/**
 * Starts a part of the demo in its own process group (so that stopping it
 * stops everything it started), passing its output through and watching it
 * for errors.
 */
function start(name, command, args) {
  const child = spawn(command, args, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.partName = name;
  for (const [stream, target] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    const lines = lineSplitter(line => errors.feed(name, line));
    stream.on('data', chunk => {
      target.write(chunk);
      lines.write(chunk);
    });
    stream.on('end', () => lines.end());
  }
  return child;
}

const children = [
  start('sandbox', process.execPath, [
    path.join(root, 'packages/sandbox-cluster/bin/sandbox-cluster'),
    ...sandboxArgs,
  ]),
  start('frontend and backend', 'yarn', ['dev']),
];

let stopping = false;

function printFirstError() {
  const first = errors.firstError();
  if (first) {
    process.stderr.write(
      `[demo] the first error, from the ${first.source}:\n${first.lines
        .map(line => `  ${line}`)
        .join('\n')}\n`,
    );
  } else {
    process.stderr.write('[demo] no part of the demo printed an error.\n');
  }
}

function signalGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every part (their whole process groups), then exits with `code`. */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) signalGroup(child, 'SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) signalGroup(child, 'SIGKILL');
  }, 10_000);
  force.unref();
}

for (const child of children) {
  child.on('error', error => {
    process.stderr.write(
      `[demo] could not start the ${child.partName}: ${error.message}\n`,
    );
    stopAll(1);
  });
  child.on('exit', (code, signal) => {
    // Make sure nothing it started outlives it.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // The group is gone.
    }
    if (!stopping) {
      process.stderr.write(
        `[demo] the ${child.partName} exited (${
          signal ?? `code ${code}`
        }); stopping the demo.\n`,
      );
      printFirstError();
      stopAll(code || 1);
    }
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stopAll(0));
}

say(
  `waiting until ${APP_URL} is usable (at most ${readyTimeoutSeconds} s, DEMO_READY_TIMEOUT_SECONDS)`,
);
waitForDemo({
  backendUrl: BACKEND_URL,
  appUrl: APP_URL,
  timeoutMs: readyTimeoutSeconds * 1000,
  intervalMs: 1000,
  shouldStop: () => stopping,
}).then(
  ({ elapsedMs }) => {
    if (stopping) return;
    say(
      `ready: open ${APP_URL} (sign in as guest, on call for the finance team; usable after ${Math.round(
        elapsedMs / 1000,
      )} s)`,
    );
  },
  error => {
    if (stopping) return;
    process.stderr.write(
      `[demo] the demo did not become usable within ${readyTimeoutSeconds} s: ${error.detail}\n`,
    );
    printFirstError();
    stopAll(1);
  },
);
