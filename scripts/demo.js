#!/usr/bin/env node
/*
 * The demo: the sandbox cluster (Kubernetes API, Prometheus and Loki
 * replaying an incident scenario) on 127.0.0.1:7008, and the Backstage
 * frontend (:3000) and backend (:7007) pointed at it by app-config.yaml.
 *
 *   yarn demo [sandbox options, e.g. --scenario healthy --speed 10]
 *
 * Stopping either stops both.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sandboxArgs = process.argv.slice(2);
if (!sandboxArgs.includes('--port')) {
  sandboxArgs.push('--port', '7008');
}

const children = [
  spawn(
    process.execPath,
    [
      path.join(root, 'packages/sandbox-cluster/bin/sandbox-cluster'),
      ...sandboxArgs,
    ],
    { cwd: root, stdio: 'inherit' },
  ),
  spawn('yarn', ['dev'], { cwd: root, stdio: 'inherit' }),
];

let exiting = false;
function stopAll(code) {
  if (exiting) return;
  exiting = true;
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  process.exitCode = code;
}

for (const child of children) {
  child.on('exit', code => stopAll(code ?? 1));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stopAll(0));
}
