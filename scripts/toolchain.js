#!/usr/bin/env node
/*
 * Runs a root script with the toolchain this repository needs (Node.js 22 or
 * 24 and Yarn 4), provisioning both from the npm registry when the machine
 * lacks them, and installing dependencies whenever the lockfile or a
 * workspace manifest changed since the last install.
 *
 *   node scripts/toolchain.js <root script> [args...]
 *
 * The Node.js that installs and runs the project (the runtime Node.js) is the
 * launcher's own when it is 22 or 24, else the provisioned one; everything
 * below runs with it. Switching between launchers never reinstalls; when the
 * runtime Node.js's native module ABI differs from the one the native modules
 * (better-sqlite3) were built for, they are rebuilt, and every run checks
 * that they load with it.
 *
 * It deliberately uses nothing but Node.js built-ins and npm, so that it runs
 * on any Node.js >= 18 with npm, before any dependency is installed.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {
  formatStamp,
  installInputsDigest,
  nativeVerdict,
  planInstall,
  planNativeRebuild,
  readStamp,
} = require('./lib/installState');
const {
  REQUIRED_NATIVE_PACKAGES,
  checkNativeModules,
  findNativePackages,
} = require('./lib/nativeModules');
const {
  chooseRuntimeNode,
  describeNode,
  headersDirOf,
  majorOf,
  runtimeEnv,
} = require('./lib/nodeRuntime');

const ROOT = path.resolve(__dirname, '..');
const TOOLCHAIN_DIR = path.join(ROOT, '.toolchain');
const SUPPORTED_NODE_MAJORS = [22, 24];
// Exact versions keep every machine on the same toolchain.
const NODE_VERSION = '22.23.3';
const YARN_VERSION = require('../package.json').packageManager.replace(
  /^yarn@/,
  '',
);
const INSTALL_STAMP = path.join(ROOT, 'node_modules', '.install-stamp');

// Packages that would otherwise fetch binaries from outside the npm registry
// while installing; native modules (better-sqlite3) are built from source
// instead of trying prebuilt downloads.
const NO_DOWNLOAD_ENV = {
  npm_config_build_from_source: 'true',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  PUPPETEER_SKIP_DOWNLOAD: '1',
  CYPRESS_INSTALL_BINARY: '0',
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  SENTRYCLI_SKIP_DOWNLOAD: '1',
  YARN_ENABLE_TELEMETRY: '0',
};

function fail(message) {
  process.stderr.write(`\n[toolchain] ${message}\n\n`);
  process.exit(1);
}

function log(message) {
  process.stderr.write(`[toolchain] ${message}\n`);
}

/** The npm package that ships a Node.js binary and its headers for this machine. */
function nodePackageName() {
  const platforms = { linux: 'linux', darwin: 'darwin' };
  const arches = { x64: 'x64', arm64: 'arm64' };
  const platform = platforms[process.platform];
  const arch = arches[process.arch];
  if (!platform || !arch) {
    return undefined;
  }
  return `node-${platform}-${arch}`;
}

function commandOutput(command, args, env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    return undefined;
  }
  return result.stdout.trim();
}

function npmInstallIntoToolchain(specs) {
  fs.mkdirSync(TOOLCHAIN_DIR, { recursive: true });
  const manifest = path.join(TOOLCHAIN_DIR, 'package.json');
  if (!fs.existsSync(manifest)) {
    fs.writeFileSync(
      manifest,
      `${JSON.stringify(
        { name: 'toolchain', private: true, description: 'git-ignored' },
        null,
        2,
      )}\n`,
    );
  }
  log(`installing ${specs.join(', ')} from the npm registry`);
  const result = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      TOOLCHAIN_DIR,
      '--no-audit',
      '--no-fund',
      '--save-exact',
      ...specs,
    ],
    { stdio: 'inherit', env: { ...process.env, ...NO_DOWNLOAD_ENV } },
  );
  if (result.error || result.status !== 0) {
    fail(
      `could not install ${specs.join(', ')} from the npm registry.\n` +
        `Install Node.js ${SUPPORTED_NODE_MAJORS.join(
          ' or ',
        )} and Yarn ${YARN_VERSION} by hand, then run the same command again.`,
    );
  }
}

