#!/usr/bin/env node
/*
 * Runs a root script with the toolchain this repository needs (Node.js 22 or
 * 24 and Yarn 4), provisioning both from the npm registry when the machine
 * lacks them, and installing dependencies whenever the lockfile or a
 * workspace manifest changed since the last install.
 *
 *   node scripts/toolchain.js <root script> [args...]
 *
 * It deliberately uses nothing but Node.js built-ins and npm, so that it runs
 * on any Node.js >= 18 with npm, before any dependency is installed.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

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

function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
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
 * Decides which node and yarn to use, provisioning what is missing, and
 * returns the environment to run them in.
 */
function resolveToolchain() {
  const env = { ...process.env, ...NO_DOWNLOAD_ENV };
  const binDir = path.join(TOOLCHAIN_DIR, 'node_modules', '.bin');
  const missing = [];

  let nodePackageDir;
  if (!SUPPORTED_NODE_MAJORS.includes(majorOf(process.version))) {
    const nodePackage = nodePackageName();
    if (!nodePackage) {
      fail(
        `Node.js ${process.version} on ${process.platform}/${process.arch} is not supported, ` +
          `and no Node.js package exists for this platform on the npm registry.\n` +
          `Install Node.js ${SUPPORTED_NODE_MAJORS.join(' or ')} by hand.`,
      );
    }
    nodePackageDir = path.join(TOOLCHAIN_DIR, 'node_modules', nodePackage);
    if (installedVersion(nodePackage) !== NODE_VERSION) {
      missing.push(`${nodePackage}@${NODE_VERSION}`);
    }
  }

  const systemYarn = commandOutput('yarn', ['--version'], env);
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

  if (nodePackageDir || !useSystemYarn) {
    env.PATH = `${binDir}${path.delimiter}${env.PATH}`;
  }
  if (nodePackageDir) {
    // node-gyp builds native modules (better-sqlite3, isolated-vm) against
    // these headers instead of downloading them.
    env.npm_config_nodedir = nodePackageDir;
    const nodeVersion = commandOutput('node', ['--version'], env);
    if (!SUPPORTED_NODE_MAJORS.includes(majorOf(nodeVersion))) {
      fail(
        `the provisioned Node.js does not run here (got ${nodeVersion}). ` +
          `Install Node.js ${SUPPORTED_NODE_MAJORS.join(' or ')} by hand.`,
      );
    }
  }
  return env;
}

/** A digest of everything that decides what `yarn install` installs. */
function installInputsDigest() {
  const hash = crypto.createHash('sha256');
  const files = ['package.json', 'yarn.lock', '.yarnrc.yml'];
  for (const folder of ['packages', 'plugins']) {
    const dir = path.join(ROOT, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      files.push(path.join(folder, name, 'package.json'));
    }
  }
  for (const file of files) {
    const full = path.join(ROOT, file);
    hash.update(file);
    hash.update(fs.existsSync(full) ? fs.readFileSync(full) : '');
  }
  hash.update(process.version);
  return hash.digest('hex');
}

function ensureDependencies(env) {
  const digest = installInputsDigest();
  const stamp = fs.existsSync(INSTALL_STAMP)
    ? fs.readFileSync(INSTALL_STAMP, 'utf8').trim()
    : '';
  if (stamp === digest) {
    return;
  }
  log('installing dependencies (yarn install)');
  const result = spawnSync('yarn', ['install'], {
    cwd: ROOT,
    stdio: 'inherit',
    env,
  });
  if (result.error || result.status !== 0) {
    fail('yarn install failed; see the output above.');
  }
  // Record the state after the install: it may have updated yarn.lock.
  fs.writeFileSync(INSTALL_STAMP, `${installInputsDigest()}\n`);
}

function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    fail('usage: node scripts/toolchain.js <root script> [args...]');
  }
  const env = resolveToolchain();
  ensureDependencies(env);

  const child = spawn('yarn', ['run', script, ...args], {
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
