/*
 * The installed packages that build a native addon with node-gyp, and a
 * check that loads each addon with the Node.js that runs the project.
 * Nothing but Node.js built-ins.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Without them the project does not run: the backend's database. */
const REQUIRED_NATIVE_PACKAGES = ['better-sqlite3'];

function packageDirs(nodeModules) {
  if (!fs.existsSync(nodeModules)) return [];
  const dirs = [];
  for (const name of fs.readdirSync(nodeModules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      const scope = path.join(nodeModules, name);
      for (const sub of fs.readdirSync(scope).sort()) {
        dirs.push({ name: `${name}/${sub}`, dir: path.join(scope, sub) });
      }
    } else {
      dirs.push({ name, dir: path.join(nodeModules, name) });
    }
  }
  return dirs;
}

/**
 * Packages in root's node_modules with a binding.gyp, except those the root
 * manifest tells Yarn not to build (`dependenciesMeta: { x: { built: false } }`).
 */
function findNativePackages(root) {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
  );
  const notBuilt = new Set(
    Object.entries(manifest.dependenciesMeta ?? {})
      .filter(([, meta]) => meta && meta.built === false)
      .map(([name]) => name.replace(/@[^@/]*$/, '')),
  );
  return packageDirs(path.join(root, 'node_modules'))
    .filter(({ name }) => !notBuilt.has(name))
    .filter(({ dir }) => fs.existsSync(path.join(dir, 'binding.gyp')));
}

// Run by the runtime Node.js: loads every package as the project does
// (its main module loads its addon), and opens a database with
// better-sqlite3, which loads its addon only then. Prints the failures as
// JSON.
const CHECK_SCRIPT = `
const checks = JSON.parse(process.argv[1]);
const failures = [];
for (const { name, dir } of checks) {
  try {
    const loaded = require(dir);
    if (name === 'better-sqlite3') {
      const db = new loaded(':memory:');
      db.prepare('select 1').get();
      db.close();
    }
  } catch (error) {
    failures.push({ name, message: String(error && error.message || error) });
  }
}
process.stdout.write(JSON.stringify(failures));
`;

/**
 * Loads the packages with `nodePath`. Returns the failures as
 * `[{ name, message }]`, e.g. an addon built for another ABI ("compiled
 * against a different Node.js version using NODE_MODULE_VERSION 115").
 */
function checkNativeModules({ nodePath, packages, env }) {
  if (packages.length === 0) return [];
  const checks = packages.map(({ name, dir }) => ({ name, dir }));
  const result = spawnSync(
    nodePath,
    ['-e', CHECK_SCRIPT, JSON.stringify(checks)],
    { encoding: 'utf8', env },
  );
  if (result.error || result.status !== 0) {
    return checks.map(({ name }) => ({
      name,
      message: `the check did not run: ${
        result.error?.message ?? result.stderr.trim()
      }`,
    }));
  }
  return JSON.parse(result.stdout);
}

module.exports = {
  REQUIRED_NATIVE_PACKAGES,
  checkNativeModules,
  findNativePackages,
};
