/*
 * Which Node.js runs the project, and the environment that makes every
 * `node` the project starts (yarn, its scripts, node-gyp) that same one.
 * Nothing but Node.js built-ins.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/**
 * The launcher's own Node.js when it is a supported one, otherwise the
 * provisioned one. Whatever Node.js launched scripts/toolchain.js, the
 * project is installed and run by the Node.js this returns.
 */
function chooseRuntimeNode({
  launcherVersion,
  launcherExecPath,
  supportedMajors,
  provisionedNodePath,
}) {
  if (supportedMajors.includes(majorOf(launcherVersion))) {
    return { source: 'launcher', nodePath: launcherExecPath };
  }
  return { source: 'provisioned', nodePath: provisionedNodePath };
}

/**
 * Runs `nodePath` to ask its version and native module ABI
 * (`process.versions.modules`); undefined when it does not run here.
 */
function describeNode(nodePath) {
  const result = spawnSync(
    nodePath,
    [
      '-p',
      'JSON.stringify({version: process.version, modules: process.versions.modules, execPath: process.execPath})',
    ],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    return undefined;
  }
  try {
    return JSON.parse(result.stdout.trim());
  } catch {
    return undefined;
  }
}

/**
 * The folder whose include/node holds this Node.js's headers (the npm
 * package of a provisioned Node.js, or an installation prefix), so that
 * node-gyp builds against them instead of downloading headers.
 */
function headersDirOf(nodePath) {
  let real;
  try {
    real = fs.realpathSync(nodePath);
  } catch {
    return undefined;
  }
  const dir = path.resolve(path.dirname(real), '..');
  return fs.existsSync(path.join(dir, 'include', 'node', 'node_version.h'))
    ? dir
    : undefined;
}

/**
 * The environment every child runs in: the runtime Node.js's folder first on
 * PATH (so `#!/usr/bin/env node` scripts such as yarn, and node-gyp, use it),
 * and node-gyp pointed at its headers when they are there.
 */
function runtimeEnv({ baseEnv, nodePath, headersDir }) {
  const env = { ...baseEnv };
  const pathKey =
    Object.keys(env).find(key => key.toUpperCase() === 'PATH') ?? 'PATH';
  const dirs = (env[pathKey] ?? '').split(path.delimiter).filter(Boolean);
  const nodeDir = path.dirname(nodePath);
  env[pathKey] = [nodeDir, ...dirs.filter(dir => dir !== nodeDir)].join(
    path.delimiter,
  );
  if (headersDir) {
    env.npm_config_nodedir = headersDir;
  }
  return env;
}

module.exports = {
  chooseRuntimeNode,
  describeNode,
  headersDirOf,
  majorOf,
  runtimeEnv,
};
