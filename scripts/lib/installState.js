/*
 * The install stamp (node_modules/.install-stamp): what the last successful
 * install was made from, and by which Node.js; and the decisions taken from
 * it. Nothing but Node.js built-ins.
 *
 * The stamp records the Node.js that installs and runs the project (the
 * runtime Node.js, not the one that launched scripts/toolchain.js), and the
 * native module ABI (`process.versions.modules`) that the native modules were
 * built and checked for.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Every file that decides what `yarn install` installs, relative to root. */
function installInputFiles(root) {
  const files = ['package.json', 'yarn.lock', '.yarnrc.yml'];
  for (const folder of ['packages', 'plugins']) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      files.push(path.join(folder, name, 'package.json'));
    }
  }
  return files;
}

/**
 * A digest of the install inputs. `legacySuffix` reproduces the stamps of
 * earlier versions of this script, which appended the launcher's
 * `process.version`.
 */
function installInputsDigest(root, legacySuffix) {
  const hash = crypto.createHash('sha256');
  for (const file of installInputFiles(root)) {
    const full = path.join(root, file);
    hash.update(file);
    hash.update(fs.existsSync(full) ? fs.readFileSync(full) : '');
  }
  if (legacySuffix !== undefined) {
    hash.update(legacySuffix);
  }
  return hash.digest('hex');
}

/**
 * The stamp's content: undefined when there is none or it is unreadable,
 * `{ legacy: digest }` for a stamp written by an earlier version of this
 * script, otherwise the recorded object.
 */
function parseStamp(text) {
  const trimmed = (text ?? '').trim();
  if (/^[0-9a-f]{64}$/.test(trimmed)) {
    return { legacy: trimmed };
  }
  try {
    const stamp = JSON.parse(trimmed);
    return stamp && typeof stamp.inputs === 'string' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

function readStamp(file) {
  return fs.existsSync(file)
    ? parseStamp(fs.readFileSync(file, 'utf8'))
    : undefined;
}

function formatStamp({ inputs, runtime, nativeModules }) {
  return `${JSON.stringify(
    {
      inputs,
      node: {
        version: runtime.version,
        modules: runtime.modules,
        path: runtime.execPath,
      },
      nativeModules,
    },
    null,
    2,
  )}\n`;
}

/**
 * Whether `yarn install` must run: only when the install inputs changed (or
 * nothing was installed yet). A different Node.js alone never reinstalls;
 * `legacyDigests` are the digests an earlier stamp format would have for
 * the same inputs, so that an old stamp is honoured once.
 */
function planInstall({ stamp, inputs, legacyDigests = [] }) {
  if (!stamp) {
    return { install: true, reason: 'no install recorded' };
  }
  if (stamp.legacy !== undefined) {
    return legacyDigests.includes(stamp.legacy)
      ? { install: false }
      : { install: true, reason: 'the lockfile or a manifest changed' };
  }
  if (stamp.inputs !== inputs) {
    return { install: true, reason: 'the lockfile or a manifest changed' };
  }
  return { install: false };
}

/**
 * The native packages to rebuild before anything else: all of them when the
 * stamp says they were built for another ABI than the runtime Node.js's
 * (`process.versions.modules`), none when the ABI is the same or unknown, or
 * when `yarn install` has just run (it builds what it installs; the load
 * check that follows catches what it left). Returns `{ packages, reason }`.
 */
function planNativeRebuild({ stamp, runtime, installedNow, nativePackages }) {
  const recorded = stamp?.nativeModules?.abi;
  if (installedNow || recorded === undefined) {
    return { packages: [] };
  }
  if (String(recorded) === String(runtime.modules)) {
    return { packages: [] };
  }
  const from = stamp.node?.version ? ` (Node.js ${stamp.node.version})` : '';
  return {
    packages: nativePackages,
    reason: `native modules were built for ABI ${recorded}${from}; Node.js ${runtime.version} needs ABI ${runtime.modules}`,
  };
}

/**
 * What to do after loading the native modules with the runtime Node.js:
 * `ok`; `rebuild` the packages that failed (once); or, when they still fail
 * after a rebuild, `fail` if a required one is among them, else `warn`.
 */
function nativeVerdict({ failures, required, rebuilt }) {
  if (failures.length === 0) {
    return { action: 'ok' };
  }
  const names = [...new Set(failures.map(f => f.name))];
  if (!rebuilt) {
    return { action: 'rebuild', packages: names };
  }
  return names.some(name => required.includes(name))
    ? { action: 'fail', packages: names }
    : { action: 'warn', packages: names };
}

module.exports = {
  formatStamp,
  installInputFiles,
  installInputsDigest,
  nativeVerdict,
  parseStamp,
  planInstall,
  planNativeRebuild,
  readStamp,
};