function installedVersion(packageName) {
  try {
    const manifest = path.join(
      TOOLCHAIN_DIR,
      'node_modules',
      packageName,
      'package.json',
    );
    return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Decides which node and yarn to use, provisioning what is missing. Returns
 * the runtime Node.js (`{ version, modules, execPath }`), the yarn command
 * and the environment to run them in.
 */
function resolveToolchain() {
  const baseEnv = { ...process.env, ...NO_DOWNLOAD_ENV };
  const nodePackage = nodePackageName();
  const provisionedDir = nodePackage
    ? path.join(TOOLCHAIN_DIR, 'node_modules', nodePackage)
    : undefined;
  const choice = chooseRuntimeNode({
    launcherVersion: process.version,
    launcherExecPath: process.execPath,
    supportedMajors: SUPPORTED_NODE_MAJORS,
    provisionedNodePath:
      provisionedDir && path.join(provisionedDir, 'bin', 'node'),
  });
  if (!choice.nodePath) {
    fail(
      `Node.js ${process.version} on ${process.platform}/${process.arch} is not supported, ` +
        `and no Node.js package exists for this platform on the npm registry.\n` +
        `Install Node.js ${SUPPORTED_NODE_MAJORS.join(' or ')} by hand.`,
    );
  }

  const missing = [];
  if (
    choice.source === 'provisioned' &&
    installedVersion(nodePackage) !== NODE_VERSION
  ) {
    missing.push(`${nodePackage}@${NODE_VERSION}`);
  }
  const systemYarn = commandOutput('yarn', ['--version'], baseEnv);
  const useSystemYarn = !!systemYarn && majorOf(systemYarn) === 4;
  if (
    !useSystemYarn &&
    installedVersion('@yarnpkg/cli-dist') !== YARN_VERSION
  ) {
    missing.push(`@yarnpkg/cli-dist@${YARN_VERSION}`);
  }
  if (missing.length > 0) {
    npmInstallIntoToolchain(missing);
  }

  const runtime = describeNode(choice.nodePath);
  if (!runtime || !SUPPORTED_NODE_MAJORS.includes(majorOf(runtime.version))) {
    fail(
      `the ${choice.source} Node.js (${choice.nodePath}) does not run here` +
        `${runtime ? ` (got ${runtime.version})` : ''}. ` +
        `Install Node.js ${SUPPORTED_NODE_MAJORS.join(' or ')} by hand.`,
    );
  }
  // node-gyp builds native modules (better-sqlite3) against these headers
  // instead of downloading them.
  const env = runtimeEnv({
    baseEnv,
    nodePath: runtime.execPath,
    headersDir: headersDirOf(runtime.execPath),
  });
  const yarn = useSystemYarn
    ? 'yarn'
    : path.join(TOOLCHAIN_DIR, 'node_modules', '.bin', 'yarn');
  return { runtime, env, yarn };
}

function runYarn(yarn, args, env) {
  const result = spawnSync(yarn, args, { cwd: ROOT, stdio: 'inherit', env });
  return !result.error && result.status === 0;
}

function writeStamp(stampInputs) {
  fs.writeFileSync(INSTALL_STAMP, formatStamp(stampInputs));
}

function ensureDependencies({ runtime, env, yarn }) {
  const stamp = readStamp(INSTALL_STAMP);
  const legacyDigests = [...new Set([process.version, runtime.version])].map(
    version => installInputsDigest(ROOT, version),
  );
  const plan = planInstall({
    stamp,
    inputs: installInputsDigest(ROOT),
    legacyDigests,
  });
  if (plan.install) {
    log(`installing dependencies (yarn install): ${plan.reason}`);
    if (!runYarn(yarn, ['install'], env)) {
      fail('yarn install failed; see the output above.');
    }
  }
  // Recorded after the install: it may have updated yarn.lock.
  const inputs = installInputsDigest(ROOT);

  const nativePackages = findNativePackages(ROOT);
  const names = nativePackages.map(p => p.name);
  const rebuildFirst = planNativeRebuild({
    stamp,
    runtime,
    installedNow: plan.install,
    nativePackages: names,
  });
  let rebuilt = false;
  if (rebuildFirst.packages.length > 0) {
    log(`${rebuildFirst.reason}: rebuilding ${names.join(', ')}`);
    if (!runYarn(yarn, ['rebuild', ...rebuildFirst.packages], env)) {
      fail('yarn rebuild failed; see the output above.');
    }
    rebuilt = true;
  }

  for (;;) {
    const failures = checkNativeModules({
      nodePath: runtime.execPath,
      packages: nativePackages,
      env,
    });
    const verdict = nativeVerdict({
      failures,
      required: REQUIRED_NATIVE_PACKAGES,
      rebuilt,
    });
    const described = failures
      .map(f => `  ${f.name}: ${f.message.replace(/\s+/g, ' ').slice(0, 400)}`)
      .join('\n');
    if (verdict.action === 'rebuild') {
      log(
        `native modules do not load with Node.js ${runtime.version} (ABI ${runtime.modules}):\n` +
          `${described}\n[toolchain] rebuilding ${verdict.packages.join(', ')}`,
      );
      if (!runYarn(yarn, ['rebuild', ...verdict.packages], env)) {
        writeStamp({ inputs, runtime });
        fail('yarn rebuild failed; see the output above.');
      }
      rebuilt = true;
      continue;
    }
    if (verdict.action === 'fail') {
      writeStamp({ inputs, runtime });
      fail(
        `native modules still do not load with Node.js ${runtime.version} (ABI ${runtime.modules}) after a rebuild:\n${described}`,
      );
    }
    if (verdict.action === 'warn') {
      log(
        `optional native modules do not load with Node.js ${runtime.version}; continuing without them:\n${described}`,
      );
    }
    writeStamp({
      inputs,
      runtime,
      nativeModules: { abi: runtime.modules, packages: names },
    });
    return;
  }
}

function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    fail('usage: node scripts/toolchain.js <root script> [args...]');
  }
  const started = Date.now();
  const toolchain = resolveToolchain();
  ensureDependencies(toolchain);
  const { runtime, env, yarn } = toolchain;
  log(
    `Node.js ${runtime.version} (ABI ${runtime.modules}, ${runtime.execPath}) ` +
      `and dependencies ready in ${((Date.now() - started) / 1000).toFixed(
        1,
      )} s`,
  );

  const child = spawn(yarn, ['run', script, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main();
